"""Deadlines of the procedure: set, met, cancelled by the step that owns them; swept when missed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models, transaction

from yuqing.audit.services import audit_record
from yuqing.cases.models import AccountabilityRecord, Case, Deadline
from yuqing.cases.services.common import notify_after_commit, now_or, user_label
from yuqing.org import access
from yuqing.org.models import Person
from yuqing.org.selectors import current_assignments, role_holders


def _ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def deadline_set(
    *,
    case: Case,
    kind: str,
    title: str,
    due_at: datetime,
    obj: models.Model | None = None,
    department_id: int | None = None,
    owner: Any = None,
    now: datetime | None = None,
) -> Deadline:
    """Create a deadline (call inside the step's transaction; the step's audit entry covers it)."""
    object_type, object_id = _ref(obj)
    return Deadline.objects.create(
        case=case,
        kind=kind,
        title=title[:300],
        object_type=object_type,
        object_id=object_id,
        department_id=department_id,
        owner=owner,
        created_at=now_or(now),
        due_at=due_at,
    )


def deadlines_meet(
    *, case: Case, kind: str, obj: models.Model | None = None, at: datetime | None = None
) -> int:
    """Mark the open deadlines of ``kind`` (for ``obj`` when given) met at ``at``."""
    qs = Deadline.objects.filter(case=case, kind=kind, met_at__isnull=True, cancelled_at__isnull=True)
    if obj is not None:
        object_type, object_id = _ref(obj)
        qs = qs.filter(object_type=object_type, object_id=object_id)
    return qs.update(met_at=now_or(at))


def deadlines_cancel(*, case: Case, kinds: set[str] | None = None, at: datetime | None = None) -> int:
    qs = Deadline.objects.filter(case=case, met_at__isnull=True, cancelled_at__isnull=True)
    if kinds is not None:
        qs = qs.filter(kind__in=sorted(kinds))
    return qs.update(cancelled_at=now_or(at))


def _responsible_person(deadline: Deadline) -> tuple[Any, str]:
    """Who answers for a missed deadline: its owner, else the department's head, else the office's
    director (三(五): 科室负责人和处置责任人负直接责任)."""
    if deadline.owner_id:
        person = Person.objects.filter(user_id=deadline.owner_id).first()
        return person, person.name if person else user_label(deadline.owner)
    roles = {access.DEPARTMENT_HEAD} if deadline.department_id else {access.OFFICE_DIRECTOR}
    qs = current_assignments(roles=roles)
    if deadline.department_id:
        qs = qs.filter(department_id=deadline.department_id)
    row = qs.first()
    if row is None:
        return None, "（未指定责任人）"
    return row.person, row.person.name


def deadlines_sweep(*, now: datetime | None = None) -> int:
    """Mark every open deadline past due as missed, once: an audit entry, a notice to the office, and —
    for reports (迟报) — an accountability record awaiting a decision. Returns how many were marked."""
    at = now_or(now)
    ids = list(
        Deadline.objects.filter(
            met_at__isnull=True, cancelled_at__isnull=True, missed_at__isnull=True, due_at__lt=at
        ).values_list("id", flat=True)[:500]
    )
    marked = 0
    for deadline_id in ids:
        with transaction.atomic():
            deadline = (
                Deadline.objects.select_for_update().select_related("case").filter(pk=deadline_id).first()
            )
            if deadline is None or deadline.missed_at or deadline.met_at or deadline.cancelled_at:
                continue
            deadline.missed_at = at
            deadline.save(update_fields=["missed_at"])
            audit_record(
                actor=None,
                action="deadline.missed",
                obj=deadline,
                old={"status": "open"},
                new={"status": "missed", "due_at": deadline.due_at, "kind": deadline.kind},
            )
            if deadline.kind in Deadline.REPORTING:
                person, name = _responsible_person(deadline)
                record = AccountabilityRecord.objects.create(
                    case=deadline.case,
                    person=person,
                    person_name=name[:50],
                    responsibility="direct",
                    reason=f"迟报：{deadline.title}，时限 {deadline.due_at:%Y-%m-%d %H:%M}，超期未报",
                    recorded_by=None,
                    recorded_at=at,
                    deadline=deadline,
                )
                audit_record(
                    actor=None, action="accountability.late_report", obj=record, new={"reason": record.reason}
                )
            heads = role_holders({access.OFFICE_DIRECTOR, access.OFFICE_DEPUTY})
            owner = [deadline.owner] if deadline.owner_id else []
            notify_after_commit(
                [*heads, *owner],
                f"【超期】{deadline.title}",
                f"案件「{deadline.case.title}」的时限 {deadline.due_at:%m-%d %H:%M} 已过，尚未完成。",
                f"/cases/{deadline.case_id}/",
                level=deadline.case.severity,
            )
            marked += 1
    return marked
