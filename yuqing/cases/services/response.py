"""应急响应, 应急处置, 协调配合, 后期处置, 评估 (二(四)–(六)): the response plan and its approval, handling
measures, accountability, source control, coordination, tracking with automatic restart, evaluation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from yuqing.audit.services import audit_record, audit_snapshot
from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.models import (
    AccountabilityRecord,
    ActionStatus,
    Case,
    CoordinationLog,
    Evaluation,
    HandlingAction,
    ProcedureSettings,
    SourceControlRequest,
)
from yuqing.cases.services.case import case_transition, refuse_unless_open
from yuqing.cases.services.common import (
    ProcedureError,
    clean_text,
    fetch_row,
    forbidden,
    invalid,
    notify_after_commit,
    now_or,
    parse_time,
    require_role,
    task_done,
    task_subject,
)
from yuqing.cases.services.deadlines import deadline_set, deadlines_meet
from yuqing.cases.services.verification import case_finding_record
from yuqing.core.hooks import run_hooks
from yuqing.core.statemachine import Move, StateMachine
from yuqing.items.models import Item
from yuqing.org import access
from yuqing.org.models import ExternalAgency, Person
from yuqing.org.selectors import role_holders

WRITERS = flow.OFFICE | flow.LEADERS


def _user(value: Any, *, field: str, label: str, errors: dict[str, str]) -> Any:
    user = fetch_row(get_user_model(), value)
    if user is None or not user.is_active:
        errors[field] = f"请选择{label}"
    return user


# --- handling (应急处置) --------------------------------------------------------------------------


def _action_create(
    *, case: Case, user: Any, kind: str, title: str, owner_id: int, due_at: Any, at: datetime
) -> HandlingAction:
    action = HandlingAction.objects.create(
        case=case,
        kind=kind,
        title=title[:300],
        owner_id=owner_id,
        due_at=due_at,
        created_by=user,
        created_at=at,
    )
    deadline_set(
        case=case, kind="handling", title=title, due_at=due_at, obj=action, owner=action.owner, now=at
    )
    audit_record(actor=user, action="action.create", obj=action, new=audit_snapshot(action))
    notify_after_commit(
        [action.owner],
        f"【处置任务】{title}",
        f"案件「{case.title}」",
        f"/cases/{case.pk}/",
        level=case.severity,
        subject=task_subject(action),
    )
    return action


def action_create(
    *, case: Case, user: Any, data: dict[str, Any], now: datetime | None = None
) -> HandlingAction:
    require_role(user, WRITERS, "布置处置措施")
    if case.state not in (cv.RESPONDING, cv.PLAN_PENDING, cv.REPORTED, cv.VERIFYING):
        raise ProcedureError(f"案件处于「{case.state_label}」，不能布置处置措施")
    at = now_or(now)
    errors: dict[str, str] = {}
    kind = str(data.get("kind") or "")
    if kind not in HandlingAction.KINDS:
        errors["kind"] = f"措施类型须为 {'、'.join(HandlingAction.KINDS)} 之一"
    title = clean_text(
        data.get("title"), field="title", label="措施", max_length=300, required=True, errors=errors
    )
    owner = _user(data.get("owner_id"), field="owner_id", label="责任人", errors=errors)
    due = parse_time(data.get("due_at"), field="due_at", label="完成时限", errors=errors, after=at)
    if due is None and "due_at" not in errors:
        errors["due_at"] = "请填写完成时限"
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        return _action_create(
            case=case, user=user, kind=kind, title=title, owner_id=owner.pk, due_at=due, at=at
        )


def _owner_or_office(action: HandlingAction, user: Any) -> ProcedureError | None:
    if action.owner_id != user.pk and not access.has_role(user, *WRITERS):
        return forbidden("只有责任人或应急办可以填报完成情况")
    return None


ACTIONS = StateMachine(
    HandlingAction,
    {
        "complete": Move(
            {ActionStatus.OPEN}, ActionStatus.DONE, refusal="该措施已{label}", who=_owner_or_office
        )
    },
    audit_prefix="action",
    error=ProcedureError,
)


def action_complete(
    *, action: HandlingAction, user: Any, result: str, now: datetime | None = None
) -> HandlingAction:
    """The owner (or the office) records how a handling measure was done; the row is locked and read
    again, so a measure completed meanwhile from another page is not completed twice."""
    refusal = ACTIONS.refusal(action, "complete", user)
    if refusal is not None:
        raise refusal
    errors: dict[str, str] = {}
    result = clean_text(
        result, field="result", label="完成情况", max_length=20000, required=True, errors=errors
    )
    if errors:
        raise invalid(errors)
    at = now_or(now)

    def apply(locked: HandlingAction) -> dict[str, Any]:
        locked.result = result
        locked.done_at = at
        deadlines_meet(case=locked.case, kind="handling", obj=locked, at=at)
        task_done(locked)
        return {"result": result}

    ACTIONS.transition(action, "complete", user=user, apply=apply)
    return action


def case_finding_set(*, case: Case, user: Any, finding: str, reason: str) -> Case:
    """Revise the finding (e.g. after further investigation); the handling branch follows it."""
    require_role(user, flow.LEADERS | flow.OFFICE_HEADS, "修改事实认定")
    errors: dict[str, str] = {}
    if finding not in cv.FINDINGS:
        errors["finding"] = f"事实认定须为{'、'.join(cv.FINDINGS.values())}之一"
    reason = clean_text(reason, field="reason", label="理由", max_length=2000, required=True, errors=errors)
    if errors:
        raise invalid(errors)
    case_finding_record(case=case, finding=finding, actor=user, reason=reason)
    case.refresh_from_db()
    return case


def accountability_record(
    *, case: Case, user: Any, data: dict[str, Any], now: datetime | None = None
) -> AccountabilityRecord:
    """问责 (三(五)): recorded by the office, the group's leaders or 纪检组."""
    require_role(user, WRITERS | {access.AUDITOR}, "记录问责")
    errors: dict[str, str] = {}
    person = fetch_row(Person, data.get("person_id"))
    name = clean_text(
        data.get("person_name") or (person.name if person else ""),
        field="person_name",
        label="责任人",
        max_length=50,
        required=True,
        errors=errors,
    )
    responsibility = str(data.get("responsibility") or "")
    if responsibility not in cv.RESPONSIBILITIES:
        errors["responsibility"] = f"责任类型须为{'、'.join(cv.RESPONSIBILITIES.values())}之一"
    reason = clean_text(
        data.get("reason"), field="reason", label="事由", max_length=5000, required=True, errors=errors
    )
    decision = clean_text(
        data.get("decision"), field="decision", label="处理决定", max_length=5000, errors=errors
    )
    at = now_or(now)
    decided = parse_time(
        data.get("decided_at"), field="decided_at", label="决定时间", errors=errors, not_after=at
    )
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        record = AccountabilityRecord.objects.create(
            case=case,
            person=person,
            person_name=name,
            responsibility=responsibility,
            reason=reason,
            decision=decision,
            decided_at=decided or (at if decision else None),
            recorded_by=user,
            recorded_at=at,
        )
        audit_record(actor=user, action="accountability.record", obj=record, new=audit_snapshot(record))
    return record


def source_request_create(
    *, case: Case, user: Any, data: dict[str, Any], now: datetime | None = None
) -> SourceControlRequest:
    """源头控制: a takedown/correction request to the first publisher or a platform (失实 cases)."""
    require_role(user, WRITERS, "记录源头控制请求")
    refuse_unless_open(case, "记录源头控制请求")
    at = now_or(now)
    errors: dict[str, str] = {}
    agency = fetch_row(ExternalAgency, data.get("agency_id"))
    target = clean_text(
        data.get("target") or (agency.name if agency else ""),
        field="target",
        label="对象（首发网站/平台）",
        max_length=200,
        required=True,
        errors=errors,
    )
    url = clean_text(data.get("url"), field="url", label="信息链接", max_length=500, errors=errors)
    if url and not url.startswith(("http://", "https://")):
        errors["url"] = "信息链接须以 http:// 或 https:// 开头"
    kind = str(data.get("kind") or "")
    if kind not in SourceControlRequest.KINDS:
        errors["kind"] = f"请求类型须为 {'、'.join(SourceControlRequest.KINDS)} 之一"
    request_text = clean_text(
        data.get("request"), field="request", label="请求内容", max_length=5000, required=True, errors=errors
    )
    contact = clean_text(
        data.get("contact"), field="contact", label="联系人及方式", max_length=200, errors=errors
    )
    requested = parse_time(
        data.get("requested_at"), field="requested_at", label="请求时间", errors=errors, not_after=at
    )
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        row = SourceControlRequest.objects.create(
            case=case,
            agency=agency,
            target=target,
            url=url,
            contact=contact,
            kind=kind,
            request=request_text,
            requested_at=requested or at,
            recorded_by=user,
        )
        audit_record(actor=user, action="source_request.create", obj=row, new=audit_snapshot(row))
    return row


def source_request_answer(
    *, row: SourceControlRequest, user: Any, outcome: str, answer: str, now: datetime | None = None
) -> SourceControlRequest:
    require_role(user, WRITERS, "记录对方答复")
    errors: dict[str, str] = {}
    if outcome not in SourceControlRequest.OUTCOMES or outcome == "pending":
        errors["outcome"] = "请选择结果：已处理、部分处理、拒绝或无答复"
    answer = clean_text(answer, field="answer", label="对方答复", max_length=5000, errors=errors)
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        old = {"outcome": row.outcome, "answer": row.answer}
        row.outcome, row.answer, row.answered_at = outcome, answer, now_or(now)
        row.save(update_fields=["outcome", "answer", "answered_at"])
        audit_record(
            actor=user,
            action="source_request.answer",
            obj=row,
            old=old,
            new={"outcome": outcome, "answer": answer},
        )
    return row


def coordination_log(
    *, case: Case, user: Any, data: dict[str, Any], now: datetime | None = None
) -> CoordinationLog:
    """协调配合: record a contact with an outside agency or website."""
    require_role(user, WRITERS, "记录协调情况")
    at = now_or(now)
    errors: dict[str, str] = {}
    agency = fetch_row(ExternalAgency, data.get("agency_id"))
    counterpart = clean_text(
        data.get("counterpart") or (agency.name if agency else ""),
        field="counterpart",
        label="对方单位/网站",
        max_length=200,
        required=True,
        errors=errors,
    )
    contacted = parse_time(
        data.get("contacted_at"), field="contacted_at", label="联系时间", errors=errors, not_after=at
    )
    values = {
        "contact_person": clean_text(
            data.get("contact_person"),
            field="contact_person",
            label="对方联系人",
            max_length=100,
            errors=errors,
        ),
        "channel": clean_text(
            data.get("channel"), field="channel", label="方式", max_length=50, errors=errors
        ),
        "request": clean_text(
            data.get("request"),
            field="request",
            label="商请事项",
            max_length=5000,
            required=True,
            errors=errors,
        ),
        "outcome": clean_text(
            data.get("outcome"), field="outcome", label="结果", max_length=5000, errors=errors
        ),
    }
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        row = CoordinationLog.objects.create(
            case=case,
            agency=agency,
            counterpart=counterpart,
            contacted_at=contacted or at,
            recorded_by=user,
            **values,
        )
        audit_record(actor=user, action="coordination.log", obj=row, new=audit_snapshot(row))
    return row


# --- evaluation (评估) -------------------------------------------------------------------------------


def evaluation_save(
    *, case: Case, user: Any, data: dict[str, Any], submit: bool = False, now: datetime | None = None
) -> Evaluation:
    """Draft or submit the evaluation. Submitting needs every part and sends it to the working group."""
    require_role(user, WRITERS, "起草评估报告")
    if case.state != cv.EVALUATING:
        raise ProcedureError(f"案件处于「{case.state_label}」，结束后期跟踪后才能评估")
    existing = Evaluation.objects.filter(case=case).first()
    if existing is not None and existing.submitted_at:
        raise ProcedureError("评估报告已提交工作组，内容已冻结")
    errors: dict[str, str] = {}
    values = {
        name: clean_text(
            data.get(name, getattr(existing, name, "")),
            field=name,
            label=label,
            max_length=20000,
            required=submit,
            errors=errors,
        )
        for name, label in Evaluation.FIELDS.items()
    }
    if errors:
        raise invalid(
            errors,
            "评估报告不完整：" + "、".join(Evaluation.FIELDS[k] for k in errors if k in Evaluation.FIELDS),
        )
    at = now_or(now)
    with transaction.atomic():
        old = audit_snapshot(existing) if existing else None
        evaluation, _ = Evaluation.objects.update_or_create(
            case=case,
            defaults={**values, "submitted_at": at if submit else None},
            create_defaults={
                **values,
                "created_by": user,
                "created_at": at,
                "submitted_at": at if submit else None,
            },
        )
        audit_record(
            actor=user,
            action="evaluation.submit" if submit else "evaluation.save",
            obj=evaluation,
            old=old,
            new=audit_snapshot(evaluation),
        )
        if submit:
            group = role_holders(flow.LEADERS)
            notify_after_commit(
                group,
                f"【评估报告】{case.title}",
                "评估报告已提交工作组，请审阅并结案。",
                f"/cases/{case.pk}/",
                level=case.severity,
                subject=task_subject(case, "close"),  # closed with the case (notify's case.closed handler)
            )
    return evaluation


# --- post-handling (后期处置) ----------------------------------------------------------------------


def tracking_check(*, now: datetime | None = None) -> list[Case]:
    """Restart (→ 处置中) every case in 后期跟踪 whose event grew past the reopen thresholds since tracking
    began: at least ``reopen_growth`` new items, of which at least ``reopen_negative_share`` negative.
    The system makes the move: an audit entry with no user, and an alert to the office and leaders."""
    cfg = ProcedureSettings.current()
    restarted = []
    for case in Case.objects.filter(state=cv.TRACKING, event__isnull=False):
        base = case.tracking_baseline or {}
        qs = Item.objects.filter(event_id=case.event_id or 0)
        size, negative = qs.count(), qs.filter(sentiment="negative").count()
        grown = size - int(base.get("size", 0))
        new_negative = negative - int(base.get("negative", 0))
        if grown < cfg.reopen_growth or new_negative < cfg.reopen_negative_share * grown:
            continue
        reason = (
            f"后期跟踪期间舆情再起：新增 {grown} 条信息，其中负面 {new_negative} 条"
            f"（阈值：新增≥{cfg.reopen_growth} 且负面占比≥{cfg.reopen_negative_share:.0%}）"
        )
        # The restart and the re-armed alert (events) commit together, or neither does.
        with transaction.atomic():
            case = case_transition(case=case, to=cv.RESPONDING, user=None, reason=reason, now=now)
            run_hooks("case.restarted", case=case, reason=reason, now=now)
        restarted.append(case)
    return restarted


def tracking_end(*, case: Case, user: Any, reason: str = "", now: datetime | None = None) -> Case:
    """The office ends tracking: → 评估中."""
    return case_transition(
        case=case, to=cv.EVALUATING, user=user, reason=reason or "舆情负面影响已有效控制", now=now
    )
