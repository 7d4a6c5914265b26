"""Pushed items belong to their pusher's push source; the source a record names is only its reported origin.

Issue 9: every new source name pushed created a source row (2,970 in a fuzz run, and the item page's
source filter grew to 194 KB), and an item naming an RSS source was stored under that source.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from yuqing.audit.models import AuditEntry
from yuqing.events.services import cluster_item
from yuqing.items.ingest import ingest_entries
from yuqing.items.models import Item
from yuqing.org import access
from yuqing.org.services import api_token_create
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.fetchers.records import RecordError, parse_count
from yuqing.sources.models import Source, SourceKind
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db


def record(n: int, source: str = "铁门关论坛") -> dict[str, object]:
    return {
        "url": f"https://bbs.example.cn/thread/{n}",
        "title": f"办税服务厅第{n}号窗口排队时间长",
        "content": f"网友反映第{n}号窗口办理发票业务要排两个小时。",
        "source": source,
    }


def push(client: Client, payload: object):
    return client.post("/api/v1/ingest", data=json.dumps(payload), content_type="application/json")


@pytest.fixture
def rss_source() -> Source:
    return Source.objects.create(
        name="铁门关日报", kind=SourceKind.RSS, url="https://news.example.cn/rss", media_type="newspaper"
    )


def test_an_item_naming_an_rss_source_is_stored_under_the_pushers_source_not_the_rss_one(
    api, clerk, rss_source
):
    response = push(api, [record(1, source="铁门关日报")])
    assert response.status_code == 202, response.json()
    item = Item.objects.get()
    assert item.source != rss_source
    assert item.source.push_user == clerk
    assert item.source.kind == SourceKind.WEBHOOK
    assert item.origin == "铁门关日报"
    assert not rss_source.items.exists()


def test_pushing_new_source_names_creates_no_source_rows(api, clerk):
    push(api, [record(1)])
    sources = Source.objects.count()
    response = push(api, [record(n, source=f"新站点{n}") for n in range(2, 40)])
    assert response.status_code == 202
    assert Source.objects.count() == sources
    assert set(Item.objects.values_list("source__push_user", flat=True)) == {clerk.id}


def test_each_user_has_one_push_source_created_and_audited_on_the_first_push(api, clerk):
    other = make_persona("uploader", "采集员", access.OFFICE_MEMBER, department="办公室")
    other_api = Client(headers={"Authorization": f"Bearer {api_token_create(user=other, name='采集')}"})
    push(api, [record(1)])
    push(api, [record(2)])
    push(other_api, [record(3)])
    sources = Source.objects.filter(kind=SourceKind.WEBHOOK).order_by("id")
    assert [(s.name, s.push_user) for s in sources] == [
        ("API 推送（clerk）", clerk),
        ("API 推送（uploader）", other),
    ]
    created = AuditEntry.objects.filter(action="source.create").order_by("seq")
    assert [(e.actor, e.object_id) for e in created] == [
        (clerk, str(sources[0].id)),
        (other, str(sources[1].id)),
    ]


def test_a_push_source_name_taken_by_another_source_gets_the_users_id(api, clerk):
    Source.objects.create(name="API 推送（clerk）", kind=SourceKind.RSS, url="https://x.example.cn/rss")
    push(api, [record(1)])
    assert Item.objects.get().source.name == f"API 推送（clerk）#{clerk.id}"


def test_the_reported_origin_is_what_analysis_clustering_and_the_api_show(api):
    push(api, [record(1, source="人民网")])
    item = Item.objects.select_related("source").get()
    assert item.source_name == "人民网"
    assert cluster_item(item).source == "人民网"
    assert api.get(f"/api/v1/items/{item.id}").json()["origin"] == "人民网"


def test_an_item_without_a_reported_origin_shows_its_source_name(api, clerk):
    payload = record(1)
    del payload["source"]
    push(api, [payload])
    item = Item.objects.get()
    assert (item.origin, item.source_name) == ("", "API 推送（clerk）")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("30亿", 3_000_000_000), (2**31, 2**31), ("1万亿", 10**12), (10**12, 10**12),
     ("999999999999", 10**12 - 1), ("0.5万亿", 5 * 10**11), (1e12, 10**12)],
)  # fmt: skip
def test_counts_up_to_one_trillion_are_exact(value, expected):
    assert parse_count("views", value) == expected


@pytest.mark.parametrize(
    "value",
    [
        10**12 + 1,
        "1000000000001",
        "1.1万亿",
        2**63,
        "9" * 5000,
        1e300,
        float("inf"),
        "15000亿",
        "1" + "0" * 40,
    ],
)
def test_counts_beyond_one_trillion_are_refused_naming_the_field(value):
    with pytest.raises(RecordError) as refused:
        parse_count("views", value)
    assert refused.value.field == "views"
    assert "上限" in refused.value.message


def test_any_door_stores_nul_and_lone_surrogates_cleaned_and_drops_counts_it_cannot_hold():
    """Feeds and exports reach ingest without the push API's checks: what they hand in must still store
    on PostgreSQL (no NUL in text or jsonb) and never fail the batch beside it."""
    source = Source.objects.create(name="测试订阅", kind=SourceKind.RSS, url="https://feed.example.cn/rss")
    odd = RawEntry(
        url="https://feed.example.cn/a/1\x00",
        title="标题\x00\ud800",
        content="正文\x00",
        author="作者\udc00",
        published_at=datetime(2026, 11, 20, tzinfo=UTC),
        source_name="某\x00网站",
        engagement={"views": 2**63, "likes": 7, "reposts": -1},
        raw={"title": "标题\x00", "deep\x00key": [{"x": "\ud800"}], "n": 2**70},
    )
    plain = RawEntry(url="https://feed.example.cn/a/2", title="另一条", content="正文二", published_at=None)
    report = ingest_entries([odd, plain], source=source)
    assert report.created == 2
    item = Item.objects.get(url="https://feed.example.cn/a/1")
    assert (item.title, item.content, item.author, item.origin) == (
        "标题\ufffd",
        "正文",
        "作者\ufffd",
        "某网站",
    )
    assert (item.views, item.likes, item.reposts) == (None, 7, None)
    assert item.raw == {"title": "标题", "deepkey": [{"x": "\ufffd"}], "n": 2**70}


def test_the_item_pages_show_the_reported_origin_and_the_push_source(api, clerk_client):
    push(api, [record(1, source="人民网")])
    item = Item.objects.get()
    assert "<td>人民网</td>" in clerk_client.get("/items/").content.decode()
    detail = clerk_client.get(f"/items/{item.id}/").content.decode()
    assert "人民网（其他），收录自 API 推送（clerk）" in detail
