"""Pages of the feed: the latest items, one item, and the search synonyms. Thin: parse the request, call
a selector or service, render."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from yuqing.core.choices import MEDIA_TYPE_CHOICES
from yuqing.core.errors import NOT_FOUND, ServiceError
from yuqing.items import search
from yuqing.items import selectors as item_selectors
from yuqing.items import synonyms as item_synonyms
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
        "may_edit_synonyms": bool(access.cached_roles(request.user) & access.OFFICE),
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


@access.role_required(*access.OFFICE)
def synonyms(request: HttpRequest) -> HttpResponse:
    """The search synonyms: the built-in tax list and the office's groups, which office staff add here."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {"terms": request.POST.get("terms", ""), "note": request.POST.get("note", "")}
        try:
            group = item_synonyms.synonym_save(actor=request.user, terms=values["terms"], note=values["note"])
        except ServiceError as exc:
            errors, status = exc.errors or {"terms": exc.message}, exc.status
        else:
            messages.success(request, f"已添加同义词：{'、'.join(group.term_list)}")
            return redirect("items:synonyms")
    return _synonyms_page(request, values=values, errors=errors, status=status)


def _synonyms_page(
    request: HttpRequest,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    editing: int | None = None,
) -> HttpResponse:
    builtin, office = item_selectors.synonyms_overview()
    context = {
        "builtin": builtin,
        "office": office,
        "values": values if editing is None else {},
        "errors": errors if editing is None else {},
        "edit_values": values if editing is not None else {},
        "edit_errors": errors if editing is not None else {},
        "editing": editing,
    }
    return render(request, "items/synonyms.html", context, status=status)


@access.role_required(*access.OFFICE)
@require_POST
def synonym_edit(request: HttpRequest, synonym_id: int) -> HttpResponse:
    values = {"terms": request.POST.get("terms", ""), "note": request.POST.get("note", "")}
    try:
        group = item_synonyms.synonym_save(
            actor=request.user, terms=values["terms"], note=values["note"], synonym_id=synonym_id
        )
    except ServiceError as exc:
        if exc.kind == NOT_FOUND:
            raise Http404(exc.message) from None
        errors = exc.errors or {"terms": exc.message}
        return _synonyms_page(request, values=values, errors=errors, status=exc.status, editing=synonym_id)
    messages.success(request, f"已保存同义词：{'、'.join(group.term_list)}")
    return redirect("items:synonyms")


@access.role_required(*access.OFFICE)
@require_POST
def synonym_delete(request: HttpRequest, synonym_id: int) -> HttpResponse:
    try:
        item_synonyms.synonym_delete(actor=request.user, synonym_id=synonym_id)
    except ServiceError as exc:
        if exc.kind != NOT_FOUND:
            raise
        # A second click, or a colleague was faster: the group is gone either way.
        messages.info(request, "这组同义词已被删除")
    else:
        messages.success(request, "已删除这组同义词")
    return redirect("items:synonyms")
