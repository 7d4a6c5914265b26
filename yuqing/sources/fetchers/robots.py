"""robots.txt, cached per origin for an hour (RFC 9309 semantics for failures).

* 2xx: parsed with Protego and obeyed for the ``yuqing`` product token;
* 4xx (no robots.txt, or access to it forbidden): everything allowed;
* 5xx: everything disallowed until the next check ("unreachable" per RFC 9309 §2.3.1.4);
* network failure, timeout, odd content type: allowed (a flaky robots.txt must not stop monitoring).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from protego import Protego

from yuqing.sources.fetchers.base import BlockedURLError, FetchError

if TYPE_CHECKING:
    from yuqing.sources.fetchers.http import HttpClient

CACHE_SECONDS = 3600.0
ROBOTS_AGENT = "yuqing"

# A cached verdict: a parser, or True (allow all) / False (disallow all).
Verdict = Protego | bool


class RobotsCache:
    """Thread-safe per-origin cache. Two threads missing at once may both fetch; that is harmless."""

    def __init__(self, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Verdict]] = {}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def allowed(self, client: HttpClient, url: str, *, intranet: bool = False) -> bool:
        """Whether ``url`` may be fetched; fetches ``/robots.txt`` through ``client`` on a cache miss."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        now = self._clock()
        with self._lock:
            cached = self._entries.get(origin)
        if cached is None or cached[0] <= now:
            verdict = self._load(client, origin, intranet)
            with self._lock:
                self._entries[origin] = (now + self._ttl, verdict)
        else:
            verdict = cached[1]
        if isinstance(verdict, bool):
            return verdict
        return bool(verdict.can_fetch(url, ROBOTS_AGENT))

    @staticmethod
    def _load(client: HttpClient, origin: str, intranet: bool) -> Verdict:
        try:
            response = client.get(f"{origin}/robots.txt", intranet=intranet)
        except BlockedURLError:
            raise
        except FetchError as exc:
            return not (exc.status is not None and exc.status >= 500)
        text = response.body.decode("utf-8", errors="replace")
        try:
            return Protego.parse(text)
        except Exception:  # a robots.txt Protego cannot read is treated like a missing one
            return True


ROBOTS_CACHE = RobotsCache()
