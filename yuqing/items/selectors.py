"""Reads on items."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from yuqing.items import search
from yuqing.items.models import Item, SearchSynonym
from yuqing.items.synonyms import builtin_groups, synonym_table

PAGE_SIZE = 50
# Counting every match of a common word over millions of rows costs more than the page itself;
# past this many the count is reported as "at least".
COUNT_CAP = 10_000


def search_query(q: str) -> search.SearchQuery:
    """``q`` parsed for the item search, with the tax synonyms (built-in and the office's) applied."""
    if not q.strip():
        return search.SearchQuery(groups=())
    return search.parse_query(q, synonym_table())


def item_list(
    *,
    q: str = "",
    query: search.SearchQuery | None = None,
    source_id: int | None = None,
    media_type: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    tax_related: bool | None = None,
    category: str = "",
    sentiment: str = "",
) -> QuerySet[Item]:
    """Items newest first (by collection order), filtered; ``q`` (or the already parsed ``query``) must
    match every word, or for a word of the synonym dictionary one of its synonyms (a ``query`` without
    words matches nothing)."""
    qs = Item.objects.select_related("source").defer("raw", "search_text", "explanation")
    ordering = "-id"
    if query is None and q.strip():
        query = search_query(q)
    if query is not None:
        if not query:
            return qs.none()
        qs, ordering = search.filter_matching(qs, query)
    if source_id:
        qs = qs.filter(source_id=source_id)
    if media_type:
        qs = qs.filter(media_type=media_type)
    if since:
        qs = qs.filter(published_at__gte=since)
    if until:
        qs = qs.filter(published_at__lt=until)
    if tax_related is not None:
        qs = qs.filter(tax_related=tax_related)
    if category:
        qs = qs.filter(categories__contains=f",{category},")
    if sentiment:
        qs = qs.filter(sentiment=sentiment)
    return qs.order_by(ordering)


def page_of(qs: QuerySet[Item], page: int, page_size: int = PAGE_SIZE) -> tuple[list[Item], int, bool]:
    """One page and the total count (capped at COUNT_CAP; the flag says whether it was capped)."""
    page = max(page, 1)
    rows = list(qs[(page - 1) * page_size : page * page_size])
    capped_count = qs.order_by()[: COUNT_CAP + 1].count()
    return rows, min(capped_count, COUNT_CAP), capped_count > COUNT_CAP


def synonyms_overview() -> tuple[tuple[tuple[str, ...], ...], list[SearchSynonym]]:
    """The built-in synonym groups and the office's, for the synonyms page."""
    return builtin_groups(), list(SearchSynonym.objects.select_related("created_by__person").order_by("id"))


def item_detail(item_id: int) -> Item:
    return Item.objects.select_related("source", "duplicate_of__source", "event").get(id=item_id)
