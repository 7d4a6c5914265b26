"""Reads of the organisation: who holds a role now, the escalation chain, the roster."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Count, DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from yuqing.org import access
from yuqing.org.models import Person, RoleAssignment

# Who an unacknowledged alert goes to, in order (design.md: 值班人员 first). Each level is one or more
# people; a person holding several of these roles appears once, at the first.
ESCALATION_LEVELS: tuple[tuple[str, bool], ...] = (
    (access.OFFICE_MEMBER, True),  # only the members on duty
    (access.OFFICE_DEPUTY, False),
    (access.OFFICE_DIRECTOR, False),
    (access.GROUP_DEPUTY, False),
    (access.GROUP_LEADER, False),
)


def current_assignments(
    *, at: date | datetime | None = None, roles: frozenset[str] | set[str] | None = None
) -> QuerySet[RoleAssignment]:
    qs = RoleAssignment.objects.filter(access.current_q(at)).select_related("person__user", "department")
    if roles is not None:
        qs = qs.filter(role__in=sorted(roles))
    return qs.order_by("role", "department__position", "start_date", "id")


def role_holders(
    roles: frozenset[str] | set[str] | None,
    *,
    department_id: int | None = None,
    at: date | datetime | None = None,
) -> list[Any]:
    """The users holding any of ``roles`` (None: any role) now or at ``at``, each once, in assignment
    order; optionally only those representing ``department_id``. One query."""
    qs = current_assignments(at=at, roles=roles)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    users: dict[int, Any] = {}
    for a in qs:
        users.setdefault(a.person.user_id, a.person.user)
    return list(users.values())


def escalation_chain(*, at: date | datetime | None = None) -> list[int]:
    """User ids of the default alert chain from the organisation: whoever the 值班表 has on duty at
    ``at`` → 应急办值班成员 → 副主任 → 主任 → 副组长 → 组长; active accounts only. Two queries."""
    from yuqing.notify.selectors import on_duty_user_ids  # notify builds on org, not the reverse

    rows = (
        current_assignments(at=at, roles={role for role, _ in ESCALATION_LEVELS})
        .filter(person__user__is_active=True)
        .values_list("role", "on_duty", "person__user_id")
    )
    by_role: dict[str, list[int]] = {}
    for role, on_duty, user_id in rows:
        if role == access.OFFICE_MEMBER and not on_duty:
            continue
        by_role.setdefault(role, []).append(user_id)
    chain: list[int] = on_duty_user_ids(at)
    for role, _ in ESCALATION_LEVELS:
        for user_id in by_role.get(role, []):
            if user_id not in chain:
                chain.append(user_id)
    return chain


def org_structure(*, at: date | datetime | None = None) -> dict[str, list[RoleAssignment]]:
    """Current assignments of the working group and the office, by role (for the roster's header)."""
    structure: dict[str, list[RoleAssignment]] = {}
    for a in current_assignments(at=at, roles=access.WORKING_GROUP | access.OFFICE):
        structure.setdefault(a.role, []).append(a)
    return structure


def roster(*, role: str = "", department_id: int | None = None, q: str = "") -> QuerySet[Person]:
    """People with their current assignments (``current_assignments``), training hours and course count.

    Three queries whatever the number of people (people, their assignments, nothing per row)."""
    qs = (
        Person.objects.filter(user__is_active=True)
        .select_related("department", "user")
        .annotate(
            training_hours=Coalesce(
                Sum("trainings__hours"), Value(0), output_field=DecimalField(max_digits=7, decimal_places=1)
            ),
            training_count=Count("trainings"),
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=RoleAssignment.objects.filter(access.current_q()).select_related("department"),
                to_attr="current_assignments",
            )
        )
        .order_by("department__position", "id")
    )
    if role:
        # A subquery, not a join: a join would repeat training rows and inflate the sums.
        holders = RoleAssignment.objects.filter(access.current_q(), role=role).values("person_id")
        qs = qs.filter(id__in=holders)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(skills__icontains=q) | Q(title__icontains=q))
    return qs
