"""JSON API sources: items_path, field mapping, per-item validation as warnings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer

from yuqing.sources.fetchers.base import FetchError, FetchState, SourceSpec, fetch
from yuqing.sources.fetchers.http import HttpClient
from yuqing.sources.fetchers.jsonapi import MISSING, get_path, load_json
from yuqing.sources.tests.fixtures import load, make_client

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIELDS = {
    "url": "link",
    "title": "title",
    "content": "body",
    "published_at": "ctime",
    "author": "user.name",
    "reposts": "stats.forward",
    "comments": "stats.reply",
    "media_type": "platform",
}


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with make_client() as c:
        yield c


def api_spec(url: str, **options: object) -> SourceSpec:
    return SourceSpec(
        kind="jsonapi",
        url=url,
        intranet=True,
        options={"items_path": "data.list", "fields": FIELDS, **options},
    )


def test_items_are_mapped_and_bad_ones_become_warnings(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/api/posts").respond_with_data(
        load("api.json"), content_type="application/json"
    )
    result = fetch(api_spec(httpserver.url_for("/api/posts"), source="财税论坛"), FetchState(), client=client)
    assert result.status == "ok"
    assert result.requests == 1
    assert len(result.entries) == 2
    first, second = result.entries
    assert first.url == "https://bbs.example.cn/t/1001"
    assert first.title == "办税大厅排队三小时，发票还没开出来"
    assert first.content == "今天上午九点到办税服务厅，\n排队到十二点还没轮到。"
    assert first.html == "<p>今天上午九点到办税服务厅，<br>排队到十二点还没轮到。</p>"
    assert first.published_at == datetime(2024, 5, 1, 2, 20, tzinfo=UTC)
    assert first.author == "纳税人小王"
    assert first.engagement == {"reposts": 12000, "comments": 35}
    assert first.media_type == "forum"
    assert first.source_name == "财税论坛"
    assert first.raw["user"] == {"name": "纳税人小王"}
    # Relative URL resolved against the API; the empty title is derived from the content.
    assert second.url == httpserver.url_for("/t/1002")
    assert second.title == "听说今年个税汇算退税比去年快，有没有人已经到账了？"
    assert second.published_at == datetime(2024, 5, 1, 10, 30, tzinfo=SHANGHAI)
    assert second.engagement == {"reposts": 0, "comments": 12}
    assert result.warnings == [
        "第 3 条：链接(url)：缺少必填字段",
        "第 4 条：发布时间(published_at)：无法解析的时间：上个月某天",
        "第 5 条不是对象，已跳过",
    ]


def test_same_json_twice_is_unchanged(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/api").respond_with_data(load("api.json"), content_type="application/json")
    spec = api_spec(httpserver.url_for("/api"))
    first = fetch(spec, FetchState(), client=client)
    second = fetch(spec, first.state, client=client)
    assert (second.status, second.entries, second.requests) == ("unchanged", [], 1)


def test_gbk_json_is_decoded(httpserver: HTTPServer, client: HttpClient) -> None:
    document = {
        "items": [
            {
                "url": "https://a.example.cn/1",
                "title": "出口退税办理提速",
                "content": "平均办理时间压缩至3个工作日。",
            }
        ]
    }
    httpserver.expect_request("/gbk").respond_with_data(
        json.dumps(document, ensure_ascii=False).encode("gbk"), content_type="application/json"
    )
    result = fetch(
        api_spec(httpserver.url_for("/gbk"), items_path="items", fields={}), FetchState(), client=client
    )
    assert [(e.title, e.content) for e in result.entries] == [
        ("出口退税办理提速", "平均办理时间压缩至3个工作日。")
    ]


def test_missing_items_path_is_a_fetch_error(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/api").respond_with_json({"code": 500, "msg": "系统繁忙"})
    with pytest.raises(FetchError) as caught:
        fetch(api_spec(httpserver.url_for("/api")), FetchState(), client=client)
    assert str(caught.value) == "接口返回中找不到条目列表（items_path：data.list）"


def test_items_path_to_a_non_list_is_a_fetch_error(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/api").respond_with_json({"data": {"list": {"a": 1}}})
    with pytest.raises(FetchError) as caught:
        fetch(api_spec(httpserver.url_for("/api")), FetchState(), client=client)
    assert str(caught.value) == "items_path 指向的不是列表（data.list：dict）"


def test_invalid_json_is_a_fetch_error(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/api").respond_with_data('{"data": [1, 2', content_type="application/json")
    with pytest.raises(FetchError) as caught:
        fetch(api_spec(httpserver.url_for("/api")), FetchState(), client=client)
    assert str(caught.value).startswith("接口返回的不是有效 JSON（第 1 行")


def test_jsonp_is_unwrapped() -> None:
    assert load_json('jsonp_cb_123({"data": {"list": []}});') == {"data": {"list": []}}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("data.list.0.title", "甲"),
        ("data.list[1].title", "乙"),
        ("data.list.-1.title", "乙"),
        ("data.x.y", None),
    ],
)
def test_dotted_paths_follow_keys_and_indexes(path: str, expected: object) -> None:
    document = {"data": {"list": [{"title": "甲"}, {"title": "乙"}]}}
    value = get_path(document, path)
    assert (None if value is MISSING else value) == expected
    assert get_path(document, "") is document


def test_root_list_with_items_path_empty(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/api").respond_with_json(
        [
            {
                "链接": "https://a.example.cn/2",
                "标题": "发票红冲流程优化",
                "正文": "数电发票红冲可在线完成。",
                "发布时间": "2024年5月8日 10:00",
            }
        ]
    )
    result = fetch(
        api_spec(httpserver.url_for("/api"), items_path="", fields={}), FetchState(), client=client
    )
    assert [(e.url, e.published_at) for e in result.entries] == [
        ("https://a.example.cn/2", datetime(2024, 5, 8, 10, 0, tzinfo=SHANGHAI))
    ]
