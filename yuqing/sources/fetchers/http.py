"""The one HTTP client every fetcher uses: bounded, polite and SSRF-guarded (built on httpx2).

Bounded: connect/read timeouts plus an overall deadline, a streamed body cap (counted after
decompression, so a gzip bomb stops at the cap too), a redirect cap and loop detection.
Polite: at least ``min_host_interval`` seconds between requests to one host, process-wide, and
robots.txt on request (:meth:`HttpClient.allowed_by_robots`).
Guarded: every hop passes :func:`check_url`; non-intranet connections go through a backend that only
connects to addresses it has itself checked.

No retries here: a failure raises :class:`FetchError` and the scheduler decides when to poll again.
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore2
import httpx2

from yuqing.sources.fetchers.base import FetchError
from yuqing.sources.fetchers.guard import GuardedBackend, check_url, split_url
from yuqing.sources.fetchers.robots import ROBOTS_CACHE

__all__ = ["DEFAULT_USER_AGENT", "HostRateLimiter", "HttpClient", "HttpResponse", "check_url"]

DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; yuqing/0.1; tax public-opinion monitor)"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.9,*/*;q=0.8"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers that must not follow a redirect to another host.
_CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")

_STATUS_LABELS = {
    400: "请求无效",
    401: "需要登录认证",
    403: "禁止访问",
    404: "页面不存在",
    405: "不允许的请求方法",
    408: "请求超时",
    410: "内容已删除",
    429: "请求过于频繁",
    451: "因法律原因不可用",
}

# Text-like types a fetcher can use; anything else (images, video, archives, octet-stream) is refused.
_TEXT_TYPES = frozenset(
    {"application/json", "application/xml", "application/javascript", "application/x-javascript"}
)


def status_message(status: int) -> str:
    """ "HTTP 404（页面不存在）", "HTTP 503（服务器错误）" …"""
    if status >= 500:
        return f"HTTP {status}（服务器错误）"
    return f"HTTP {status}（{_STATUS_LABELS.get(status, '请求被拒绝')}）"


def is_text_type(content_type: str) -> bool:
    """Whether a Content-Type (parameters allowed) is something we can read as text. Empty → True."""
    mime = content_type.split(";", 1)[0].strip().lower()
    return (
        not mime
        or mime.startswith("text/")
        or mime in _TEXT_TYPES
        or mime.endswith(("+xml", "+json", "/xml", "/json"))
    )


def _seconds(value: float) -> str:
    return f"{value:g}"


def _retry_after(value: str | None) -> int | None:
    if not value:
        return None
    if value.strip().isdigit():
        return int(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - datetime.now(UTC)).total_seconds()))


class HostRateLimiter:
    """Spaces requests to one host at least ``interval`` seconds apart, across threads.

    A caller reserves the next free slot under the lock and sleeps outside it, so waiting threads queue
    up instead of serialising on the lock. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    def wait(self, host: str, interval: float) -> float:
        """Block until ``host`` may be contacted again; return the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + max(interval, 0.0)
            if len(self._next_slot) > 10_000:  # forget hosts whose slot has long passed
                self._next_slot = {h: t for h, t in self._next_slot.items() if t > now}
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay


DEFAULT_LIMITER = HostRateLimiter()


@dataclass
class HttpResponse:
    """A finished response: body fully read (≤ max_bytes), headers with lower-case names."""

    status: int
    url: str  # final URL after redirects
    headers: dict[str, str]
    body: bytes
    not_modified: bool = False
    redirects: list[str] = field(default_factory=list)  # the URLs redirected through, in order

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class _Counter(threading.local):
    value = 0


class HttpClient:
    """Sync HTTP client for fetchers; share one per process (or per worker thread pool).

    ``requests_made()`` counts HTTP requests (each redirect hop and robots.txt fetch included) made by
    the calling thread, so a fetcher can report its own cost even when threads share the client.
    """

    def __init__(
        self,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        max_bytes: int = 5 * 1024 * 1024,
        max_redirects: int = 5,
        min_host_interval: float = 1.0,
        user_agent: str = DEFAULT_USER_AGENT,
        *,
        total_timeout: float = 60.0,
        verify: bool | str = True,
        limiter: HostRateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.min_host_interval = min_host_interval
        self.user_agent = user_agent
        self._limiter = limiter or DEFAULT_LIMITER
        self._clock = clock
        self._counter = _Counter()
        timeout = httpx2.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=read_timeout
        )
        ssl_context = _ssl_context(verify)
        guarded = httpx2.HTTPTransport(verify=ssl_context, trust_env=False)
        guarded._pool = httpcore2.ConnectionPool(  # same pool httpx builds, but with the SSRF backend
            ssl_context=ssl_context,
            network_backend=GuardedBackend(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
        )
        common = {"timeout": timeout, "follow_redirects": False, "trust_env": False}
        self._public = httpx2.Client(transport=guarded, **common)  # type: ignore[arg-type]
        self._intranet = httpx2.Client(verify=ssl_context, **common)  # type: ignore[arg-type]

    def close(self) -> None:
        self._public.close()
        self._intranet.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def requests_made(self) -> int:
        """HTTP requests made so far by the calling thread through this client."""
        return self._counter.value

    def allowed_by_robots(self, url: str, *, intranet: bool = False) -> bool:
        """Whether robots.txt of ``url``'s host lets us fetch it (cached per host for an hour)."""
        return ROBOTS_CACHE.allowed(self, url, intranet=intranet)

    def get(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        intranet: bool = False,
        etag: str = "",
        last_modified: str = "",
    ) -> HttpResponse:
        """GET ``url`` following redirects by hand; a 304 comes back with ``not_modified=True``.

        Raises FetchError for timeouts, connection failures, 4xx/5xx, non-text content types, bodies over
        ``max_bytes``, too many redirects or a loop, and BlockedURLError for a refused hop.
        """
        request_headers = {
            "User-Agent": self.user_agent,
            "Accept": ACCEPT,
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
        }
        request_headers.update(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        deadline = self._clock() + self.total_timeout
        current = _without_fragment(url.strip())
        visited = [current]
        for hop in range(self.max_redirects + 1):
            check_url(current, intranet)
            response, location = self._request_once(current, request_headers, intranet, deadline)
            if location is None:
                assert response is not None
                response.redirects = visited[:-1]
                return response
            target = _without_fragment(urljoin(current, location))
            if target in visited:
                raise FetchError(f"重定向循环：{target[:200]}")
            if hop == self.max_redirects:
                raise FetchError(f"重定向次数超过 {self.max_redirects} 次")
            if split_url(target)[1] != split_url(current)[1]:
                request_headers = {
                    k: v for k, v in request_headers.items() if k.lower() not in _CREDENTIAL_HEADERS
                }
            visited.append(target)
            current = target
        raise AssertionError("unreachable")  # pragma: no cover

    def _request_once(
        self, url: str, headers: dict[str, str], intranet: bool, deadline: float
    ) -> tuple[HttpResponse | None, str | None]:
        """One request. Returns (response, None), or (None, Location) for a redirect."""
        host = split_url(url)[1]
        self._limiter.wait(host, self.min_host_interval)
        self._counter.value += 1
        client = self._intranet if intranet else self._public
        try:
            with client.stream("GET", url, headers=headers) as r:
                return self._read(r, url, deadline)
        except FetchError:
            raise
        except httpx2.ConnectTimeout:
            raise FetchError(f"连接超时（{_seconds(self.connect_timeout)} 秒）：{host}")
        except httpx2.ReadTimeout:
            raise FetchError(f"读取超时（{_seconds(self.read_timeout)} 秒）")
        except httpx2.TimeoutException:
            raise FetchError("请求超时")
        except httpx2.ConnectError:
            raise FetchError(f"连接失败：{host}")
        except httpx2.RemoteProtocolError:
            raise FetchError("连接被服务器中断，响应不完整")
        except httpx2.DecodingError:
            raise FetchError("响应解压失败（内容编码错误）")
        except (httpx2.HTTPError, httpx2.InvalidURL, httpx2.StreamError, ValueError, UnicodeError) as exc:
            raise FetchError(f"请求失败：{type(exc).__name__}")

    def _read(self, r: httpx2.Response, url: str, deadline: float) -> tuple[HttpResponse | None, str | None]:
        status = r.status_code
        response_headers = {k.lower(): v for k, v in r.headers.items()}
        if status in REDIRECT_STATUSES:
            location = response_headers.get("location", "").strip()
            if not location:
                raise FetchError(f"HTTP {status} 重定向缺少目标地址")
            return None, location
        if status == 304:
            return HttpResponse(status, url, response_headers, b"", not_modified=True), None
        if status >= 400 or status < 200 or 300 <= status < 400:
            raise FetchError(
                status_message(status) if status >= 400 else f"HTTP {status}（无法处理的响应）",
                status=status,
                retry_after=_retry_after(response_headers.get("retry-after")),
            )
        content_type = response_headers.get("content-type", "")
        if not is_text_type(content_type):
            raise FetchError(f"不是文本内容（{content_type.split(';', 1)[0].strip()}）")
        limit_text = f"响应体超过 {_size(self.max_bytes)} 上限"
        declared = response_headers.get("content-length", "")
        if (
            declared.isdigit()
            and int(declared) > self.max_bytes
            and "content-encoding" not in response_headers
        ):
            raise FetchError(limit_text)
        body = bytearray()
        for chunk in r.iter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                raise FetchError(limit_text)
            if self._clock() > deadline:
                raise FetchError(f"下载超时（超过 {_seconds(self.total_timeout)} 秒）")
        return HttpResponse(status, url, response_headers, bytes(body)), None


@functools.cache
def _ssl_context(verify: bool | str) -> ssl.SSLContext:
    """One TLS context per verify setting per process (building one costs ~50 ms; they are thread-safe)."""
    return httpx2.create_ssl_context(verify=verify, trust_env=False)


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} 字节"


def _without_fragment(url: str) -> str:
    with contextlib.suppress(ValueError):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    return url
