from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from yuqing.analysis.cluster import Clusterer, ClusterItem
from yuqing.analysis.dedupe import fingerprint, same_text_hash
from yuqing.items.canonical import canonical_url
from yuqing.items.ingest import Status, ingest_entries
from yuqing.items.models import Item
from yuqing.items.services import items_mark_duplicates
from yuqing.sources.fetchers.base import RawEntry
from yuqing.testing.factories import make_source

pytestmark = pytest.mark.django_db


def entry(n: int, **kw) -> RawEntry:
    values: dict[str, Any] = {
        "url": f"https://news.example.cn/a/{n}.html",
        "title": f"铁门关市税务局推出延时办税服务 第{n}期",
        "content": f"为方便纳税人办理个税汇算清缴，办税服务厅第{n}次延长服务时间。",
        "published_at": datetime(2026, 11, 20, 8, n % 60, tzinfo=UTC),
    }
    values.update(kw)
    return RawEntry(**values)


@pytest.fixture
def source():
    return make_source()


@pytest.fixture
def other_source():
    return make_source(name="测试论坛", url="https://bbs.example.cn/rss", media_type="forum")


def test_canonical_url_drops_tracking_fragment_and_default_port():
    assert (
        canonical_url("HTTPS://News.Example.cn:443/a/1.html?utm_source=wx&b=2&a=1&spm=x#comments")
        == "https://news.example.cn/a/1.html?a=1&b=2"
    )


def test_canonical_url_applies_host_aliases_and_encodes_non_ascii():
    assert (
        canonical_url("http://m.example.cn/新闻/1", {"m.example.cn": "www.example.cn"})
        == "http://www.example.cn/%E6%96%B0%E9%97%BB/1"
    )


def test_new_entries_are_stored_with_source_media_type_and_segmented_text(source):
    report = ingest_entries([entry(1), entry(2)], source=source)
    assert report.created == 2
    item = Item.objects.get(url="https://news.example.cn/a/1.html")
    assert item.media_type == "news_site"
    assert item.host == "news.example.cn"
    assert "税务局" in item.search_text.split()
    assert item.published_at_known


def test_refetching_the_same_feed_creates_nothing_new(source):
    ingest_entries([entry(1), entry(2)], source=source)
    again = ingest_entries(
        [entry(1), entry(2, url="https://news.example.cn/a/2.html?utm_medium=feed#top")], source=source
    )
    assert again.created == 0
    assert [c.status for c in again.candidates] == [Status.DUPLICATE, Status.DUPLICATE]
    assert Item.objects.count() == 2


def test_repush_refreshes_engagement_counts(source):
    ingest_entries([entry(1, engagement={"reposts": 3})], source=source)
    report = ingest_entries([entry(1, engagement={"reposts": 40, "likes": 7})], source=source)
    assert report.candidates[0].status == Status.UPDATED
    item = Item.objects.get()
    assert (item.reposts, item.likes) == (40, 7)


def test_same_text_from_same_source_under_new_link_is_a_duplicate(source):
    ingest_entries([entry(1)], source=source)
    report = ingest_entries([entry(1, url="https://news.example.cn/other/999.html")], source=source)
    assert report.candidates[0].status == Status.DUPLICATE
    assert Item.objects.count() == 1


def test_same_text_from_another_source_is_kept_and_points_at_the_earliest_copy(source, other_source):
    ingest_entries([entry(1)], source=source)
    report = ingest_entries([entry(1, url="https://bbs.example.cn/t/5")], source=other_source)
    assert report.created == 1
    first = Item.objects.get(source=source)
    copy = Item.objects.get(source=other_source)
    assert copy.duplicate_of_id == first.id


def test_ingest_and_the_clusterer_agree_on_what_is_the_same_text(source, other_source):
    ingest_entries([entry(1)], source=source)
    # The same text but for spacing, width and punctuation; a repost line would make it a near duplicate.
    same = entry(
        1, url="https://bbs.example.cn/t/6", content=" " + entry(1).content.replace("，", ", ") + "！"
    )
    ingest_entries([same], source=other_source)
    first = Item.objects.get(source=source)
    copy = Item.objects.get(source=other_source)
    assert copy.duplicate_of_id == first.id
    assert first.content_hash == copy.content_hash == same_text_hash(first.title, first.content)
    clusterer = Clusterer()
    clusterer.add(ClusterItem(id=first.id, text=first.content, title=first.title))
    assert (
        clusterer.add(ClusterItem(id=copy.id, text=copy.content, title=copy.title)).duplicate_of == first.id
    )
    assert (
        fingerprint(copy.content, exact=same_text_hash(copy.title, copy.content)).exact == copy.content_hash
    )


def test_texts_with_nothing_to_compare_are_never_copies(source):
    report = ingest_entries(
        [entry(1, title="😀", content="🎉"), entry(2, title="😀", content="🎉")], source=source
    )
    assert report.created == 2 and set(Item.objects.values_list("content_hash", flat=True)) == {""}


def test_a_duplicate_pointer_once_set_is_kept_by_the_one_writer(source, other_source):
    ingest_entries([entry(1), entry(2)], source=source)
    ingest_entries([entry(1, url="https://bbs.example.cn/t/5")], source=other_source)
    first, second = Item.objects.filter(source=source).order_by("id")
    copy = Item.objects.get(source=other_source)
    # The clusterer later takes the copy for a repost of the second item: the exact copy keeps its pointer.
    assert items_mark_duplicates({copy.id: second.id, second.id: first.id}) == 1
    copy.refresh_from_db()
    second.refresh_from_db()
    assert (copy.duplicate_of_id, second.duplicate_of_id) == (first.id, first.id)


def test_missing_publish_time_falls_back_to_fetch_time(source):
    fetched = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    ingest_entries([entry(3, published_at=None)], source=source, fetched_at=fetched)
    item = Item.objects.get()
    assert item.published_at == fetched
    assert not item.published_at_known


def test_control_characters_are_removed_and_empty_entries_rejected(source):
    report = ingest_entries(
        [
            entry(4, title="标题\x00带\x07控制符", content="正文\x1b内容"),
            entry(5, title="  ", content="\x00"),
        ],
        source=source,
    )
    assert [c.status for c in report.candidates] == [Status.CREATED, Status.REJECTED]
    item = Item.objects.get()
    assert item.title == "标题带控制符"
    assert item.content == "正文内容"


def test_duplicate_links_within_one_batch_store_once(source):
    report = ingest_entries([entry(6), entry(6, title="另一个标题")], source=source)
    assert [c.status for c in report.candidates] == [Status.CREATED, Status.DUPLICATE]
