"""会商 and working-group decision API — same permissions as the pages. Refusals are JSON
``{"detail", "errors"?}``: 403 role, 404 a case the caller may not see, 409 a closed case or an action
already done, 422 bad input with each field named (``actions.<n>.owner`` for the n-th action, from 0)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from yuqing.cases.api import ERRORS
from yuqing.cases.models import Case
from yuqing.cases.selectors import case_get
from yuqing.cases.services.common import require_role
from yuqing.consult import selectors, services
from yuqing.consult.models import ConsultationAction, ConsultationMeeting, GroupDecision
from yuqing.core.common import user_label

router = Router(tags=["会商与工作组决定"])


def _case(request: HttpRequest, case_id: int, roles: frozenset[str], doing: str) -> Case:
    require_role(request.user, roles, doing)
    case = case_get(user=request.user, case_id=case_id)
    if case is None:
        raise HttpError(404, f"案件 {case_id} 不存在或您无权查看")
    return case


class ActionIn(Schema):
    text: str = ""
    owner_id: int | None = None
    due_at: str | None = None


class ConsultationIn(Schema):
    held_at: str | None = None
    topic: str = ""
    people: list[int] = []
    agencies: list[int] = []
    others: str = ""
    conclusions: str = ""
    actions: list[ActionIn] = []


class ActionOut(Schema):
    id: int
    text: str
    owner_id: int
    owner: str
    due_at: datetime
    done_at: datetime | None
    done_note: str
    overdue: bool


class ConsultationOut(Schema):
    id: int
    case_id: int
    held_at: datetime
    topic: str
    people: list[str]
    agencies: list[str]
    others: str
    conclusions: str
    recorded_by: str
    actions: list[ActionOut]


class DecisionIn(Schema):
    kind: str = ""
    text: str = ""
    decided_by: int | None = None
    decided_at: str | None = None
    meeting: int | None = None


class DecisionOut(Schema):
    id: int
    case_id: int
    kind: str
    kind_label: str
    text: str
    decided_by_id: int
    decided_by: str
    decided_at: datetime
    meeting_id: int | None
    recorded_by: str


class CompleteIn(Schema):
    note: str = ""


def _action(a: ConsultationAction) -> dict[str, Any]:
    return {
        "id": a.pk,
        "text": a.text,
        "owner_id": a.owner_id,
        "owner": a.owner.name,
        "due_at": a.due_at,
        "done_at": a.done_at,
        "done_note": a.done_note,
        "overdue": selectors.action_overdue(a),
    }


def _meeting(m: ConsultationMeeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "case_id": m.case_id,
        "held_at": m.held_at,
        "topic": m.topic,
        "people": [p.name for p in m.people.all()],
        "agencies": [a.name for a in m.agencies.all()],
        "others": m.others,
        "conclusions": m.conclusions,
        "recorded_by": user_label(m.recorded_by),
        "actions": [_action(a) for a in m.actions.all()],
    }


def _decision(d: GroupDecision) -> dict[str, Any]:
    return {
        "id": d.pk,
        "case_id": d.case_id,
        "kind": d.kind,
        "kind_label": d.kind_label,
        "text": d.text,
        "decided_by_id": d.decided_by_id,
        "decided_by": d.decided_by.name,
        "decided_at": d.decided_at,
        "meeting_id": d.meeting_id,
        "recorded_by": user_label(d.recorded_by),
    }


@router.get(
    "/cases/{case_id}/consultations", response={200: list[ConsultationOut], **ERRORS}, summary="本案会商记录"
)
def consultation_index(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case = _case(request, case_id, services.READERS, "查看会商记录")
    return [_meeting(m) for m in selectors.meetings_of(case)]


@router.post("/cases/{case_id}/consultations", response={201: ConsultationOut, **ERRORS}, summary="登记会商")
def consultation_create(request: HttpRequest, case_id: int, payload: ConsultationIn) -> Status:
    case = _case(request, case_id, services.WRITERS, "登记会商")
    meeting = services.consultation_record(case=case, user=request.user, data=payload.dict())
    return Status(201, _meeting(selectors.meetings_of(case).get(pk=meeting.pk)))


@router.post(
    "/consultation-actions/{action_id}/complete",
    response={200: ActionOut, **ERRORS},
    summary="登记会商落实事项完成",
)
def consultation_action_complete(request: HttpRequest, action_id: int, payload: CompleteIn) -> dict[str, Any]:
    owns = ConsultationAction.objects.filter(pk=action_id, owner__user_id=request.user.pk or 0).exists()
    if not owns:
        require_role(request.user, services.WRITERS, "登记会商落实事项完成")
    action = selectors.action_get(user=request.user, action_id=action_id)
    if action is None:
        raise HttpError(404, f"落实事项 {action_id} 不存在或您无权查看")
    action = services.consultation_action_complete(action=action, user=request.user, note=payload.note)
    return _action(action)


@router.get(
    "/cases/{case_id}/group-decisions", response={200: list[DecisionOut], **ERRORS}, summary="本案工作组决定"
)
def group_decision_index(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case = _case(request, case_id, services.READERS, "查看工作组决定")
    return [_decision(d) for d in selectors.decisions_of(case)]


@router.post(
    "/cases/{case_id}/group-decisions", response={201: DecisionOut, **ERRORS}, summary="登记工作组决定"
)
def group_decision_create(request: HttpRequest, case_id: int, payload: DecisionIn) -> Status:
    case = _case(request, case_id, services.WRITERS, "登记工作组决定")
    decision = services.group_decision_record(case=case, user=request.user, data=payload.dict())
    return Status(201, _decision(decision))
