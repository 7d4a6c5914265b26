"""Analysis and events API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from yuqing import vocab
from yuqing.core.schemas import Detail
from yuqing.events import selectors, services
from yuqing.events.models import Event
from yuqing.org import access
from yuqing.org.api_auth import roles_auth

router = Router(tags=["研判与事件"])
MAX_TEXT = 1_000_000
PAGE_SIZE = 50


class AnalyzeIn(Schema):
    text: str
    title: str | None = None


class AnalyzeOut(Schema):
    tax_related: bool
    relevance: float
    categories: list[str]
    sentiment: str
    negative_score: float
    matched_plans: list[str]
    explanation: dict[str, Any]
    model_version: str


@router.post(
    "/analyze",
    response={200: AnalyzeOut, 413: Detail},
    summary="分析一段文本（与 yuqing analyze 输出相同）",
    auth=roles_auth(access.ANALYSTS),
)
def analyze(request: HttpRequest, payload: AnalyzeIn) -> dict[str, Any]:
    if len(payload.text) + len(payload.title or "") > MAX_TEXT:
        raise HttpError(413, "text 超过 1,000,000 个字符上限")
    return services.get_analyzer().analyze(
        payload.text, payload.title, plans=services.monitoring_plans_active()
    )


class EventOut(Schema):
    id: int
    title: str
    severity: str
    severity_label: str
    score: float
    phase: str
    size: int
    duplicates: int
    sites: int
    engagement: int
    first_publisher: str
    first_reason: str
    first_item: int | None
    first_at: datetime | None
    last_at: datetime | None
    categories: dict[str, int]
    media_types: dict[str, int]
    hot_words: list[dict[str, Any]]

    @staticmethod
    def resolve_severity_label(obj: Event) -> str:
        return vocab.SEVERITIES.get(obj.severity, obj.severity)

    @staticmethod
    def resolve_first_item(obj: Event) -> int | None:
        return obj.first_item_id


class EventPage(Schema):
    items: list[EventOut]
    count: int
    page: int


class MemberOut(Schema):
    id: int
    title: str
    url: str
    source: str
    media_type: str
    published_at: datetime
    sentiment: str
    duplicate_of: int | None

    @staticmethod
    def resolve_source(obj: Any) -> str:
        return obj.source_name

    @staticmethod
    def resolve_duplicate_of(obj: Any) -> int | None:
        return obj.duplicate_of_id


class EventDetail(EventOut):
    hourly: list[dict[str, Any]]
    sentiment: dict[str, int]
    velocity: float
    factors: list[dict[str, Any]]
    propagation: dict[str, Any]
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Event) -> list[Any]:
        return selectors.event_members(obj)


class EventFilters(Schema):
    severity: str = ""
    phase: str = ""
    page: int = 1


@router.get(
    "/events",
    response={200: EventPage, 422: Detail},
    summary="舆情事件列表（按等级、热度排序）",
    auth=roles_auth(access.FEED_READERS),
)
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    if filters.severity and filters.severity not in vocab.SEVERITIES:
        raise HttpError(422, f"severity 必须是 {'/'.join(vocab.SEVERITIES)} 之一")
    if filters.phase and filters.phase not in vocab.PHASES:
        raise HttpError(422, f"phase 必须是 {'/'.join(vocab.PHASES)} 之一")
    if filters.page < 1:
        raise HttpError(422, "page 必须是不小于 1 的整数")
    qs = selectors.event_list(severity=filters.severity, phase=filters.phase)
    start = (filters.page - 1) * PAGE_SIZE
    return {"items": list(qs[start : start + PAGE_SIZE]), "count": qs.count(), "page": filters.page}


@router.get(
    "/events/{event_id}",
    response={200: EventDetail, 404: Detail},
    summary="舆情事件详情（成员、小时量、传播路径）",
    auth=roles_auth(access.FEED_READERS),
)
def get_event(request: HttpRequest, event_id: int) -> Event:
    return get_object_or_404(Event, id=event_id)
