"""RSS/Atom/RDF polling over loopback HTTP, through the public ``fetch`` door."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from yuqing.sources.fetchers.base import FetchError, FetchState, SourceSpec, fetch
from yuqing.sources.fetchers.http import HttpClient
from yuqing.sources.tests.fixtures import load, make_client

SHANGHAI = ZoneInfo("Asia/Shanghai")
RSS_TYPE = "application/rss+xml; charset=utf-8"


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with make_client() as c:
        yield c


def spec_for(url: str) -> SourceSpec:
    return SourceSpec(kind="rss", url=url, intranet=True, media_type="news_site")


def legacy_feed(title: str, description: str, encoding: str) -> bytes:
    channel = "地方稅務新聞" if encoding == "big5" else "地方税务新闻"
    text = (
        load("feed_legacy.xml")
        .replace("ENCODING", encoding)
        .replace("CHANNEL", channel)
        .replace("TITLE", title)
    )
    return text.replace("DESCRIPTION", description).encode("big5hkscs" if encoding == "big5" else "gb18030")


def test_rss2_entries_are_mapped_to_raw_entries(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/tax/rss.xml").respond_with_data(load("rss2.xml"), content_type=RSS_TYPE)
    result = fetch(spec_for(httpserver.url_for("/tax/rss.xml")), FetchState(), client=client)
    assert result.status == "ok"
    assert result.requests == 1
    assert result.warnings == []
    assert [e.title for e in result.entries] == [
        "2023年度个税汇算3月1日开始 这些情形可免于办理",
        "网友反映：开具增值税专用发票排队时间过长",
        "税务部门严厉打击虚开发票违法行为",
    ]
    first, second, third = result.entries
    assert first.url == "https://news.example.cn/tax/2024/0301/001.html"
    assert first.content == (
        "国家税务总局铁门关市税务局提醒，2023年度个人所得税综合所得汇算清缴自3月1日开始，至6月30日结束。\n"
        "年收入不超过12万元且需要补税的，或者补税金额不超过400元的纳税人，依法免于办理汇算。"
    )
    assert first.html.startswith("<p>国家税务总局")
    assert "<script" not in first.html and "<img" not in first.html and "track()" not in first.html
    assert first.published_at == datetime(2024, 3, 1, 8, 30, tzinfo=SHANGHAI)
    assert first.author == "李文静"
    assert first.engagement == {"comments": 17}
    assert first.raw["id"] == "tax-2024-0301-001"
    assert first.raw["feed_title"] == "铁门关税务 · 要闻"
    # A relative link is resolved against the feed URL; a naive date is Beijing time.
    assert second.url == httpserver.url_for("/tax/2024/0305/002.html")
    assert second.published_at == datetime(2024, 3, 5, 14, 20, tzinfo=SHANGHAI)
    assert second.content == "有网友在论坛发帖称，在办税服务厅开具增值税专用发票排队超过两小时。"
    assert third.published_at is None


def test_atom_entries_use_published_then_updated(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/atom").respond_with_data(
        load("atom.xml"), content_type="application/atom+xml"
    )
    result = fetch(spec_for(httpserver.url_for("/atom")), FetchState(), client=client)
    assert [e.url for e in result.entries] == [
        "https://service.example.cn/notice/2024/0402.html",
        "https://service.example.cn/qa/2024/0328.html",
    ]
    notice, qa = result.entries
    assert notice.content == "即日起，纳税人可通过电子税务局一次查验最多500张发票。"
    assert notice.author == "纳税服务科"
    assert notice.published_at == datetime(2024, 4, 2, 9, 15, tzinfo=SHANGHAI)
    assert qa.published_at is not None
    assert qa.published_at.astimezone(SHANGHAI) == datetime(2024, 3, 29, 0, 40, tzinfo=SHANGHAI)
    assert qa.content == "月销售额10万元以下的小规模纳税人免征增值税。"


def test_rdf_feed_is_read(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/rdf").respond_with_data(load("rdf.xml"), content_type="application/rdf+xml")
    result = fetch(spec_for(httpserver.url_for("/rdf")), FetchState(), client=client)
    assert len(result.entries) == 1
    entry = result.entries[0]
    assert entry.url == "https://forum.example.cn/thread/8801"
    assert entry.title == "求助：房屋出租的增值税怎么申报？"
    assert entry.author == "纳税人小王"
    assert entry.published_at == datetime(2024, 5, 6, 21, 3, tzinfo=SHANGHAI)


def test_gbk_feed_whose_header_claims_utf8_decodes(httpserver: HTTPServer, client: HttpClient) -> None:
    body = legacy_feed(
        "关于进一步加强增值税发票管理的通知", "各纳税人：现将发票管理有关事项通知如下。", "gb2312"
    )
    httpserver.expect_request("/gbk.xml").respond_with_data(
        body, content_type="application/xml; charset=utf-8"
    )
    result = fetch(spec_for(httpserver.url_for("/gbk.xml")), FetchState(), client=client)
    assert result.warnings == []
    assert [(e.title, e.content) for e in result.entries] == [
        ("关于进一步加强增值税发票管理的通知", "各纳税人：现将发票管理有关事项通知如下。")
    ]


def test_big5_feed_decodes(httpserver: HTTPServer, client: HttpClient) -> None:
    body = legacy_feed("綜合所得稅申報延長至六月", "國稅局宣布，今年綜合所得稅申報期限延長。", "big5")
    httpserver.expect_request("/big5.xml").respond_with_data(body, content_type="text/xml")
    result = fetch(spec_for(httpserver.url_for("/big5.xml")), FetchState(), client=client)
    assert [(e.title, e.content) for e in result.entries] == [
        ("綜合所得稅申報延長至六月", "國稅局宣布，今年綜合所得稅申報期限延長。")
    ]


def conditional_feed(body: str, *, etag: str = "", last_modified: str = "") -> Callable[[Request], Response]:
    def handler(request: Request) -> Response:
        if etag and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        if last_modified and request.headers.get("If-Modified-Since") == last_modified:
            return Response(status=304)
        headers = {"ETag": etag} if etag else {"Last-Modified": last_modified}
        return Response(body, content_type=RSS_TYPE, headers=headers)

    return handler


def test_unchanged_feed_with_etag_costs_one_request_and_no_parsing(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/feed").respond_with_handler(conditional_feed(load("rss2.xml"), etag='"v42"'))
    spec = spec_for(httpserver.url_for("/feed"))
    first = fetch(spec, FetchState(), client=client)
    assert first.status == "ok"
    assert first.state.etag == '"v42"'
    second = fetch(spec, first.state, client=client)
    assert second.status == "not_modified"
    assert second.entries == []
    assert second.requests == 1
    assert second.state.etag == '"v42"'
    assert second.state.content_hash == first.state.content_hash
    assert len(httpserver.log) == 2
    assert httpserver.log[1][0].headers["If-None-Match"] == '"v42"'


def test_unchanged_feed_with_last_modified_gets_304(httpserver: HTTPServer, client: HttpClient) -> None:
    stamp = "Mon, 06 May 2024 01:00:00 GMT"
    httpserver.expect_request("/feed").respond_with_handler(
        conditional_feed(load("atom.xml"), last_modified=stamp)
    )
    spec = spec_for(httpserver.url_for("/feed"))
    first = fetch(spec, FetchState(), client=client)
    assert first.state.last_modified == stamp
    second = fetch(spec, first.state, client=client)
    assert (second.status, second.requests, len(httpserver.log)) == ("not_modified", 1, 2)
    assert second.state.last_modified == stamp


def test_same_body_without_validators_is_unchanged_by_hash(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    bodies = [
        load("rss2.xml"),
        load("rss2.xml"),
        load("rss2.xml").replace("税务部门严厉打击", "税务部门持续打击"),
    ]
    httpserver.expect_ordered_request("/feed").respond_with_data(bodies[0], content_type=RSS_TYPE)
    httpserver.expect_ordered_request("/feed").respond_with_data(bodies[1], content_type=RSS_TYPE)
    httpserver.expect_ordered_request("/feed").respond_with_data(bodies[2], content_type=RSS_TYPE)
    spec = spec_for(httpserver.url_for("/feed"))
    first = fetch(spec, FetchState(), client=client)
    second = fetch(spec, first.state, client=client)
    third = fetch(spec, second.state, client=client)
    assert (first.status, second.status, third.status) == ("ok", "unchanged", "ok")
    assert len(first.entries) == 3 and second.entries == [] and len(third.entries) == 3
    assert len(first.state.content_hash) == 64
    assert second.state.content_hash == first.state.content_hash != third.state.content_hash


def test_malformed_xml_without_entries_is_a_fetch_error(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/bad").respond_with_data(
        '<?xml version="1.0"?><rss><channel><title>坏的订阅源</ti', content_type=RSS_TYPE
    )
    with pytest.raises(FetchError) as caught:
        fetch(spec_for(httpserver.url_for("/bad")), FetchState(), client=client)
    assert str(caught.value) == "订阅源解析失败：第 1 行第 64 列：unclosed token"


def test_malformed_xml_with_entries_keeps_them_and_warns(httpserver: HTTPServer, client: HttpClient) -> None:
    broken = load("rss2.xml").replace("</channel>", "<item><title>未闭合 & 非法实体</title></channel>")
    httpserver.expect_request("/broken").respond_with_data(broken, content_type=RSS_TYPE)
    result = fetch(spec_for(httpserver.url_for("/broken")), FetchState(), client=client)
    assert [e.title for e in result.entries][:3] == [
        "2023年度个税汇算3月1日开始 这些情形可免于办理",
        "网友反映：开具增值税专用发票排队时间过长",
        "税务部门严厉打击虚开发票违法行为",
    ]
    assert result.warnings[0].startswith("订阅源格式有误，已尽量解析：")


def test_truncated_feed_with_only_unusable_fragments_is_a_fetch_error(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/cut").respond_with_data(
        "<rss><channel><item><title>半截", content_type="text/xml"
    )
    with pytest.raises(FetchError) as caught:
        fetch(spec_for(httpserver.url_for("/cut")), FetchState(), client=client)
    assert str(caught.value).startswith("订阅源解析失败：第 2 行")


def test_html_page_instead_of_feed_is_a_fetch_error(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/page").respond_with_data(
        "<html><body><p>欢迎访问铁门关市税务局</p></body></html>", content_type="text/html"
    )
    with pytest.raises(FetchError) as caught:
        fetch(spec_for(httpserver.url_for("/page")), FetchState(), client=client)
    assert str(caught.value) == "不是 RSS/Atom 订阅源（可能是网页，请检查地址）"


def test_entry_without_link_or_with_future_date_is_handled(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    feed = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
    <item><title>没有链接的条目</title><description>正文</description></item>
    <item><title>时间写错的条目</title><link>https://a.example.cn/1</link><pubDate>2099-01-01 00:00</pubDate>
    <description>发布时间错成未来</description></item></channel></rss>"""
    httpserver.expect_request("/f").respond_with_data(feed, content_type=RSS_TYPE)
    result = fetch(spec_for(httpserver.url_for("/f")), FetchState(), client=client)
    assert [(e.url, e.published_at) for e in result.entries] == [("https://a.example.cn/1", None)]
    assert result.warnings == [
        "第 1 条（没有链接的条目）：链接(url)：缺少必填字段",
        "「时间写错的条目」发布时间晚于当前时间：2099-01-01 00:00:00+08:00，已忽略该时间",
    ]


def test_empty_feed_body_is_a_fetch_error(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/empty").respond_with_data("  \n", content_type=RSS_TYPE)
    with pytest.raises(FetchError) as caught:
        fetch(spec_for(httpserver.url_for("/empty")), FetchState(), client=client)
    assert str(caught.value) == "订阅源内容为空"


def test_http_errors_surface_as_fetch_errors_through_fetch(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/gone").respond_with_data("not found", status=404)
    with pytest.raises(FetchError) as caught:
        fetch(spec_for(httpserver.url_for("/gone")), FetchState(), client=client)
    assert str(caught.value) == "HTTP 404（页面不存在）"


def test_unknown_kind_is_a_fetch_error(client: HttpClient) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(SourceSpec(kind="webhook", url=""), FetchState(), client=client)
    assert str(caught.value) == "不支持的采集类型：webhook"


@pytest.mark.parametrize(
    ("kind", "body", "content_type"),
    [
        ("rss", bytes(range(256)) * 20, "application/xml"),
        ("rss", b"<!DOCTYPE r [<!ENTITY a 'aa'><!ENTITY b '&a;&a;&a;'>]><rss>&b;</rss>", "text/xml"),
        ("rss", "<rss><channel><item><title>半截".encode("gbk"), "text/xml; charset=utf-8"),
        ("html", b"\x00\x01<html><body><ul><li><a href='http://[::1'>x</a></li></ul>", "text/html"),
        ("html", b"<" * 100_000, "text/html"),
        ("jsonapi", b"[" * 100_000, "application/json"),
        ("jsonapi", b'{"data": {"list": [null, 1, "x", [], {"url": 5}]}}', "application/json"),
    ],
)  # fmt: skip
def test_hostile_bodies_give_fetch_errors_or_warnings_never_crashes(
    httpserver: HTTPServer, client: HttpClient, kind: str, body: bytes, content_type: str
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/x").respond_with_data(body, content_type=content_type)
    spec = SourceSpec(
        kind=kind,
        url=httpserver.url_for("/x"),
        intranet=True,
        options={"link_selector": "li a", "items_path": "data.list"},
    )
    try:
        result = fetch(spec, FetchState(), client=client)
    except FetchError as exc:
        assert str(exc)
    else:
        assert result.status == "ok"
        assert all(entry.url.startswith("http") for entry in result.entries)


def test_unexpected_fetcher_bug_is_wrapped_in_a_fetch_error(
    httpserver: HTTPServer, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from yuqing.sources.fetchers import rss

    def broken(*_args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(rss, "parse_feed", broken)
    httpserver.expect_request("/feed").respond_with_data(load("rss2.xml"), content_type=RSS_TYPE)
    with pytest.raises(FetchError) as caught:
        fetch(spec_for(httpserver.url_for("/feed")), FetchState(), client=client)
    assert str(caught.value) == "采集程序内部错误：KeyError"


def test_namespaced_engagement_counts_are_read() -> None:
    from yuqing.sources.fetchers.rss import parse_feed

    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"'
        ' xmlns:wb="http://example.cn/ns"><channel><title>微博聚合</title>'
        "<item><title>办税服务厅排队</title><link>http://weibo.example.cn/1</link><description>排队两小时</description>"
        "<slash:comments>12</slash:comments><wb:reposts>1.2万</wb:reposts><wb:likes>abc</wb:likes></item>"
        "</channel></rss>"
    ).encode()
    entries, _warnings = parse_feed(body, "application/rss+xml", "http://weibo.example.cn/")
    assert entries[0].engagement == {"comments": 12, "reposts": 12000}
