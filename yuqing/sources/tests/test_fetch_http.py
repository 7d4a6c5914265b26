"""HttpClient over real loopback HTTP: limits, redirects, conditional GET, politeness."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from yuqing.sources.fetchers import http as http_module
from yuqing.sources.fetchers.base import BlockedURLError, FetchError
from yuqing.sources.fetchers.http import HostRateLimiter, HttpClient, is_text_type, status_message
from yuqing.sources.tests.fixtures import make_client


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with make_client() as c:
        yield c


def test_plain_get_returns_body_headers_and_final_url(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/notice").respond_with_data(
        "关于开展2024年度纳税信用评价的通知", content_type="text/plain; charset=utf-8"
    )
    response = client.get(httpserver.url_for("/notice"), intranet=True)
    assert response.status == 200
    assert response.body.decode("utf-8") == "关于开展2024年度纳税信用评价的通知"
    assert response.url == httpserver.url_for("/notice")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert client.requests_made() == 1


def test_custom_headers_and_user_agent_are_sent(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/api", headers={"X-Token": "abc"}).respond_with_json({"ok": 1})
    client.get(httpserver.url_for("/api"), headers={"X-Token": "abc"}, intranet=True)
    request = httpserver.log[0][0]
    assert "yuqing" in request.headers["User-Agent"]
    assert request.headers["X-Token"] == "abc"


def test_etag_and_last_modified_become_conditional_headers(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/feed").respond_with_data("", status=304)
    response = client.get(
        httpserver.url_for("/feed"), intranet=True, etag='"v7"', last_modified="Mon, 06 May 2024 01:00:00 GMT"
    )
    assert response.not_modified is True
    assert response.body == b""
    request = httpserver.log[0][0]
    assert request.headers["If-None-Match"] == '"v7"'
    assert request.headers["If-Modified-Since"] == "Mon, 06 May 2024 01:00:00 GMT"


@pytest.mark.parametrize(
    ("status", "message"),
    [(404, "HTTP 404（页面不存在）"), (500, "HTTP 500（服务器错误）"), (403, "HTTP 403（禁止访问）")],
)
def test_error_statuses_raise_fetch_error_with_chinese_message(
    httpserver: HTTPServer, client: HttpClient, status: int, message: str
) -> None:
    httpserver.expect_request("/x").respond_with_data("error", status=status)
    with pytest.raises(FetchError) as caught:
        client.get(httpserver.url_for("/x"), intranet=True)
    assert str(caught.value) == message
    assert caught.value.status == status


def test_503_carries_retry_after_for_the_scheduler(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/busy").respond_with_data("busy", status=503, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as caught:
        client.get(httpserver.url_for("/busy"), intranet=True)
    assert str(caught.value) == "HTTP 503（服务器错误）"
    assert caught.value.retry_after == 120


def test_read_timeout_raises_fetch_error(httpserver: HTTPServer) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(0.4)
        return Response("太慢了", content_type="text/plain")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with make_client(read_timeout=0.15) as fast_client:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fast_client.get(httpserver.url_for("/slow"), intranet=True)
        elapsed = time.monotonic() - started
    assert str(caught.value) == "读取超时（0.15 秒）"
    assert elapsed < 0.5
    _wait_for_log(httpserver, 1)  # let the sleeping handler finish so it does not leak into the next test


def _wait_for_log(httpserver: HTTPServer, count: int) -> None:
    deadline = time.monotonic() + 2
    while len(httpserver.log) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_redirects_are_followed_and_final_url_reported(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/mid"})
    httpserver.expect_request("/mid").respond_with_data("", status=302, headers={"Location": "new?x=1"})
    httpserver.expect_request("/new").respond_with_data("到了", content_type="text/plain; charset=utf-8")
    response = client.get(httpserver.url_for("/old"), intranet=True)
    assert response.body.decode() == "到了"
    assert response.url == httpserver.url_for("/new?x=1")
    assert response.redirects == [httpserver.url_for("/old"), httpserver.url_for("/mid")]
    assert len(httpserver.log) == 3


def test_redirect_chain_longer_than_the_cap_fails(httpserver: HTTPServer) -> None:
    for hop in range(4):
        httpserver.expect_request(f"/r{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/r{hop + 1}"}
        )
    httpserver.expect_request("/r4").respond_with_data("终点", content_type="text/plain; charset=utf-8")
    with make_client(max_redirects=4) as exact:
        assert exact.get(httpserver.url_for("/r0"), intranet=True).body.decode() == "终点"
    httpserver.clear_log()
    with make_client(max_redirects=3) as short, pytest.raises(FetchError) as caught:
        short.get(httpserver.url_for("/r0"), intranet=True)
    assert str(caught.value) == "重定向次数超过 3 次"
    assert len(httpserver.log) == 4


def test_redirect_loop_is_detected(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=307, headers={"Location": "/a"})
    with pytest.raises(FetchError) as caught:
        client.get(httpserver.url_for("/a"), intranet=True)
    assert str(caught.value) == f"重定向循环：{httpserver.url_for('/a')}"
    assert len(httpserver.log) == 2


def test_oversized_body_with_content_length_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data("税" * 2000, content_type="text/plain")
    with make_client(max_bytes=1024) as small, pytest.raises(FetchError) as caught:
        small.get(httpserver.url_for("/big"), intranet=True)
    assert str(caught.value) == "响应体超过 1 KB 上限"


def test_oversized_streamed_body_stops_at_the_cap(httpserver: HTTPServer) -> None:
    sent: list[int] = []

    def endless(_request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            for index in range(10_000):  # 40 MB if nobody stopped reading
                sent.append(index)
                yield b"x" * 4096

        return Response(chunks(), content_type="text/html")  # no Content-Length: chunked

    httpserver.expect_request("/stream").respond_with_handler(endless)
    with make_client(max_bytes=10_000) as small, pytest.raises(FetchError) as caught:
        small.get(httpserver.url_for("/stream"), intranet=True)
    assert str(caught.value) == "响应体超过 10000 字节 上限"
    _wait_for_log(httpserver, 1)
    assert len(sent) < 10_000  # the client hung up long before the end


@pytest.mark.parametrize(
    "content_type", ["image/png", "application/octet-stream", "video/mp4", "application/zip"]
)
def test_binary_content_types_are_refused(
    httpserver: HTTPServer, client: HttpClient, content_type: str
) -> None:
    httpserver.expect_request("/file").respond_with_data(b"\x89PNG\r\n\x1a\n", content_type=content_type)
    with pytest.raises(FetchError) as caught:
        client.get(httpserver.url_for("/file"), intranet=True)
    assert str(caught.value) == f"不是文本内容（{content_type}）"


def test_text_like_types_are_accepted() -> None:
    accepted = [
        "text/html; charset=gbk",
        "application/rss+xml",
        "application/atom+xml",
        "application/json",
        "",
    ]
    assert all(is_text_type(value) for value in accepted)
    assert not any(is_text_type(value) for value in ["image/jpeg", "application/pdf", "audio/mpeg"])


def test_connection_refused_is_a_fetch_error(client: HttpClient) -> None:
    with pytest.raises(FetchError) as caught:
        client.get("http://127.0.0.1:9/nothing", intranet=True)
    assert str(caught.value) == "连接失败：127.0.0.1"


def test_truncated_body_is_a_fetch_error(httpserver: HTTPServer, client: HttpClient) -> None:
    def truncated(_request: Request) -> Response:
        # An iterable body keeps werkzeug from correcting the declared length.
        return Response(iter([b"<rss>"]), headers={"Content-Length": "5000"}, content_type="application/xml")

    httpserver.expect_request("/cut").respond_with_handler(truncated)
    with pytest.raises(FetchError) as caught:
        client.get(httpserver.url_for("/cut"), intranet=True)
    assert str(caught.value) == "连接被服务器中断，响应不完整"


def test_status_message_labels() -> None:
    assert status_message(429) == "HTTP 429（请求过于频繁）"
    assert status_message(418) == "HTTP 418（请求被拒绝）"
    assert status_message(502) == "HTTP 502（服务器错误）"


def test_requests_to_one_host_are_spaced_by_the_interval(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p").respond_with_data("ok", content_type="text/plain")
    limiter = HostRateLimiter()
    with (
        make_client(min_host_interval=0.2, limiter=limiter) as first,
        make_client(min_host_interval=0.2, limiter=limiter) as second,
    ):
        started = time.monotonic()
        first.get(httpserver.url_for("/p"), intranet=True)
        second.get(httpserver.url_for("/p"), intranet=True)  # another client, same process-wide limiter
        first.get(httpserver.url_for("/p"), intranet=True)
        elapsed = time.monotonic() - started
    assert 0.4 <= elapsed < 1.0
    arrivals = [entry[0].environ.get("REQUEST_URI") for entry in httpserver.log]
    assert len(arrivals) == 3


def test_rate_limiter_waits_per_host_only() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = HostRateLimiter(clock=lambda: now[0], sleep=sleep)
    assert limiter.wait("a.example.cn", 1.0) == 0
    assert limiter.wait("b.example.cn", 1.0) == 0
    assert limiter.wait("a.example.cn", 1.0) == pytest.approx(1.0)
    now[0] += 5
    assert limiter.wait("a.example.cn", 1.0) == 0
    assert slept == [pytest.approx(1.0)]


def test_default_limiter_is_shared_by_clients() -> None:
    assert HttpClient()._limiter is HttpClient()._limiter is http_module.DEFAULT_LIMITER


def test_non_intranet_request_to_loopback_is_blocked_before_sending(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/feed").respond_with_data("x", content_type="text/plain")
    with pytest.raises(BlockedURLError) as caught:
        client.get(httpserver.url_for("/feed"))
    assert "内网或本机地址" in str(caught.value)
    assert len(httpserver.log) == 0


def test_redirect_to_file_scheme_is_blocked_even_for_intranet(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    with pytest.raises(BlockedURLError) as caught:
        client.get(httpserver.url_for("/go"), intranet=True)
    assert str(caught.value) == "地址被拒绝：只允许 http/https，不允许 file：file:///etc/passwd"


def test_every_redirect_hop_is_checked_against_the_address_rules(
    httpserver: HTTPServer, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend 127.0.0.1 is a public address, so the first hop is allowed and only the hop is judged.
    from yuqing.sources.fetchers import guard

    real = guard.is_forbidden_address
    monkeypatch.setattr(guard, "is_forbidden_address", lambda ip: str(ip) != "127.0.0.1" and real(ip))
    port = httpserver.port
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": f"http://10.0.0.8:{port}/admin"}
    )
    with pytest.raises(BlockedURLError) as caught:
        client.get(f"http://127.0.0.1:{port}/start")
    assert "10.0.0.8" in str(caught.value)
    assert len(httpserver.log) == 1


def test_connection_layer_refuses_private_addresses_even_if_precheck_is_bypassed(
    httpserver: HTTPServer, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: the pre-check saw a public address, the connection resolves to loopback.
    monkeypatch.setattr(http_module, "check_url", lambda url, intranet: None)
    httpserver.expect_request("/secret").respond_with_data("机密", content_type="text/plain")
    with pytest.raises(BlockedURLError):
        client.get(f"http://127.0.0.1:{httpserver.port}/secret")
    assert len(httpserver.log) == 0
