"""应急处置 API: the procedure for tools and tests, with the same permissions as the pages.

Refusals come back as JSON ``{"detail", "errors"?, "missing"?}``: 403 for a missing role, 404 for a case
the caller may not read, 409 for a move the case's state does not allow, 422 for bad input (every field
named; a situation report lists every missing element by name in ``missing``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from yuqing.cases import flow, selectors, services
from yuqing.cases.models import (
    Case,
    HandlingAction,
    ResponsePlan,
    SituationReport,
    SourceControlRequest,
    VerificationTask,
)
from yuqing.cases.services.case import available_transitions
from yuqing.org.api_auth import require_roles

router = Router(tags=["应急处置"])
PAGE_SIZE = 50


def _case(request: HttpRequest, case_id: int) -> Case:
    case = selectors.case_get(user=request.user, case_id=case_id)
    if case is None:
        raise HttpError(404, f"案件 {case_id} 不存在或您无权查看")
    return case


class CaseIn(Schema):
    title: str = ""
    severity: str = ""
    event_id: int | None = None
    alert_id: int | None = None
    description: str = ""
    department_id: int | None = None
    confidentiality: int = 0


class CaseRef(Schema):
    id: int
    state: str


class CaseRow(Schema):
    id: int
    title: str
    severity: str
    state: str
    state_label: str
    finding: str
    department: str | None
    event_id: int | None
    opened_at: datetime


class CasePage(Schema):
    items: list[CaseRow]
    count: int


class DeadlineOut(Schema):
    id: int
    kind: str
    title: str
    due_at: datetime
    met_at: datetime | None
    missed_at: datetime | None
    status: str


class TimelineOut(Schema):
    at: datetime
    kind: str
    title: str
    detail: str
    actor: str
    status: str


class MoveOut(Schema):
    to: str
    label: str
    needs_reason: bool
    blocked: str


class CaseOut(CaseRow):
    description: str
    confidentiality: int
    confidentiality_label: str
    restarts: int
    tracking_until: datetime | None
    deadlines: list[DeadlineOut]
    transitions: list[MoveOut]
    timeline: list[TimelineOut]


class Refusal(Schema):
    detail: str
    errors: dict[str, str] | None = None
    missing: list[str] | None = None


ERRORS: dict[int, Any] = {403: Refusal, 404: Refusal, 409: Refusal, 422: Refusal}


def _row(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "title": case.title,
        "severity": case.severity,
        "state": case.state,
        "state_label": case.state_label,
        "finding": case.finding,
        "department": case.department.name if case.department else None,
        "event_id": case.event_id,
        "opened_at": case.opened_at,
    }


@router.post("/cases", response={201: CaseRef, **ERRORS}, summary="立案")
def case_create(request: HttpRequest, payload: CaseIn) -> Status:
    require_roles(request, flow.WRITERS)
    case = services.case_open(user=request.user, **payload.dict())
    return Status(201, {"id": case.pk, "state": case.state})


@router.get("/cases", response={200: CasePage, 403: Refusal}, summary="案件列表（仅列出您有权查看的案件）")
def case_index(
    request: HttpRequest, page: int = 1, state: str = "", severity: str = "", q: str = ""
) -> dict[str, Any]:
    require_roles(request, flow.READERS)
    qs = selectors.case_list(user=request.user, state=state, severity=severity, q=q)
    page = max(page, 1)
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return {"items": [_row(c) for c in rows], "count": qs.count()}


@router.get("/cases/{case_id}", response={200: CaseOut, 404: Refusal}, summary="案件详情：状态、时限、时间线")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    require_roles(request, flow.READERS)
    case = _case(request, case_id)
    return {
        **_row(case),
        "description": case.description,
        "confidentiality": case.confidentiality,
        "confidentiality_label": case.confidentiality_label,
        "restarts": case.restarts,
        "tracking_until": case.tracking_until,
        "deadlines": [
            {
                "id": d.pk,
                "kind": d.kind,
                "title": d.title,
                "due_at": d.due_at,
                "met_at": d.met_at,
                "missed_at": d.missed_at,
                "status": d.status,
            }
            for d in case.deadlines.all()
        ],
        "transitions": available_transitions(case, request.user),
        "timeline": [e.__dict__ for e in selectors.case_timeline(case)],
    }


class TransitionIn(Schema):
    to: str
    reason: str = ""


@router.post("/cases/{case_id}/transitions", response={200: CaseRef, **ERRORS}, summary="变更案件状态")
def case_move(request: HttpRequest, case_id: int, payload: TransitionIn) -> dict[str, Any]:
    require_roles(request, flow.READERS)
    case = services.case_transition(
        case=_case(request, case_id), to=payload.to, user=request.user, reason=payload.reason
    )
    return {"id": case.pk, "state": case.state}


class VerificationIn(Schema):
    department_id: int
    instructions: str = ""
    due_at: datetime | None = None


class VerificationOut(Schema):
    id: int
    department: str
    due_at: datetime
    status: str
    finding: str


def _verification(task: VerificationTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "department": task.department.name,
        "due_at": task.due_at,
        "status": task.status,
        "finding": task.finding,
    }


@router.post(
    "/cases/{case_id}/verifications",
    response={201: VerificationOut, **ERRORS},
    summary="通报事发科室，布置核实任务",
)
def verification_create(request: HttpRequest, case_id: int, payload: VerificationIn) -> Status:
    require_roles(request, flow.WRITERS)
    task = services.verification_assign(case=_case(request, case_id), user=request.user, **payload.dict())
    return Status(201, _verification(task))


class VerificationResultIn(Schema):
    basic_facts: str = ""
    cause: str = ""
    consequences: str = ""
    proposed_handling: str = ""
    finding: str = ""


@router.post(
    "/cases/{case_id}/verifications/{task_id}/result",
    response={200: VerificationOut, **ERRORS},
    summary="事发科室填报核实结果",
)
def verification_result(
    request: HttpRequest, case_id: int, task_id: int, payload: VerificationResultIn
) -> dict:
    require_roles(request, flow.DEPARTMENT)
    task = get_object_or_404(VerificationTask, pk=task_id, case=_case(request, case_id))
    return _verification(services.verification_submit(task=task, user=request.user, data=payload.dict()))


class ReportIn(Schema):
    kind: str = ""
    mode: str = "written"
    level: str = ""
    title: str = ""
    occurred_at: str | None = None
    place: str = ""
    people: str = ""
    cause: str = ""
    nature: str = ""
    scale: str = ""
    course: str = ""
    harm: str = ""
    scope: str = ""
    info_source: str = ""
    current_state: str = ""
    trend_judgement: str = ""
    handling_so_far: str = ""
    development_trend: str = ""
    next_steps: str = ""
    signer_id: int | None = None
    skip_level: bool = False
    skip_reason: str = ""
    reported_to: str = ""
    reported_at: str | None = None
    follows_up_id: int | None = None
    supersedes_id: int | None = None


class ReportOut(Schema):
    id: int
    kind: str
    mode: str
    level: str
    status: str
    title: str
    signer_id: int | None
    content_hash: str


def _report(r: SituationReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "mode": r.mode,
        "level": r.level,
        "status": r.status,
        "title": r.title,
        "signer_id": r.signer_id,
        "content_hash": r.content_hash,
    }


@router.post(
    "/cases/{case_id}/reports",
    response={201: ReportOut, **ERRORS},
    summary="起草书面情况报告或记录口头报告（缺要素时 422 并逐项列出）",
)
def report_create(request: HttpRequest, case_id: int, payload: ReportIn) -> Status:
    require_roles(request, flow.WRITERS)
    report = services.report_create(case=_case(request, case_id), user=request.user, data=payload.dict())
    return Status(201, _report(report))


class SignatureOut(Schema):
    id: int
    signer: str
    signed_at: datetime
    content_hash: str
    report: ReportOut


@router.post(
    "/cases/{case_id}/reports/{report_id}/sign",
    response={200: SignatureOut, **ERRORS},
    summary="签发情况报告（仅标明的签发人）",
)
def report_sign(request: HttpRequest, case_id: int, report_id: int) -> dict[str, Any]:
    require_roles(request, flow.REPORT_SIGNERS)
    report = get_object_or_404(SituationReport, pk=report_id, case=_case(request, case_id))
    sig = services.report_sign(report=report, user=request.user)
    report.refresh_from_db()
    return {
        "id": sig.pk,
        "signer": sig.signer_label,
        "signed_at": sig.signed_at,
        "content_hash": sig.content_hash,
        "report": _report(report),
    }


class MeasureIn(Schema):
    measure: str = ""
    owner_id: int | None = None
    due_at: str | None = None
    kind: str = "other"


class PlanIn(Schema):
    summary: str = ""
    measures: list[MeasureIn] = []
    resources: str = ""
    task_force: str = ""
    on_site: bool = False


class PlanOut(Schema):
    id: int
    version: int
    status: str
    content_hash: str
    comments: str


def _plan(p: ResponsePlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "version": p.version,
        "status": p.status,
        "content_hash": p.content_hash,
        "comments": p.comments,
    }


@router.post("/cases/{case_id}/plans", response={201: PlanOut, **ERRORS}, summary="起草应对方案")
def plan_create(request: HttpRequest, case_id: int, payload: PlanIn) -> Status:
    require_roles(request, flow.WRITERS)
    plan = services.response_plan_draft(case=_case(request, case_id), user=request.user, data=payload.dict())
    return Status(201, _plan(plan))


def _plan_of(request: HttpRequest, case_id: int, plan_id: int) -> ResponsePlan:
    return get_object_or_404(ResponsePlan, pk=plan_id, case=_case(request, case_id))


@router.post("/cases/{case_id}/plans/{plan_id}/submit", response={200: PlanOut, **ERRORS}, summary="方案报批")
def plan_submit(request: HttpRequest, case_id: int, plan_id: int) -> dict:
    require_roles(request, flow.WRITERS)
    return _plan(services.response_plan_submit(plan=_plan_of(request, case_id, plan_id), user=request.user))


class DecisionIn(Schema):
    approve: bool
    comments: str = ""


@router.post(
    "/cases/{case_id}/plans/{plan_id}/decision",
    response={200: PlanOut, **ERRORS},
    summary="审批应对方案（批准或退回）",
)
def plan_decision(request: HttpRequest, case_id: int, plan_id: int, payload: DecisionIn) -> dict:
    require_roles(request, flow.LEADERS)
    plan = services.response_plan_decide(
        plan=_plan_of(request, case_id, plan_id), user=request.user, **payload.dict()
    )
    return _plan(plan)


@router.post(
    "/cases/{case_id}/plans/{plan_id}/launch", response={200: CaseRef, **ERRORS}, summary="启动应对方案"
)
def plan_launch(request: HttpRequest, case_id: int, plan_id: int) -> dict:
    require_roles(request, flow.LEADERS)
    case = services.response_plan_launch(plan=_plan_of(request, case_id, plan_id), user=request.user)
    return {"id": case.pk, "state": case.state}


class ActionIn(Schema):
    kind: str = ""
    title: str = ""
    owner_id: int | None = None
    due_at: str | None = None


class ActionOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    due_at: datetime


def _action(a: HandlingAction) -> dict[str, Any]:
    return {"id": a.pk, "kind": a.kind, "title": a.title, "status": a.status, "due_at": a.due_at}


@router.post("/cases/{case_id}/actions", response={201: ActionOut, **ERRORS}, summary="布置处置措施")
def action_create(request: HttpRequest, case_id: int, payload: ActionIn) -> Status:
    require_roles(request, flow.WRITERS)
    action = services.action_create(case=_case(request, case_id), user=request.user, data=payload.dict())
    return Status(201, _action(action))


class ResultIn(Schema):
    result: str = ""


@router.post(
    "/cases/{case_id}/actions/{action_id}/complete",
    response={200: ActionOut, **ERRORS},
    summary="填报处置措施完成情况",
)
def action_complete(request: HttpRequest, case_id: int, action_id: int, payload: ResultIn) -> dict:
    require_roles(request, flow.READERS)
    action = get_object_or_404(HandlingAction, pk=action_id, case=_case(request, case_id))
    return _action(services.action_complete(action=action, user=request.user, result=payload.result))


class FindingIn(Schema):
    finding: str
    reason: str = ""


@router.post("/cases/{case_id}/finding", response={200: CaseRef, **ERRORS}, summary="修改事实认定")
def case_finding(request: HttpRequest, case_id: int, payload: FindingIn) -> dict:
    require_roles(request, flow.FINDING_EDITORS)
    case = services.case_finding_set(case=_case(request, case_id), user=request.user, **payload.dict())
    return {"id": case.pk, "state": case.state}


class AccountabilityIn(Schema):
    person_id: int | None = None
    person_name: str = ""
    responsibility: str = ""
    reason: str = ""
    decision: str = ""
    decided_at: str | None = None


class RecordRef(Schema):
    id: int


@router.post("/cases/{case_id}/accountability", response={201: RecordRef, **ERRORS}, summary="记录问责")
def accountability(request: HttpRequest, case_id: int, payload: AccountabilityIn) -> Status:
    require_roles(request, flow.ACCOUNTABILITY_WRITERS)
    row = services.accountability_record(case=_case(request, case_id), user=request.user, data=payload.dict())
    return Status(201, {"id": row.pk})


class SourceRequestIn(Schema):
    agency_id: int | None = None
    target: str = ""
    url: str = ""
    contact: str = ""
    kind: str = ""
    request: str = ""
    requested_at: str | None = None


@router.post(
    "/cases/{case_id}/source-requests",
    response={201: RecordRef, **ERRORS},
    summary="记录源头控制（删除/更正）请求",
)
def source_request(request: HttpRequest, case_id: int, payload: SourceRequestIn) -> Status:
    require_roles(request, flow.WRITERS)
    row = services.source_request_create(case=_case(request, case_id), user=request.user, data=payload.dict())
    return Status(201, {"id": row.pk})


class AnswerIn(Schema):
    outcome: str
    answer: str = ""


@router.post(
    "/cases/{case_id}/source-requests/{row_id}/answer",
    response={200: RecordRef, **ERRORS},
    summary="记录对方答复",
)
def source_answer(request: HttpRequest, case_id: int, row_id: int, payload: AnswerIn) -> dict:
    require_roles(request, flow.WRITERS)
    row = get_object_or_404(SourceControlRequest, pk=row_id, case=_case(request, case_id))
    services.source_request_answer(row=row, user=request.user, **payload.dict())
    return {"id": row.pk}


class CoordinationIn(Schema):
    agency_id: int | None = None
    counterpart: str = ""
    contact_person: str = ""
    contacted_at: str | None = None
    channel: str = ""
    request: str = ""
    outcome: str = ""


@router.post("/cases/{case_id}/coordination", response={201: RecordRef, **ERRORS}, summary="记录协调配合")
def coordination(request: HttpRequest, case_id: int, payload: CoordinationIn) -> Status:
    require_roles(request, flow.WRITERS)
    row = services.coordination_log(case=_case(request, case_id), user=request.user, data=payload.dict())
    return Status(201, {"id": row.pk})


class EvaluationIn(Schema):
    cause: str = ""
    nature: str = ""
    impact: str = ""
    responsibility: str = ""
    lessons: str = ""
    improvements: str = ""
    submit: bool = False


@router.put("/cases/{case_id}/evaluation", response={200: RecordRef, **ERRORS}, summary="保存或提交评估报告")
def evaluation(request: HttpRequest, case_id: int, payload: EvaluationIn) -> dict:
    require_roles(request, flow.WRITERS)
    data = payload.dict()
    submit = data.pop("submit")
    row = services.evaluation_save(case=_case(request, case_id), user=request.user, data=data, submit=submit)
    return {"id": row.pk}


class OverdueOut(Schema):
    id: int
    case_id: int
    case_title: str
    kind: str
    title: str
    due_at: datetime
    met_at: datetime | None
    status: str


@router.get("/deadlines/overdue", response={200: list[OverdueOut], 403: Refusal}, summary="迟报/超期看板")
def overdue(request: HttpRequest, reporting_only: bool = False) -> list[dict[str, Any]]:
    require_roles(request, flow.READERS)
    return [
        {
            "id": d.pk,
            "case_id": d.case_id,
            "case_title": d.case.title,
            "kind": d.kind,
            "title": d.title,
            "due_at": d.due_at,
            "met_at": d.met_at,
            "status": d.status,
        }
        for d in selectors.overdue_deadlines(user=request.user, reporting_only=reporting_only)[:200]
    ]
