from __future__ import annotations

import json

import pytest
from django.test import Client

from yuqing.items.models import Item
from yuqing.sources.models import Source

pytestmark = pytest.mark.django_db


def record(n: int, **kw):
    values = {
        "url": f"https://weibo.example.cn/status/{n}",
        "title": f"网友吐槽铁门关办税服务厅排队 #{n}",
        "content": f"今天去办税服务厅办理发票业务，排队两个小时还没轮到（第{n}条）。",
        "published_at": "2026-11-20T09:30:00+08:00",
        "source": "微博推送",
        "media_type": "weibo",
        "reposts": n,
    }
    values.update(kw)
    return values


def post(client: Client, payload, **headers):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post("/api/v1/ingest", data=body, content_type="application/json", **headers)


def test_health_needs_no_token():
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ingest_without_token_is_refused():
    assert post(Client(), [record(1)]).status_code == 401


def test_ingest_with_revoked_token_is_refused(api, api_token):
    from yuqing.org.models import ApiToken

    ApiToken.objects.update(revoked=True)
    assert post(api, [record(1)]).status_code == 401


def test_ingest_stores_items_and_answers_202_with_status_per_item(api):
    response = post(api, [record(1), record(2)])
    assert response.status_code == 202
    body = response.json()
    assert (body["created"], body["duplicates"], body["rejected"]) == (2, 0, 0)
    assert [i["status"] for i in body["items"]] == ["created", "created"]
    assert Item.objects.count() == 2
    item = Item.objects.get(url="https://weibo.example.cn/status/1")
    assert (item.source.kind, item.source.push_user.username) == ("webhook", "clerk")
    assert (item.origin, item.source_name, item.media_type) == ("微博推送", "微博推送", "weibo")
    assert not Source.objects.filter(name="微博推送").exists()


def test_repush_is_idempotent(api):
    post(api, [record(1)])
    response = post(api, [record(1, reposts=99)])
    assert response.status_code == 202
    assert response.json()["items"][0]["status"] == "updated"
    assert Item.objects.count() == 1
    assert Item.objects.get().reposts == 99


def test_invalid_items_are_named_by_index_and_field_while_valid_ones_are_stored(api):
    payload = [
        record(1),
        {"url": "https://weibo.example.cn/status/2", "content": "缺标题", "title": ""},
        record(3, published_at="上周二下午"),
        "not an object",
        record(5, url="ftp://weibo.example.cn/5"),
    ]
    response = post(api, payload)
    assert response.status_code == 422
    items = response.json()["items"]
    assert items[0]["status"] == "created"
    assert items[1]["status"] == "rejected" and items[1]["errors"][0]["field"] == "title"
    assert items[2]["status"] == "rejected" and items[2]["errors"][0]["field"] == "published_at"
    assert items[3]["status"] == "rejected"
    assert items[4]["status"] == "rejected" and items[4]["errors"][0]["field"] == "url"
    assert Item.objects.count() == 1


def test_invalid_json_is_a_400_naming_the_problem(api):
    response = post(api, b"[{not json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_an_object_instead_of_a_list_is_a_400(api):
    response = post(api, {"url": "https://a.example.cn"})
    assert response.status_code == 400


def test_more_than_1000_items_is_refused(api):
    response = post(api, [record(i) for i in range(1001)])
    assert response.status_code == 413
    assert "1000" in response.json()["detail"]
    assert Item.objects.count() == 0


def test_body_over_10_mb_is_refused(api):
    big = [record(1, content="税" * (11 * 1024 * 1024 // 3))]
    response = post(api, big)
    assert response.status_code == 413
    assert Item.objects.count() == 0


def test_items_endpoint_searches_and_pages(api):
    post(api, [record(i) for i in range(1, 61)])
    post(api, [record(100, title="篮球比赛开幕", content="二十二团篮球赛", url="https://weibo.example.cn/b")])
    response = api.get("/api/v1/items", {"q": "排队"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 60
    assert len(body["items"]) == 50
    assert api.get("/api/v1/items", {"q": "排队", "page": 2}).json()["items"][-1]["title"].endswith("#1")
    assert api.get("/api/v1/items", {"q": "篮球"}).json()["count"] == 1
    assert api.get("/api/v1/items", {"media_type": "news_site"}).json()["count"] == 0


def test_items_endpoint_rejects_bad_dates_with_422(api):
    response = api.get("/api/v1/items", {"since": "昨天"})
    assert response.status_code == 422


def test_openapi_document_lists_the_endpoints(api):
    spec = api.get("/api/v1/openapi.json").json()
    assert {"/api/v1/health", "/api/v1/ingest", "/api/v1/items"} <= set(spec["paths"])


def test_api_search_applies_the_tax_synonyms(api):
    assert post(api, [record(1, title="个人所得税APP升级", content="新版本上线。")]).status_code == 202
    assert post(api, [record(2, title="个税汇算", content="开始预约。")]).status_code == 202
    body = api.get("/api/v1/items", {"q": "个税"}).json()
    assert {i["title"] for i in body["items"]} == {"个人所得税APP升级", "个税汇算"}
    assert body["expansions"] == ["个人所得税"]
    body = api.get("/api/v1/items", {"q": "个人所得税"}).json()
    assert {i["title"] for i in body["items"]} == {"个人所得税APP升级", "个税汇算"}
    assert api.get("/api/v1/items", {"q": "排队"}).json()["expansions"] == []
