"""Ingest → analyse → cluster → grade → alert, on a small fixture of tax stories written for the tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yuqing.events import services
from yuqing.events.models import Alert, Event
from yuqing.items.ingest import ingest_entries
from yuqing.items.models import Item, ItemStage
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.models import Source

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
ORIGINAL = (
    "铁门关市几十家个体商户今天上午聚集在市税务局办税服务厅门口，反映今年定额调整幅度过大，"
    "有商户说定额一下涨了三倍，生意本来就不好做，要求税务局给个说法。现场秩序一度混乱，有人拉起横幅。"
)


def entries():
    story = [
        RawEntry(
            url="https://bbs.example.cn/t/100",
            title="商户聚集税务局门口反映定额调整",
            content=ORIGINAL,
            published_at=T0,
            engagement={"reposts": 300, "comments": 800, "views": 50000},
        ),
        RawEntry(
            url="https://weibo.example.cn/s/1",
            title="转发：商户聚集税务局门口反映定额调整",
            content="转自：铁门关论坛\n" + ORIGINAL,
            published_at=T0 + timedelta(minutes=10),
            engagement={"reposts": 120},
        ),
        RawEntry(
            url="https://weibo.example.cn/s/2",
            title="",
            content=ORIGINAL.replace("，", ",").replace("。", "."),
            published_at=T0 + timedelta(minutes=15),
        ),
        RawEntry(
            url="https://news.example.cn/a/9",
            title="铁门关市税务局回应商户定额调整问题",
            content="针对部分个体商户反映的定额调整问题，铁门关市税务局表示将逐户复核定额，"
            "并召开座谈会听取商户意见，依法依规做好解释工作。",
            published_at=T0 + timedelta(hours=2),
        ),
    ]
    unrelated = [
        RawEntry(
            url="https://sports.example.cn/1",
            title="二十二团职工篮球赛开幕",
            content="第二师二十二团职工篮球赛昨日开幕，共有十二支队伍参赛，比赛将持续一周。",
            published_at=T0,
        ),
    ]
    return story, unrelated


def test_items_are_analysed_clustered_graded_and_alerted(clerk):
    forum = Source.objects.create(
        name="铁门关论坛", kind="rss", url="https://bbs.example.cn/rss", media_type="forum"
    )
    story, unrelated = entries()
    ingest_entries(story[:1] + unrelated, source=forum)
    weibo = Source.objects.create(name="微博", kind="webhook", media_type="weibo")
    ingest_entries(story[1:3], source=weibo)
    news = Source.objects.create(
        name="铁门关新闻网", kind="rss", url="https://news.example.cn/rss", media_type="news_site"
    )
    ingest_entries(story[3:], source=news)

    moved = services.analysis_run()
    assert moved == 2 * 5  # five items, each analysed and then clustered
    assert not Item.objects.exclude(stage=ItemStage.CLUSTERED).exists()

    sports = Item.objects.get(url="https://sports.example.cn/1")
    assert sports.tax_related is False and sports.event_id is None
    original = Item.objects.get(url="https://bbs.example.cn/t/100")
    assert original.tax_related is True and original.relevance > 0.5
    assert original.sentiment == "negative"
    assert original.model_version
    assert "mass_incident" in original.category_codes

    reposts = Item.objects.filter(url__startswith="https://weibo.example.cn/")
    assert {r.event_id for r in reposts} == {original.event_id}
    assert {r.duplicate_of_id for r in reposts} == {original.id}

    event = Event.objects.get(id=original.event_id)
    assert event.first_item_id == original.id
    assert event.first_reason
    assert event.size >= 3 and event.sites >= 2
    assert event.factors and all("points" in f for f in event.factors)
    assert event.propagation["edges"]
    assert event.severity in {"general", "significant", "major", "especially_major"}
    assert Alert.objects.filter(event=event).exists()  # a mass incident raises an alert at any level


def test_second_pass_has_nothing_to_do():
    assert services.analysis_run() == 0


def test_clusterer_state_survives_between_passes():
    forum = Source.objects.create(
        name="铁门关论坛", kind="rss", url="https://bbs.example.cn/rss", media_type="forum"
    )
    story, _ = entries()
    ingest_entries(story[:1], source=forum)
    services.process_pending()
    weibo = Source.objects.create(name="微博", kind="webhook", media_type="weibo")
    ingest_entries(story[1:2], source=weibo)
    services.process_pending()  # a new pass restores the clusterer from the database
    first, repost = Item.objects.order_by("id")
    assert repost.event_id == first.event_id
