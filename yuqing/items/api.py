"""Items API: push (ingest) and list/search."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from yuqing.api.auth import roles_auth
from yuqing.api.schemas import ItemOut, ItemPage
from yuqing.items import selectors, services
from yuqing.org import access

router = Router(tags=["舆情信息"])

MAX_BODY = 10 * 1024 * 1024

INGEST_REQUEST_SCHEMA = {
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "maxItems": services.MAX_INGEST_ITEMS,
                "items": {
                    "type": "object",
                    "required": ["url", "title", "content"],
                    "properties": {
                        "url": {"type": "string", "format": "uri"},
                        "title": {"type": "string"},
                        "content": {"type": "string"},
                        "published_at": {"type": "string", "description": "ISO 8601；无时区按北京时间"},
                        "source": {"type": "string", "description": "来源名称（推送源）"},
                        "author": {"type": "string"},
                        "media_type": {"type": "string"},
                        "reposts": {"type": "integer"},
                        "comments": {"type": "integer"},
                        "likes": {"type": "integer"},
                        "views": {"type": "integer"},
                    },
                },
            }
        }
    },
    "required": True,
}


class IngestItemStatus(Schema):
    index: int
    status: str
    id: int | None = None
    errors: list[dict[str, str]] = []


class IngestOut(Schema):
    created: int
    duplicates: int
    rejected: int
    items: list[IngestItemStatus]


@router.post(
    "/ingest",
    response={202: IngestOut, 400: dict, 413: dict, 422: IngestOut},
    openapi_extra={"requestBody": INGEST_REQUEST_SCHEMA},
    summary="推送舆情信息（按规范链接幂等；应急办、系统管理员）",
    auth=roles_auth(access.INGEST_ROLES),
)
def ingest(request: HttpRequest) -> Status:
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_BODY:
        return Status(413, {"detail": f"请求体 {length} 字节，超过 10 MB 上限"})
    body = request.body
    if len(body) > MAX_BODY:
        return Status(413, {"detail": "请求体超过 10 MB 上限"})
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Status(400, {"detail": f"请求体不是合法的 UTF-8 JSON：{exc}"})
    if not isinstance(payload, list):
        return Status(400, {"detail": "请求体必须是 JSON 数组，每个元素是一条信息"})
    if len(payload) > services.MAX_INGEST_ITEMS:
        return Status(413, {"detail": f"一次最多推送 {services.MAX_INGEST_ITEMS} 条，本次 {len(payload)} 条"})
    result = services.items_push(payload)
    return Status(422 if result["rejected"] else 202, result)


class ItemFilters(Schema):
    q: str = ""
    source: int | None = None
    media_type: str = ""
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1


@router.get("/items", response=ItemPage, summary="检索舆情信息", auth=roles_auth(access.FEED_READERS))
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> dict[str, Any]:
    if filters.page < 1:
        raise HttpError(422, "page 必须是不小于 1 的整数")
    qs = selectors.item_list(
        q=filters.q,
        source_id=filters.source,
        media_type=filters.media_type,
        since=filters.since,
        until=filters.until,
    )
    rows, count, capped = selectors.page_of(qs, filters.page)
    return {"items": rows, "count": count, "count_capped": capped, "page": filters.page}


@router.get(
    "/items/{item_id}", response=ItemOut, summary="舆情信息详情", auth=roles_auth(access.FEED_READERS)
)
def get_item(request: HttpRequest, item_id: int) -> Any:
    from django.shortcuts import get_object_or_404

    from yuqing.items.models import Item

    return get_object_or_404(Item.objects.select_related("source"), id=item_id)
