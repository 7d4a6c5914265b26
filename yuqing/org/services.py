"""Writes on the organisation and on accounts. Each one is audited in its own transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from yuqing.audit.services import audit_record, audit_snapshot
from yuqing.org import access
from yuqing.org.models import ApiToken, Department, Person, RoleAssignment, TrainingRecord, hash_token


class OrgError(ValueError):
    """A refused change to the organisation; the text says why."""


def api_token_create(*, user: User, name: str = "", actor: Any = None) -> str:
    """Create a token for ``user`` and return it; only its hash is stored (and audited: never the token)."""
    token = ApiToken.generate()
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user, name=name[:100], prefix=token[:10], token_hash=hash_token(token)
        )
        audit_record(
            actor=actor,
            action="token.create",
            obj=row,
            new={"user": user.get_username(), "name": row.name, "prefix": row.prefix},
        )
    return token


def person_create(
    *,
    username: str,
    name: str,
    department: Department | None = None,
    title: str = "",
    phone: str = "",
    skills: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    is_staff: bool = False,
    is_demo: bool = False,
    actor: Any = None,
) -> Person:
    """A login account and its staff profile. Without a password the account cannot log in until an
    administrator sets one; ``password_hash`` (from ``make_password``) lets a loader hash only once."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, password=password, is_staff=is_staff)
        if password_hash is not None:
            user.password = password_hash
            user.save(update_fields=["password"])
        person = Person(
            user=user,
            name=name,
            department=department,
            title=title,
            phone=phone,
            skills=skills,
            is_demo=is_demo,
        )
        person.full_clean()
        person.save()
        audit_record(actor=actor, action="person.create", obj=person, new=audit_snapshot(person))
    return person


def role_assign(
    *,
    person: Person,
    role: str,
    department: Department | None = None,
    start_date: date | None = None,
    on_duty: bool = False,
    note: str = "",
    actor: Any = None,
) -> RoleAssignment:
    """Appoint ``person`` to ``role`` from ``start_date`` (today by default).

    For a role one person holds at a time (组长, 主任; per department: 应急办成员, 科室负责人), the
    current holder's assignment ends on the same day — a handover, recorded as two audited changes.
    """
    if role not in access.ROLE_LABELS:
        raise OrgError(f"未知角色：{role}")
    start = start_date or access.as_day()
    department = department or (person.department if role in access.DEPARTMENT_ROLES else None)
    with transaction.atomic():
        # order_by("id"): the default ordering joins the (nullable) department, and PostgreSQL cannot
        # lock the nullable side of an outer join.
        predecessors = (
            RoleAssignment.objects.select_for_update().filter(role=role, end_date__isnull=True).order_by("id")
        )
        if role in access.PER_DEPARTMENT_ROLES:
            predecessors = predecessors.filter(department=department)
        elif role not in access.SINGLE_HOLDER_ROLES:
            predecessors = predecessors.none()
        for previous in predecessors:
            if previous.person_id == person.id:
                raise OrgError(f"{person} 已担任{access.ROLE_LABELS[role]}")
            if previous.start_date >= start:
                raise OrgError(f"{previous.person} 自 {previous.start_date} 起担任此角色，新任日期须晚于该日")
            role_end(assignment=previous, end_date=start, actor=actor)
        assignment = RoleAssignment(
            person=person, role=role, department=department, start_date=start, on_duty=on_duty, note=note
        )
        assignment.full_clean()
        assignment.save()
        audit_record(actor=actor, action="role.assign", obj=assignment, new=audit_snapshot(assignment))
    return assignment


def role_end(
    *, assignment: RoleAssignment, end_date: date | None = None, actor: Any = None
) -> RoleAssignment:
    """End ``assignment`` on ``end_date`` (today by default: from that day on the role is not held)."""
    end = end_date or access.as_day()
    if assignment.end_date is not None:
        raise OrgError(f"该任职已于 {assignment.end_date} 结束")
    if end <= assignment.start_date:
        raise OrgError(f"卸任日期必须晚于任职日期（{assignment.start_date}）")
    with transaction.atomic():
        assignment.end_date = end
        assignment.on_duty = False
        assignment.save(update_fields=["end_date", "on_duty"])
        audit_record(
            actor=actor,
            action="role.end",
            obj=assignment,
            old={"end_date": None},
            new={"end_date": end},
        )
    return assignment


def duty_set(*, assignment: RoleAssignment, on_duty: bool, actor: Any = None) -> RoleAssignment:
    """Put an office member on (or off) duty: alerts go to the members on duty first."""
    if assignment.role != access.OFFICE_MEMBER:
        raise OrgError("只有舆情应急办成员可以设为值班")
    if on_duty and not assignment.is_current():
        raise OrgError("该任职不在任期内，不能设为值班")
    with transaction.atomic():
        old = assignment.on_duty
        assignment.on_duty = on_duty
        assignment.save(update_fields=["on_duty"])
        audit_record(
            actor=actor, action="role.duty", obj=assignment, old={"on_duty": old}, new={"on_duty": on_duty}
        )
    return assignment


def training_record_add(
    *,
    person: Person,
    course: str,
    date: date,
    hours: Decimal | float | str,
    organizer: str = "",
    notes: str = "",
    actor: Any = None,
) -> TrainingRecord:
    """Record a course ``person`` attended (三(一) 培训)."""
    record = TrainingRecord(
        person=person, course=course, date=date, hours=Decimal(str(hours)), organizer=organizer, notes=notes
    )
    record.full_clean()
    with transaction.atomic():
        record.save()
        audit_record(actor=actor, action="training.record", obj=record, new=audit_snapshot(record))
    return record
