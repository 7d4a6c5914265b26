"""Who may open the feed's pages and use the items API (see :mod:`yuqing.testing.routes`)."""

from __future__ import annotations

from yuqing.org import access
from yuqing.testing.routes import RouteSpec


def an_item() -> int:
    """One ingested item (and its source), for routes that show or change an item."""
    from yuqing.items.ingest import ingest_entries
    from yuqing.items.models import Item
    from yuqing.sources.fetchers.base import RawEntry
    from yuqing.sources.models import Source, SourceKind

    source = Source.objects.create(
        name="权限测试论坛", kind=SourceKind.RSS, url="http://bbs.example.cn/rss", media_type="forum"
    )
    entry = RawEntry(
        url="http://bbs.example.cn/t/1", title="办税厅排队", content="正文", published_at=None, raw={}
    )
    ingest_entries([entry], source=source)
    return Item.objects.get(url=entry.url).id


def a_synonym() -> int:
    """One office synonym group, for the routes that change or delete one."""
    from yuqing.items.models import SearchSynonym

    return SearchSynonym.objects.create(terms="缴费工资 缴费基数").id


ROUTES: dict[str, RouteSpec] = {
    "items:list": {"allow": access.FEED_READERS},
    "items:detail": {"allow": access.FEED_READERS, "kwargs": {"item_id": an_item}},
    "items:synonyms": {"allow": access.OFFICE},
    "items:synonym_edit": {
        "allow": access.OFFICE,
        "method": "post",
        "kwargs": {"synonym_id": a_synonym},
        "data": {"terms": "缴费工资 缴费基数 缴费基础"},
    },
    "items:synonym_delete": {"allow": access.OFFICE, "method": "post", "kwargs": {"synonym_id": a_synonym}},
    "api:ingest": {"allow": access.INGEST_ROLES, "method": "post", "data": []},
    "api:list_items": {"allow": access.FEED_READERS},
    "api:get_item": {"allow": access.FEED_READERS, "kwargs": {"item_id": an_item}},
}
