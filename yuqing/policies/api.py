"""政策库 API: list/search, read, create and update policies; policy suggestions for an event.

Reading needs a login (token or session), like the pages; writing needs the system administrator or
the office's 主任/副主任 (``views.EDITORS``). Bad input gives 422 with one Chinese message per field.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from yuqing.core.schemas import Detail, ErrorOut
from yuqing.events.models import Event
from yuqing.org import access
from yuqing.org.api_auth import require_roles
from yuqing.policies import selectors, services
from yuqing.policies.models import PolicyDocument, Validity
from yuqing.policies.parsing import FIELD_LABELS, MAX_LENGTHS
from yuqing.policies.views import EDITORS

router = Router(tags=["政策库"])
PAGE_SIZE = 50
MAX_BODY = 4 * 1024 * 1024


class PolicySummary(Schema):
    id: int
    title: str
    doc_number: str
    issuer: str
    issued_on: date
    validity: str
    validity_label: str
    updated_at: datetime

    @staticmethod
    def resolve_validity_label(obj: PolicyDocument) -> str:
        return obj.get_validity_display()


class PolicyOut(PolicySummary):
    text: str
    source: str
    created_at: datetime


class PolicyPage(Schema):
    items: list[PolicySummary]
    count: int
    page: int


class SuggestionOut(Schema):
    policy: PolicySummary
    score: float
    matched_terms: list[str]


class SuggestionsOut(Schema):
    event: int
    applies: bool
    reason: str
    items: list[SuggestionOut]
    count: int


class PolicyFilters(Schema):
    q: str = ""
    validity: str = ""
    page: int = 1


def _body_schema(required: list[str]) -> dict[str, Any]:
    strings: dict[str, dict[str, Any]] = {
        name: {"type": "string", "description": label} for name, label in FIELD_LABELS.items()
    }
    for name, limit in MAX_LENGTHS.items():
        strings[name]["maxLength"] = limit
    strings["issued_on"].update(format="date", description="发文日期，如 2018-11-30")
    strings["validity"].update(
        enum=list(Validity.values),
        description="效力：" + "，".join(f"{v} {lb}" for v, lb in Validity.choices),
    )
    strings["doc_number"]["description"] = "文号；留空则从标题或正文开头识别"
    strings["issuer"]["description"] = "发文机关；留空则从标题识别"
    body = {"type": "object", "required": required, "properties": strings}
    return {"content": {"application/json": {"schema": body}}, "required": True}


def _errors(errors: dict[str, str]) -> dict[str, Any]:
    return {
        "detail": "；".join(errors.values()),
        "errors": [{"field": name, "message": message} for name, message in errors.items()],
    }


def _payload(request: HttpRequest) -> dict[str, Any] | Status:
    if len(request.body) > MAX_BODY:
        return Status(413, {"detail": "请求体超过 4 MB 上限", "errors": []})
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Status(400, {"detail": f"请求体不是合法的 UTF-8 JSON：{exc}", "errors": []})
    if not isinstance(payload, dict):
        return Status(400, {"detail": "请求体必须是 JSON 对象", "errors": []})
    unknown = sorted(set(payload) - set(FIELD_LABELS))
    if unknown:
        return Status(422, _errors({name: f"未知字段 {name}" for name in unknown}))
    return payload


def _require_editor(request: HttpRequest) -> None:
    if not access.has_role(request.user, *EDITORS):
        raise HttpError(403, "只有系统管理员、舆情应急办主任或副主任可以维护政策库")


@router.get(
    "/policies",
    response={200: PolicyPage, 422: Detail},
    summary="政策库检索（q：关键词或文号；validity：效力）",
)
def list_policies(request: HttpRequest, filters: Query[PolicyFilters]) -> dict[str, Any]:
    if filters.page < 1:
        raise HttpError(422, "page 必须是不小于 1 的整数")
    if filters.validity and filters.validity not in Validity.values:
        raise HttpError(422, f"validity 必须是 {'/'.join(Validity.values)} 之一")
    qs = selectors.policy_list(q=filters.q[:200], validity=filters.validity)
    start = (filters.page - 1) * PAGE_SIZE
    return {"items": list(qs[start : start + PAGE_SIZE]), "count": qs.count(), "page": filters.page}


@router.get("/policies/{policy_id}", response={200: PolicyOut, 404: Detail}, summary="政策文件全文")
def get_policy(request: HttpRequest, policy_id: int) -> PolicyDocument:
    return get_object_or_404(PolicyDocument.objects.defer("search_text"), pk=policy_id)


@router.post(
    "/policies",
    response={201: PolicyOut, 400: ErrorOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    openapi_extra={"requestBody": _body_schema(["title", "issued_on", "text"])},
    summary="新增政策文件（系统管理员、舆情应急办主任/副主任）",
)
def create_policy(request: HttpRequest) -> Status:
    _require_editor(request)
    payload = _payload(request)
    if isinstance(payload, Status):
        return payload
    try:
        policy = services.policy_create(actor=request.user, data=payload, source="API")
    except services.PolicyInvalid as exc:
        return Status(422, _errors(exc.errors))
    return Status(201, policy)


@router.patch(
    "/policies/{policy_id}",
    response={200: PolicyOut, 400: ErrorOut, 403: ErrorOut, 404: Detail, 413: ErrorOut, 422: ErrorOut},
    openapi_extra={"requestBody": _body_schema([])},
    summary="修改政策文件（只改给出的字段；权限同新增）",
)
def update_policy(request: HttpRequest, policy_id: int) -> Status:
    _require_editor(request)
    policy = get_object_or_404(PolicyDocument, pk=policy_id)
    payload = _payload(request)
    if isinstance(payload, Status):
        return payload
    try:
        policy = services.policy_update(actor=request.user, policy=policy, data=payload)
    except services.PolicyInvalid as exc:
        return Status(422, _errors(exc.errors))
    return Status(200, policy)


@router.get(
    "/events/{event_id}/policy-suggestions",
    response={200: SuggestionsOut, 403: Detail, 404: Detail, 422: Detail},
    summary="事件可引用的政策（仅“对税收政策误读”类事件；按文本相似度排序，不含失效文件）",
)
def event_policy_suggestions(request: HttpRequest, event_id: int, limit: int = 5) -> dict[str, Any]:
    require_roles(request, access.FEED_READERS)  # the event itself is for those who read the feed
    if not 1 <= limit <= 20:
        raise HttpError(422, "limit 必须在 1 到 20 之间")
    event = get_object_or_404(Event, pk=event_id)
    applies = selectors.event_is_misreading(event)
    matches = selectors.event_policy_suggestions(event, limit=limit) if applies else []
    reason = "" if applies else "该事件不含“对税收政策误读”类信息，不提供政策建议"
    items = [{"policy": m.policy, "score": m.score, "matched_terms": m.matched_terms} for m in matches]
    return {"event": event.pk, "applies": applies, "reason": reason, "items": items, "count": len(items)}
