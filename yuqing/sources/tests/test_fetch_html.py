"""HTML list pages + article extraction over loopback HTTP, with robots.txt and is_known."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer

from yuqing.sources.fetchers.base import FetchError, FetchState, SourceSpec, fetch
from yuqing.sources.fetchers.html import extract_links
from yuqing.sources.fetchers.http import HttpClient
from yuqing.sources.fetchers.robots import ROBOTS_CACHE
from yuqing.sources.tests.fixtures import load, make_client

SHANGHAI = ZoneInfo("Asia/Shanghai")
HTML = "text/html; charset=utf-8"
ROBOTS = "User-agent: *\nDisallow: /private/\n"


@pytest.fixture(autouse=True)
def fresh_robots_cache() -> Iterator[None]:
    ROBOTS_CACHE.clear()  # the test server keeps one port for the session; cached verdicts would leak
    yield
    ROBOTS_CACHE.clear()


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with make_client() as c:
        yield c


def serve_site(httpserver: HTTPServer, robots: str | None = ROBOTS) -> None:
    if robots is not None:
        httpserver.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    httpserver.expect_request("/news/").respond_with_data(load("list.html"), content_type=HTML)
    httpserver.expect_request("/news/2024/0321/a1.html").respond_with_data(
        load("article_a1.html"), content_type=HTML
    )
    # GBK bytes, a header claiming UTF-8 and no meta charset: a real-world lie.
    httpserver.expect_request("/news/a2.html").respond_with_data(
        load("article_a2.html").encode("gbk"), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/news/a3.html").respond_with_data("已删除", status=404)
    httpserver.expect_request("/news/a4.html").respond_with_data(
        load("article_empty.html"), content_type=HTML
    )


def list_spec(httpserver: HTTPServer, **options: object) -> SourceSpec:
    return SourceSpec(
        kind="html",
        url=httpserver.url_for("/news/"),
        intranet=True,
        options={"link_selector": "ul.news-list li a", **options},
    )


def requested_paths(httpserver: HTTPServer) -> list[str]:
    return [request.path for request, _response in httpserver.log]


def test_list_and_articles_skip_known_ones_and_report_failures(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    serve_site(httpserver)
    known = {httpserver.url_for("/news/2024/0321/a1.html")}
    asked: list[str] = []

    def is_known(url: str) -> bool:
        asked.append(url)
        return url in known

    result = fetch(list_spec(httpserver), FetchState(), client=client, is_known=is_known)
    assert result.status == "ok"
    assert requested_paths(httpserver) == [
        "/robots.txt",
        "/news/",
        "/news/a2.html",
        "/news/a3.html",
        "/news/a4.html",
    ]
    assert result.requests == 5
    # Deduplicated (the #comments link), javascript: dropped, nav/footer links not followed.
    assert asked == [
        httpserver.url_for("/news/2024/0321/a1.html"),
        httpserver.url_for("/news/a2.html"),
        httpserver.url_for("/news/a3.html"),
        httpserver.url_for("/news/a4.html"),
        httpserver.url_for("/private/internal.html"),
    ]
    assert len(result.entries) == 1
    article = result.entries[0]
    assert article.url == httpserver.url_for("/news/a2.html")
    assert article.title == "纳税人反映发票邮寄服务延误 税务局回应"
    assert article.content.startswith("近日，有纳税人在网络平台反映，申领的增值税专用发票通过邮寄方式配送")
    assert "数电发票" in article.content
    assert article.author == "张志强"
    assert article.published_at == datetime(2024, 3, 20, 16, 45, tzinfo=SHANGHAI)
    assert result.warnings == [
        f"文章抓取失败：{httpserver.url_for('/news/a3.html')}：HTTP 404（页面不存在）",
        f"未能提取正文：{httpserver.url_for('/news/a4.html')}",
        f"robots.txt 不允许抓取，已跳过：{httpserver.url_for('/private/internal.html')}",
    ]


def test_articles_carry_title_date_and_text(httpserver: HTTPServer, client: HttpClient) -> None:
    serve_site(httpserver)
    result = fetch(list_spec(httpserver), FetchState(), client=client)
    first = result.entries[0]
    assert first.url == httpserver.url_for("/news/2024/0321/a1.html")
    assert first.title == "个税汇算进入高峰期 税务部门提醒预约办理"
    assert first.published_at == datetime(2024, 3, 21, 9, 30, tzinfo=SHANGHAI)
    assert first.content.split("\n")[0] == (
        "记者从国家税务总局铁门关市税务局获悉，2023年度个人所得税综合所得汇算清缴自3月1日开始以来，已有超过12万名纳税人完成申报。"
    )
    assert "版权所有" not in first.content and "首页" not in first.content
    assert first.raw["final_url"] == first.url
    assert [e.title for e in result.entries] == [
        "个税汇算进入高峰期 税务部门提醒预约办理",
        "纳税人反映发票邮寄服务延误 税务局回应",
    ]


def test_max_articles_caps_downloads_per_poll(httpserver: HTTPServer, client: HttpClient) -> None:
    serve_site(httpserver)
    result = fetch(list_spec(httpserver, max_articles=1), FetchState(), client=client)
    assert requested_paths(httpserver) == ["/robots.txt", "/news/", "/news/2024/0321/a1.html"]
    assert len(result.entries) == 1


def test_robots_txt_disallowing_the_list_page_is_a_fetch_error(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    serve_site(httpserver, robots="User-agent: yuqing\nDisallow: /news/\n\nUser-agent: *\nAllow: /\n")
    with pytest.raises(FetchError) as caught:
        fetch(list_spec(httpserver), FetchState(), client=client)
    assert str(caught.value) == "robots.txt 不允许抓取该列表页"
    assert requested_paths(httpserver) == ["/robots.txt"]


def test_robots_txt_server_error_disallows_everything(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("维护中", status=503)
    serve_site(httpserver, robots=None)
    with pytest.raises(FetchError):
        fetch(list_spec(httpserver), FetchState(), client=client)
    assert requested_paths(httpserver) == ["/robots.txt"]


def test_missing_robots_txt_allows_everything_and_is_cached(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("not found", status=404)
    serve_site(httpserver, robots=None)
    fetch(list_spec(httpserver, max_articles=1), FetchState(), client=client)
    fetch(list_spec(httpserver, max_articles=1), FetchState(), client=client)
    assert requested_paths(httpserver).count("/robots.txt") == 1
    assert "/private/internal.html" not in requested_paths(httpserver)


def test_robots_txt_is_not_consulted_when_the_source_opts_out(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    serve_site(httpserver)
    httpserver.expect_request("/private/internal.html").respond_with_data(
        load("article_a1.html"), content_type=HTML
    )
    spec = list_spec(httpserver)
    spec.respect_robots = False
    result = fetch(spec, FetchState(), client=client)
    assert "/robots.txt" not in requested_paths(httpserver)
    assert "/private/internal.html" in requested_paths(httpserver)
    assert len(result.entries) == 3


def test_list_page_failure_is_a_fetch_error(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/news/").respond_with_data("oops", status=500)
    with pytest.raises(FetchError) as caught:
        fetch(list_spec(httpserver), FetchState(), client=client)
    assert str(caught.value) == "HTTP 500（服务器错误）"


def test_selector_matching_nothing_signals_a_redesign(httpserver: HTTPServer, client: HttpClient) -> None:
    serve_site(httpserver)
    with pytest.raises(FetchError) as caught:
        fetch(list_spec(httpserver, link_selector="div.no-such-list a"), FetchState(), client=client)
    assert str(caught.value) == "链接选择器没有匹配到任何文章链接，网页结构可能已改版"


def test_invalid_or_missing_selector_is_a_fetch_error(httpserver: HTTPServer, client: HttpClient) -> None:
    serve_site(httpserver)
    with pytest.raises(FetchError) as caught:
        fetch(list_spec(httpserver, link_selector="ul[[["), FetchState(), client=client)
    assert str(caught.value).startswith("链接选择器无效：ul[[[")
    spec = list_spec(httpserver)
    spec.options = {}
    with pytest.raises(FetchError) as missing:
        fetch(spec, FetchState(), client=client)
    assert str(missing.value) == "网页列表源未配置链接选择器（link_selector）"


def test_unchanged_list_page_answers_304_without_following_links(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/news/", headers={"If-None-Match": '"list-1"'}).respond_with_data(
        "", status=304
    )
    result = fetch(list_spec(httpserver), FetchState(etag='"list-1"'), client=client)
    assert (result.status, result.entries, result.requests) == ("not_modified", [], 2)


def test_links_from_non_anchor_matches_and_base_href() -> None:
    page = """<html><head><base href="https://www.example.cn/zxgk/"></head><body>
    <div class="item"><h3><a href="2024/05/t1.html">个税</a></h3></div>
    <div class="item"><span>无链接</span></div>
    <div class="item"><a href="https://other.example.cn/x.html#p2">外站</a></div>
    <div class="item"><a href="mailto:tax@example.cn">邮件</a></div></body></html>"""
    assert extract_links(page, "https://www.example.cn/index.html", "div.item") == [
        "https://www.example.cn/zxgk/2024/05/t1.html",
        "https://other.example.cn/x.html",
    ]


def test_link_to_a_forbidden_address_costs_one_article_not_the_poll(
    httpserver: HTTPServer, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from yuqing.sources.fetchers import guard

    real = guard.is_forbidden_address
    monkeypatch.setattr(guard, "is_forbidden_address", lambda ip: str(ip) != "127.0.0.1" and real(ip))
    base = f"http://127.0.0.1:{httpserver.port}"
    page = f'<ul class="news-list"><li><a href="http://10.0.0.9/admin.html">内网</a></li><li><a href="{base}/news/2024/0321/a1.html">个税</a></li></ul>'  # noqa: E501
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/news/").respond_with_data(page, content_type=HTML)
    httpserver.expect_request("/news/2024/0321/a1.html").respond_with_data(
        load("article_a1.html"), content_type=HTML
    )
    spec = SourceSpec(kind="html", url=f"{base}/news/", options={"link_selector": "ul.news-list a"})
    result = fetch(spec, FetchState(), client=client)
    assert [e.url for e in result.entries] == [f"{base}/news/2024/0321/a1.html"]
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("文章抓取失败：http://10.0.0.9/admin.html：地址被拒绝：10.0.0.9")
