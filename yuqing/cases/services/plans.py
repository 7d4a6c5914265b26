"""应急响应 (二(四)): the response plan — drafted by the office, approved or returned by 组长/副组长, frozen
when approved, launched into handling tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from yuqing.audit.services import audit_record, audit_snapshot
from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case, HandlingAction, PlanStatus, ResponsePlan
from yuqing.cases.services.case import refuse_unless_open
from yuqing.cases.services.common import (
    ProcedureError,
    clean_text,
    forbidden,
    invalid,
    notify_after_commit,
    now_or,
    parse_time,
    require_role,
    signature_create,
    task_done,
    task_subject,
    user_label,
)
from yuqing.cases.services.follow import case_follow
from yuqing.cases.services.response import WRITERS, _action_create, _user
from yuqing.core.statemachine import Move, StateMachine
from yuqing.org.selectors import role_holders

# --- response plan (应急响应) -----------------------------------------------------------------------


def _plan_values(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "summary": clean_text(
            data.get("summary"),
            field="summary",
            label="处置意见与总体思路",
            max_length=20000,
            required=True,
            errors=errors,
        ),
        "resources": clean_text(
            data.get("resources"), field="resources", label="所需资源", max_length=5000, errors=errors
        ),
        "task_force": clean_text(
            data.get("task_force"), field="task_force", label="临时工作组", max_length=5000, errors=errors
        ),
        "on_site": bool(data.get("on_site")),
    }
    measures = data.get("measures") or []
    if not isinstance(measures, list) or not measures:
        errors["measures"] = "应对方案至少要有一项措施（措施、责任人、完成时限）"
        measures = []
    cleaned = []
    for i, m in enumerate(measures, 1):
        m = m if isinstance(m, dict) else {}
        text = clean_text(
            m.get("measure"),
            field=f"measures[{i}].measure",
            label=f"第{i}项措施",
            max_length=500,
            required=True,
            errors=errors,
        )
        owner = _user(
            m.get("owner_id"), field=f"measures[{i}].owner_id", label=f"第{i}项措施的责任人", errors=errors
        )
        due = parse_time(
            m.get("due_at"),
            field=f"measures[{i}].due_at",
            label=f"第{i}项措施的完成时限",
            errors=errors,
            after=now,
        )
        if due is None and f"measures[{i}].due_at" not in errors:
            errors[f"measures[{i}].due_at"] = f"请填写第{i}项措施的完成时限"
        row: dict[str, Any] = {
            "measure": text,
            "owner_id": owner.pk if owner else None,
            "owner": user_label(owner) if owner else "",
            "due_at": due.isoformat() if due else "",
            "kind": str(m.get("kind") or "other")
            if str(m.get("kind") or "other") in HandlingAction.KINDS
            else "other",
        }
        cleaned.append(row)
    values["measures"] = cleaned
    if errors:
        raise invalid(errors)
    return values


PLANS = StateMachine(
    ResponsePlan,
    {
        "submit": Move({PlanStatus.DRAFT}, PlanStatus.SUBMITTED, "应对方案{label}，不能报批"),
        "approve": Move({PlanStatus.SUBMITTED}, PlanStatus.APPROVED, "应对方案{label}，不在待审批状态"),
        "return": Move({PlanStatus.SUBMITTED}, PlanStatus.RETURNED, "应对方案{label}，不在待审批状态"),
    },
    audit_prefix="plan",
    error=ProcedureError,
)


def response_plan_draft(
    *, case: Case, user: Any, data: dict[str, Any], now: datetime | None = None
) -> ResponsePlan:
    """Draft a new version of the response plan (the first, or the next after one was returned)."""
    require_role(user, WRITERS, "起草应对方案")
    refuse_unless_open(case, "起草应对方案")
    if case.plans.filter(status__in=[PlanStatus.DRAFT, PlanStatus.SUBMITTED]).exists():
        raise ProcedureError("已有一份草稿或待审批的应对方案；请修改它，或等待审批结果")
    if case.state not in (cv.REPORTED, cv.PLAN_PENDING, cv.RESPONDING):
        raise ProcedureError(f"案件处于「{case.state_label}」，须先完成核实并报告情况，再起草应对方案")
    at = now_or(now)
    values = _plan_values(data, at)
    with transaction.atomic():
        version = (case.plans.order_by("-version").values_list("version", flat=True).first() or 0) + 1
        plan = ResponsePlan.objects.create(
            case=case, version=version, created_by=user, created_at=at, **values
        )
        audit_record(actor=user, action="plan.draft", obj=plan, new=audit_snapshot(plan))
    return plan


def response_plan_update(
    *, plan: ResponsePlan, user: Any, data: dict[str, Any], now: datetime | None = None
) -> ResponsePlan:
    require_role(user, WRITERS, "修改应对方案")
    if plan.status != PlanStatus.DRAFT:
        raise ProcedureError(f"应对方案{plan.status_label}，不能修改；退回的方案请起草新版本")
    values = _plan_values({**audit_snapshot(plan), **data}, now_or(now))
    with transaction.atomic():
        old = audit_snapshot(plan)
        for name, value in values.items():
            setattr(plan, name, value)
        plan.save()
        audit_record(actor=user, action="plan.update", obj=plan, old=old, new=audit_snapshot(plan))
    return plan


def response_plan_submit(*, plan: ResponsePlan, user: Any, now: datetime | None = None) -> ResponsePlan:
    """报批: the plan goes to 组长/副组长; a case still at 已报告 moves to 方案待审批."""
    require_role(user, WRITERS, "应对方案报批")
    at = now_or(now)
    case = plan.case

    def apply(locked: ResponsePlan) -> None:
        locked.submitted_at = at

    def then(locked: ResponsePlan) -> None:
        # the case follows: 已报告 → 方案待审批, in the system's name
        case_follow(case=case, to=cv.PLAN_PENDING, reason=f"应对方案第{plan.version}版报批", now=at)

        leaders = role_holders(flow.LEADERS)
        notify_after_commit(
            leaders,
            f"【方案待审批】{case.title}",
            f"应对方案第{plan.version}版待您审批。",
            f"/cases/{case.pk}/",
            level=case.severity,
            subject=task_subject(locked, "approve"),
        )

    PLANS.transition(plan, "submit", user=user, apply=apply, then=then)
    return plan


def response_plan_decide(
    *, plan: ResponsePlan, user: Any, approve: bool, comments: str = "", now: datetime | None = None
) -> ResponsePlan:
    """组长/副组长 approve (freezing the plan: hash + Signature) or return it with comments. Nobody
    approves a plan they drafted. Approval is the launch: in the same transaction the plan's measures
    become handling tasks and the case moves to 处置中 (the system's move, ``flow.Rule.auto``)."""
    held = require_role(user, flow.LEADERS, "审批应对方案")
    if plan.created_by_id == user.pk:
        raise forbidden("不能审批自己起草的应对方案")
    errors: dict[str, str] = {}
    comments = clean_text(
        comments, field="comments", label="审批意见", max_length=5000, required=not approve, errors=errors
    )
    if errors:
        raise invalid(errors)
    at = now_or(now)

    # Locked and read again (PLANS.transition): two leaders deciding at once, or a page loaded before the
    # other's decision — the later one is refused instead of overwriting the first decision (and its
    # signature).
    def apply(locked: ResponsePlan) -> dict[str, Any]:
        locked.decided_by = user
        locked.decided_at = at
        locked.comments = comments
        if approve:
            content = {
                k: v
                for k, v in audit_snapshot(locked).items()
                if k in ("case_id", "version", "summary", "measures", "resources", "task_force", "on_site")
            }
            signature = signature_create(
                case=locked.case,
                obj=locked,
                signer=user,
                role=sorted(held & flow.LEADERS)[0],
                purpose="审批",
                content=content,
                at=at,
            )
            locked.content_hash = signature.content_hash
        task_done(locked, "approve")  # approved or returned: the leaders' 待审批 is over either way
        notify_after_commit(
            [locked.created_by],
            f"【方案{'已批准' if approve else '被退回'}】{locked.case.title}",
            comments or "应对方案已批准，应急响应已启动，各项措施已布置。",
            f"/cases/{locked.case_id}/",
            level=locked.case.severity,
        )
        return {"comments": comments}

    def then(locked: ResponsePlan) -> None:
        if approve:
            _launch(locked, user=user, at=at)

    PLANS.transition(plan, "approve" if approve else "return", user=user, apply=apply, then=then)
    plan.refresh_from_db()
    return plan


def _launch(plan: ResponsePlan, *, user: Any, at: datetime) -> Case:
    """Launch an approved plan inside the caller's transaction: the case moves to 处置中 (when it waits
    for the plan), each measure becomes a handling task, ``plan.launch`` is audited."""
    case = Case.objects.get(pk=plan.case_id)
    if case.state == cv.PLAN_PENDING:
        case_follow(
            case=case,
            to=cv.RESPONDING,
            reason=f"{user_label(user)}批准应对方案第{plan.version}版，启动应急响应",
            now=at,
        )
    elif case.state != cv.RESPONDING:
        raise ProcedureError(f"案件处于「{case.state_label}」，不能启动应对方案")
    plan.launched_at = at
    plan.save(update_fields=["launched_at"])
    for m in plan.measures:
        _action_create(
            case=case,
            user=user,
            kind=m.get("kind", "other"),
            title=m["measure"],
            owner_id=m["owner_id"],
            due_at=parse_datetime(m["due_at"]),
            at=at,
        )
    audit_record(actor=user, action="plan.launch", obj=plan, new={"launched_at": at})
    return case


def response_plan_launch(*, plan: ResponsePlan, user: Any, now: datetime | None = None) -> Case:
    """启动应急预案 for an approved plan not launched yet (approval launches the plan itself; this is
    kept for plans approved before that, and for the API)."""
    require_role(user, flow.LEADERS, "启动应对方案")
    at = now_or(now)
    with transaction.atomic():
        # Locked and read again: a plan launched meanwhile (its approval, another leader, a stale page) is
        # not launched twice, which would create its handling tasks twice.
        plan.refresh_from_db(from_queryset=ResponsePlan.objects.select_for_update())
        if plan.launched_at:
            raise ProcedureError("该应对方案已启动（批准时即已启动）")
        if plan.status != PlanStatus.APPROVED:
            raise ProcedureError("只有已批准的应对方案可以启动")
        case = _launch(plan, user=user, at=at)
    case.refresh_from_db()
    return case
