"""The case's 舆情等级 follows its event: it rises with the event (the system, through the hook
``event.severity_raised``); lowering it is a person's decision with a reason (``case_severity_set``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from yuqing import vocab
from yuqing.audit.services import audit_record
from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case, Deadline, ProcedureSettings, VerificationStatus
from yuqing.cases.services.common import (
    ProcedureError,
    clean_text,
    invalid,
    notify_after_commit,
    now_or,
    require_role,
)
from yuqing.org.selectors import role_holders

SEVERITY_SETTERS = flow.SEVERITY_SETTERS


def _rank(severity: str) -> int:
    return vocab.SEVERITY_ORDER.index(severity)


def _label(severity: str) -> str:
    return str(vocab.SEVERITIES.get(severity, severity))


def _tighten_deadlines(case: Case, severity: str, at: datetime) -> list[str]:
    """Shorten the open deadlines the level sets (verification, first report) to the new level's, never
    lengthening one; returns the changed deadlines, in words, for the notice."""
    cfg = ProcedureSettings.current()
    changed = []
    rows = Deadline.objects.select_for_update().filter(
        case=case,
        kind__in=["verification", "first_report"],
        met_at__isnull=True,
        cancelled_at__isnull=True,
    )
    for deadline in rows:
        within = (
            cfg.verify_within(severity) if deadline.kind == "verification" else cfg.report_within(severity)
        )
        due = deadline.created_at + within
        if due >= deadline.due_at:
            continue
        deadline.due_at = due
        deadline.save(update_fields=["due_at"])
        if deadline.kind == "verification" and deadline.object_id:
            case.verifications.filter(pk=deadline.object_id, status=VerificationStatus.OPEN).update(
                due_at=due
            )
        local = timezone.localtime(due)
        changed.append(f"{deadline.title}：{local.month}月{local.day}日 {local:%H:%M} 前")
    return changed


def _set(case: Case, severity: str, *, actor: Any, reason: str, at: datetime) -> str:
    """Lock, save, audit ``case.severity``, tighten the deadlines, notify; returns the old level."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        old = locked.severity
        locked.severity = severity
        locked.save(update_fields=["severity"])
        raised = _rank(severity) > _rank(old)
        changed = _tighten_deadlines(locked, severity, at) if raised else []
        audit_record(
            actor=actor,
            action="case.severity",
            obj=locked,
            old={"severity": old},
            new={"severity": severity, "reason": reason, "deadlines": changed},
        )
        people = list(role_holders(flow.OFFICE))
        if ProcedureSettings.is_major(severity):
            people += list(role_holders(flow.LEADERS))
        if locked.department_id and changed:
            people += list(role_holders(flow.DEPARTMENT, department_id=locked.department_id))
        verb = "升为" if raised else "调整为"
        notify_after_commit(
            people,
            f"【等级{verb}{_label(severity)}】{locked.title}",
            f"案件舆情等级由{_label(old)}{verb}{_label(severity)}：{reason}"
            + (f"。新的时限：{'；'.join(changed)}" if changed else ""),
            f"/cases/{locked.pk}/",
            level=severity,
        )
    case.severity = severity
    return old


def case_severity_follow_event(*, event: Any, now: datetime | None = None) -> list[Case]:
    """The event's level rose: each open case of the event below it rises with it (the system's act)."""
    at = now_or(now)
    raised = []
    for case in Case.objects.filter(event_id=event.pk, state__in=sorted(cv.OPEN_STATES)):
        if _rank(event.severity) > _rank(case.severity):
            _set(
                case,
                event.severity,
                actor=None,
                reason=f"舆情事件等级升为{_label(event.severity)}，案件随之升级",
                at=at,
            )
            raised.append(case)
    return raised


def case_severity_set(
    *, case: Case, user: Any, severity: str, reason: str, now: datetime | None = None
) -> Case:
    """A person sets the case's level — lowering it is always a person's decision — with a reason."""
    require_role(user, SEVERITY_SETTERS, "调整舆情等级")
    errors: dict[str, str] = {}
    if severity not in vocab.SEVERITIES:
        errors["severity"] = f"舆情等级须为{'、'.join(str(v) for v in vocab.SEVERITIES.values())}之一"
    reason = clean_text(reason, field="reason", label="理由", max_length=2000, required=True, errors=errors)
    if errors:
        raise invalid(errors)
    if case.state == cv.CLOSED:
        raise ProcedureError("案件已结案，不能调整舆情等级")
    if severity == case.severity:
        raise ProcedureError(f"案件已是{_label(severity)}")
    _set(case, severity, actor=user, reason=reason, at=now_or(now))
    return case
