"""Items API: push (ingest) and list/search."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from yuqing.core.schemas import Detail
from yuqing.items import selectors, services
from yuqing.items.models import Item
from yuqing.items.schemas import ItemOut, ItemPage
from yuqing.org import access
from yuqing.org.api_auth import roles_auth
from yuqing.sources.fetchers.records import MAX_COUNT

router = Router(tags=["舆情信息"])

MAX_BODY = 10 * 1024 * 1024
MAX_INT_DIGITS = 4000  # below Python 3.11's int-string conversion limit (4,300 digits)

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
                        "source": {
                            "type": "string",
                            "description": (
                                "报称来源（网站或账号名称），存为信息的 origin；信息一律归入推送账号的推送源"
                            ),
                        },
                        "author": {"type": "string"},
                        "media_type": {"type": "string"},
                        "reposts": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
                        "comments": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
                        "likes": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
                        "views": {
                            "type": "integer",
                            "minimum": 0,
                            "maximum": MAX_COUNT,
                            "description": '也可写作 "30亿"、"1.2万"、"10w+"',
                        },
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
    response={202: IngestOut, 400: Detail, 413: Detail, 422: IngestOut},
    openapi_extra={"requestBody": INGEST_REQUEST_SCHEMA},
    summary="推送舆情信息（按规范链接幂等；应急办、系统管理员）",
    auth=roles_auth(access.INGEST_ROLES),
)
def ingest(request: HttpRequest) -> Status:
    length = request.headers.get("Content-Length") or "0"
    if length.isdigit() and int(length) > MAX_BODY:
        return Status(413, {"detail": f"请求体 {length} 字节，超过 10 MB 上限"})
    body = request.body
    if len(body) > MAX_BODY:
        return Status(413, {"detail": "请求体超过 10 MB 上限"})
    try:
        payload = parse_json_body(body)
    except BodyError as exc:
        return Status(400, {"detail": str(exc)})
    if not isinstance(payload, list):
        return Status(400, {"detail": "请求体必须是 JSON 数组，每个元素是一条信息"})
    if len(payload) > services.MAX_INGEST_ITEMS:
        return Status(413, {"detail": f"一次最多推送 {services.MAX_INGEST_ITEMS} 条，本次 {len(payload)} 条"})
    result = services.items_push(payload, user=request.user)
    return Status(422 if result["rejected"] else 202, result)


class BodyError(ValueError):
    """The request body as a whole is not usable JSON; the message says why, in Chinese."""


def _int_or_digits(text: str) -> int | str:
    """JSON integers beyond Python's int-string conversion limit stay digit strings (then a count of
    that size is refused naming its field, and elsewhere the digits are kept as they came)."""
    return int(text) if len(text) <= MAX_INT_DIGITS else text


def parse_json_body(body: bytes) -> Any:
    """The JSON value of a UTF-8 body (a leading BOM is allowed); BodyError for anything else."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BodyError(
            f"请求体不是合法的 UTF-8 文本（第 {exc.start} 字节起无法解码），请以 UTF-8 编码 JSON"
        ) from None
    if not text.strip():
        raise BodyError("请求体为空：应为 JSON 数组，每个元素是一条信息")
    try:
        return json.loads(text, parse_int=_int_or_digits)
    except json.JSONDecodeError as exc:
        raise BodyError(f"请求体不是合法的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}") from None
    except RecursionError:
        raise BodyError("请求体 JSON 嵌套层数过深，无法解析（每条信息应为一层 JSON 对象）") from None


class ItemFilters(Schema):
    q: str = ""
    source: int | None = None
    media_type: str = ""
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1


@router.get(
    "/items",
    response={200: ItemPage, 422: Detail},
    summary="检索舆情信息",
    auth=roles_auth(access.FEED_READERS),
)
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> dict[str, Any]:
    if filters.page < 1:
        raise HttpError(422, "page 必须是不小于 1 的整数")
    query = selectors.search_query(filters.q) if filters.q.strip() else None
    qs = selectors.item_list(
        query=query,
        source_id=filters.source,
        media_type=filters.media_type,
        since=filters.since,
        until=filters.until,
    )
    rows, count, capped = selectors.page_of(qs, filters.page)
    return {
        "items": rows,
        "count": count,
        "count_capped": capped,
        "page": filters.page,
        "expansions": query.expansions if query else [],
    }


@router.get(
    "/items/{item_id}",
    response={200: ItemOut, 404: Detail},
    summary="舆情信息详情",
    auth=roles_auth(access.FEED_READERS),
)
def get_item(request: HttpRequest, item_id: int) -> Any:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Item.objects.select_related("source"), id=item_id)
