"""Pages of the feed: the latest items and one item. Thin: parse the request, call a selector, render."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from yuqing.core.choices import MEDIA_TYPE_CHOICES
from yuqing.items import search
from yuqing.items import selectors as item_selectors
from yuqing.items.models import Item
from yuqing.org import access
from yuqing.sources.models import Source
from yuqing.vocab import CATEGORIES, MEDIA_TYPES, SENTIMENTS


def _parse_filters(params: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Filters from the query string; a bad value is reported by field and ignored, the rest kept."""
    filters: dict[str, Any] = {"q": params.get("q", "").strip()[:200], "source": None, "media_type": ""}
    errors: dict[str, str] = {}
    raw_source = params.get("source", "")
    if raw_source:
        if raw_source.isdigit():
            filters["source"] = int(raw_source)
        else:
            errors["source"] = "来源参数无效，已忽略"
    media_type = params.get("media_type", "")
    if media_type:
        if media_type in MEDIA_TYPES:
            filters["media_type"] = media_type
        else:
            errors["media_type"] = "媒体类型无效，已忽略"
    for key, label in (("since", "开始时间"), ("until", "结束时间")):
        raw = params.get(key, "")
        filters[f"{key}_raw"] = raw
        filters[key] = None
        if raw:
            value: datetime | None = parse_datetime(raw)
            if value is None:
                errors[key] = f"{label}格式无效（应为 年-月-日 时:分），已忽略"
            else:
                filters[key] = timezone.make_aware(value) if timezone.is_naive(value) else value
    tax = params.get("tax", "")
    filters["tax"] = tax if tax in {"1", "0"} else ""
    if tax and tax not in {"1", "0"}:
        errors["tax"] = "涉税筛选无效，已忽略"
    for key, table, label in (("category", CATEGORIES, "类别"), ("sentiment", SENTIMENTS, "情感")):
        value = params.get(key, "")
        filters[key] = value if value in table else ""
        if value and value not in table:
            errors[key] = f"{label}无效，已忽略"
    page_raw = params.get("page", "1")
    filters["page"] = int(page_raw) if page_raw.isdigit() and int(page_raw) > 0 else 1
    return filters, errors


@access.role_required(*access.FEED_READERS)
def item_list(request: HttpRequest) -> HttpResponse:
    filters, errors = _parse_filters(request.GET)
    query = item_selectors.search_query(filters["q"]) if filters["q"] else None
    qs = item_selectors.item_list(
        query=query,
        source_id=filters["source"],
        media_type=filters["media_type"],
        since=filters["since"],
        until=filters["until"],
        tax_related={"1": True, "0": False}.get(filters["tax"]),
        category=filters["category"],
        sentiment=filters["sentiment"],
    )
    page = filters["page"]
    rows, count, capped = item_selectors.page_of(qs, page)
    if query:
        search.highlight_items(rows, query)
    context = {
        "items": rows,
        "count": count,
        "capped": capped,
        "page": page,
        "has_next": capped or count > page * item_selectors.PAGE_SIZE,
        "filters": filters,
        "expansions": query.expansions if query else [],
        "errors": errors,
        "sources": Source.objects.order_by("name").only("id", "name"),
        "media_types": MEDIA_TYPE_CHOICES,
        "categories": list(CATEGORIES.items()),
        "sentiments": list(SENTIMENTS.items()),
    }
    return render(request, "items/list.html", context)


@access.role_required(*access.FEED_READERS)
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        obj = item_selectors.item_detail(item_id)
    except Item.DoesNotExist:
        raise Http404("没有这条信息") from None
    return render(
        request,
        "items/detail.html",
        {"item": obj, "categories": list(CATEGORIES.items()), "sentiments": list(SENTIMENTS.items())},
    )
