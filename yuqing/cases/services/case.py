"""Opening cases and moving them through the procedure — the one door for ``Case.state``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from yuqing import vocab
from yuqing.audit.services import audit_record
from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.access import department_of_case
from yuqing.cases.models import (
    ActionStatus,
    Case,
    CaseTransition,
    PlanStatus,
    ProcedureSettings,
    ReportStatus,
    VerificationStatus,
)
from yuqing.cases.services.common import (
    ProcedureError,
    clean_text,
    forbidden,
    invalid,
    notify_after_commit,
    now_or,
    require_role,
)
from yuqing.cases.services.deadlines import deadline_set, deadlines_cancel, deadlines_meet
from yuqing.core.hooks import run_hooks
from yuqing.events.models import Alert, Event, SeveritySettings
from yuqing.items.models import Item
from yuqing.org import access
from yuqing.org.models import Department
from yuqing.org.selectors import role_holders

OPENERS = flow.OFFICE | flow.LEADERS


def case_open(
    *,
    user: Any,
    title: str,
    severity: str = "",
    description: str = "",
    event_id: int | None = None,
    alert_id: int | None = None,
    department_id: int | None = None,
    confidentiality: int = 0,
    now: datetime | None = None,
) -> Case:
    """Open a case by hand or from an event / alert (severity defaults to theirs). An event or alert
    already handled by an open case is refused, naming that case, so one story has one file."""
    if user is not None or alert_id is None:
        require_role(user, OPENERS, "立案")  # only an alert's automatic case has no user
    errors: dict[str, str] = {}
    event = alert = None
    if alert_id is not None:
        alert = Alert.objects.select_related("event").filter(pk=alert_id).first()
        if alert is None:
            errors["alert_id"] = f"预警 {alert_id} 不存在"
        elif event_id is None:
            event_id = alert.event_id
    if event_id is not None:
        event = Event.objects.filter(pk=event_id).first()
        if event is None:
            errors["event_id"] = f"舆情事件 {event_id} 不存在"
    title = clean_text(title, field="title", label="案件名称", max_length=300, required=False, errors=errors)
    if not title and event is not None:
        title = event.title[:300]
    if not title and "title" not in errors:
        errors["title"] = "请填写案件名称"
    description = clean_text(
        description, field="description", label="舆情线索", max_length=20000, errors=errors
    )
    if not severity:
        severity = alert.level if alert else (event.severity if event else "")
    if severity not in vocab.SEVERITIES:
        errors["severity"] = f"舆情等级须为 {'、'.join(vocab.SEVERITIES)} 之一"
    if department_id is not None and not Department.objects.filter(pk=department_id, active=True).exists():
        errors["department_id"] = f"科室 {department_id} 不存在或已停用"
    from django.conf import settings

    if not isinstance(confidentiality, int) or not 0 <= confidentiality < len(
        settings.CONFIDENTIALITY_LEVELS
    ):
        errors["confidentiality"] = f"密级须为 0–{len(settings.CONFIDENTIALITY_LEVELS) - 1}"
    if errors:
        raise invalid(errors)
    at = now_or(now)
    with transaction.atomic():
        if event is not None:
            existing = Case.objects.filter(event=event, state__in=sorted(cv.OPEN_STATES)).first()
            if existing is not None:
                raise ProcedureError(f"该舆情事件已在办理中：{existing}（状态：{existing.state_label}）")
        case = Case.objects.create(
            title=title,
            description=description,
            severity=severity,
            event=event,
            alert=alert,
            department_id=department_id,
            confidentiality=confidentiality,
            opened_by=user,
            opened_at=at,
            state_changed_at=at,
        )
        audit_record(
            actor=user,
            action="case.open",
            obj=case,
            new={
                "title": title,
                "severity": severity,
                "event_id": event_id,
                "alert_id": alert_id,
                "department_id": department_id,
                "confidentiality": confidentiality,
            },
        )
        # events acknowledges the alert the case was opened from, releases sets its deadlines
        run_hooks("case.opened", case=case, alert=alert, user=user, now=at)
    return case


def auto_open_refusal(event: Any) -> str:
    """Why an event's alert may not open a case by itself ("" when it may): only a negative, tax-related
    event that a monitoring plan matches opens a case without a person deciding. Anything else stays an
    alert for the office to judge (and open by hand if it sees fit)."""
    reasons = []
    counts = event.sentiment or {}
    total = sum(int(v) for v in counts.values()) or 1
    share = int(counts.get("negative", 0)) / total
    floor = SeveritySettings.current().min_negative_share
    if share < floor:
        reasons.append(f"负面信息仅占 {share:.0%}（本局设置须达 {floor:.0%}）")
    members = Item.objects.filter(event_id=event.pk)
    if not members.filter(tax_related=True).exists():
        reasons.append("事件中没有涉税信息")
    if not members.exclude(matched_plans=[]).exists():
        reasons.append("没有信息命中监测方案")
    return "；".join(reasons)


def case_open_for_alert(alert: Any, *, now: datetime | None = None) -> Case | None:
    """设计：预警达到自动立案起点（默认较大）时自动立案，状态“发现”，无操作人；该事件已有在办案件则不重复。
    只有负面、涉税且命中监测方案的事件才自动立案（:func:`auto_open_refusal`）。"""
    cfg = ProcedureSettings.current()
    if not cfg.auto_open_level:
        return None
    if vocab.SEVERITY_ORDER.index(alert.level) < vocab.SEVERITY_ORDER.index(cfg.auto_open_level):
        return None
    if auto_open_refusal(alert.event):
        return None
    if Case.objects.filter(event_id=alert.event_id, state__in=sorted(cv.OPEN_STATES)).exists():
        return None
    try:
        return case_open(user=None, title="", alert_id=alert.pk, now=now)
    except ProcedureError:
        return None  # opened concurrently by someone else


# --- preconditions ----------------------------------------------------------------------------------
# Each returns "" when the move may go ahead, or the reason it may not (in words the user can act on).


def _verification_assigned(case: Case) -> str:
    if not case.verifications.exclude(status=VerificationStatus.CANCELLED).exists():
        return "请先向事发科室通报舆情线索并布置核实任务"
    return ""


def _verified_and_reported(case: Case) -> str:
    reasons = []
    if not case.verifications.filter(status=VerificationStatus.SUBMITTED).exists():
        reasons.append("事发科室尚未提交核实结果")
    if not case.reports.filter(status__in=[ReportStatus.SIGNED, ReportStatus.ORAL]).exists():
        reasons.append("尚无已签发的书面报告或已记录的口头报告")
    return "；".join(reasons)


def _plan_submitted(case: Case) -> str:
    if not case.plans.filter(status__in=[PlanStatus.SUBMITTED, PlanStatus.APPROVED]).exists():
        return "请先起草应对方案并提交工作组审批"
    return ""


def _plan_approved(case: Case) -> str:
    if not case.plans.filter(status=PlanStatus.APPROVED).exists():
        return "应对方案尚未经组长/副组长批准"
    return ""


def _handled(case: Case) -> str:
    reasons = []
    if case.finding == cv.FINDING_PENDING:
        reasons.append("尚未作出事实认定（属实/部分属实/失实）")
    open_actions = case.actions.filter(status=ActionStatus.OPEN).count()
    if open_actions:
        reasons.append(f"还有 {open_actions} 项处置措施未完成")
    if case.finding in cv.TRUE_FINDINGS:
        if not case.actions.filter(kind__in=["guidance", "disclosure"], status=ActionStatus.DONE).exists():
            reasons.append("情况属实：须至少完成一项主动引导或公开回应措施")
        if not case.accountability.exists():
            reasons.append("情况属实：须记录问责情况")
    elif case.finding == cv.FINDING_FALSE:
        if not case.actions.filter(kind="clarification", status=ActionStatus.DONE).exists():
            reasons.append("情况失实：须至少完成一项澄清措施")
        if not (case.source_requests.exists() or case.actions.filter(kind="source_control").exists()):
            reasons.append("情况失实：须记录源头控制（删除/更正请求）")
    return "；".join(reasons)


def _evaluation_submitted(case: Case) -> str:
    evaluation = getattr(case, "evaluation", None)
    if evaluation is None or evaluation.submitted_at is None:
        return "评估报告尚未提交工作组"
    return ""


PRECONDITIONS: dict[str, Callable[[Case], str]] = {
    "verification_assigned": _verification_assigned,
    "verified_and_reported": _verified_and_reported,
    "plan_submitted": _plan_submitted,
    "plan_approved": _plan_approved,
    "handled": _handled,
    "evaluation_submitted": _evaluation_submitted,
}


def transition_refusal(case: Case, to: str, *, user: Any, reason: str = "") -> ProcedureError | None:
    """Why ``user`` may not move ``case`` to ``to`` now, as the refusal to raise (None when they may): its
    kind is set here, where the reason is known — ``forbidden`` for a missing role, ``conflict`` for the
    state, a missing reason or an unmet precondition. Read-only."""
    rule = flow.TRANSITIONS.get((case.state, to))
    if rule is None:
        return ProcedureError(flow.refusal_for_unknown(case.state, to))
    if user is None:
        if not rule.system:
            return ProcedureError("该操作须由人员办理")
    elif rule.auto:
        return ProcedureError(
            f"「{cv.STATES[to]}」由系统自动转入（{rule.auto}），无需手动办理：请完成该步骤本身"
        )
    else:
        held = access.roles_of(user)
        if not held & rule.roles and not (rule.department and department_of_case(user, case)):
            names = "、".join(access.role_labels(rule.roles))
            extra = "或事发科室" if rule.department else ""
            return forbidden(f"「{rule.label}」须由{names}{extra}办理，您当前没有这些角色")
    if rule.needs_reason and not reason.strip():
        return ProcedureError(f"「{rule.label}」须填写理由")
    if rule.precondition:
        why = PRECONDITIONS[rule.precondition](case)
        if why:
            return ProcedureError(why)
    return None


def transition_check(case: Case, to: str, *, user: Any, reason: str = "") -> str:
    """Why ``user`` may not move ``case`` to ``to`` now ("" when they may). Read-only."""
    refusal = transition_refusal(case, to, user=user, reason=reason)
    return refusal.message if refusal else ""


def case_transition(*, case: Case, to: str, user: Any, reason: str = "", now: datetime | None = None) -> Case:
    """Move ``case`` to ``to``: check the table, the role and the preconditions, save, audit, and
    set or cancel deadlines — in one transaction (joining the caller's when there is one). Refused moves
    raise ProcedureError (``forbidden`` for a missing role, ``conflict`` otherwise) saying why."""
    errors: dict[str, str] = {}
    reason = clean_text(reason, field="reason", label="理由", max_length=2000, errors=errors)
    if errors:
        raise invalid(errors)
    at = now_or(now)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        refusal = transition_refusal(locked, to, user=user, reason=reason)
        if refusal is not None:
            raise refusal
        old = locked.state
        locked.state = to
        locked.state_changed_at = at
        fields = ["state", "state_changed_at"]
        _on_enter(locked, old, to, at, fields)
        locked.save(update_fields=fields)
        CaseTransition.objects.create(
            case=locked, from_state=old, to_state=to, actor=user, reason=reason, at=at
        )
        audit_record(
            actor=user,
            action="case.transition",
            obj=locked,
            old={"state": old},
            new={"state": to, "reason": reason},
        )
        if to == cv.RESPONDING and old in (cv.TRACKING, cv.CLOSED):
            _announce_restart(locked, reason)
        if to == cv.CLOSED:  # 结案 or 不予立案: the event's alerts are handled (events settles them)
            label = flow.TRANSITIONS[(old, to)].label
            run_hooks("case.closed", case=locked, user=user, action=label, reason=reason, now=at)
    case.refresh_from_db()
    return case


def _on_enter(case: Case, old: str, to: str, at: datetime, fields: list[str]) -> None:
    """Deadlines and bookkeeping that come with entering a state."""
    cfg = ProcedureSettings.current()
    if to == cv.REPORTED:
        deadline_set(
            case=case,
            kind="response_plan",
            title="起草应对方案并报工作组审批",
            due_at=at + timedelta(hours=cfg.plan_hours),
            now=at,
        )
    elif to == cv.PLAN_PENDING:
        deadlines_meet(case=case, kind="response_plan", at=at)
    elif to == cv.TRACKING:
        case.tracking_until = at + timedelta(hours=cfg.tracking_hours)
        case.tracking_baseline = _event_snapshot(case)
        fields += ["tracking_until", "tracking_baseline"]
        deadline_set(
            case=case,
            kind="tracking",
            title="后期跟踪期满，决定结束跟踪或重新启动",
            due_at=case.tracking_until,
            now=at,
        )
    elif to == cv.RESPONDING and old in (cv.TRACKING, cv.CLOSED):
        case.restarts += 1
        case.tracking_until = None
        case.closed_at = None
        fields += ["restarts", "tracking_until", "closed_at"]
        deadlines_cancel(case=case, kinds={"tracking"}, at=at)
    elif to == cv.EVALUATING:
        deadlines_meet(case=case, kind="tracking", at=at)
    elif to == cv.CLOSED:
        case.closed_at = at
        fields.append("closed_at")
        deadlines_cancel(case=case, at=at)


def _event_snapshot(case: Case) -> dict[str, Any]:
    """The event's size and negative count when tracking starts: the baseline of the reopen check."""
    if case.event_id is None:
        return {}

    qs = Item.objects.filter(event_id=case.event_id)
    return {"size": qs.count(), "negative": qs.filter(sentiment="negative").count()}


def _announce_restart(case: Case, reason: str) -> None:
    people = role_holders(flow.OFFICE | flow.LEADERS)
    notify_after_commit(
        people,
        f"【重新启动】{case.title}",
        f"案件已重新进入处置：{reason}",
        f"/cases/{case.pk}/",
        level=case.severity,
    )


def available_transitions(case: Case, user: Any) -> list[dict[str, Any]]:
    """The moves out of the case's state with, for each, whether ``user`` may make it now and why not."""
    moves = []
    for to in flow.next_states(case.state):
        rule = flow.TRANSITIONS[(case.state, to)]
        if rule.auto:
            continue  # the system's own moves: nobody presses a button for them
        why = transition_check(case, to, user=user, reason="（待填写）" if rule.needs_reason else "")
        moves.append(
            {
                "to": to,
                "label": rule.label,
                "needs_reason": rule.needs_reason,
                "blocked": why,
                "via": rule.via,
            }
        )
    return moves


def refuse_unless_open(case: Case, doing: str) -> None:
    if case.state == cv.CLOSED:
        raise ProcedureError(f"案件已结案，不能{doing}；如舆情再起，请先重新启动")


__all__ = ["available_transitions", "case_open", "case_transition", "forbidden", "transition_check"]
