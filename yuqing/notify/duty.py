"""Who is on duty and who an unacknowledged alert goes to: the 值班表 (duty roster), the escalation chain.

The one place for these reads; alerts (:mod:`yuqing.events.alerts`), the 值班表 page and the duty API ask
here. It lives in ``notify`` because the roster (:class:`~yuqing.notify.models.DutyShift`) does, and
``notify`` builds on ``org`` (roles), never the reverse.

What "on duty" means
--------------------
A person is **on duty** at a moment when a 值班表 shift covers it (:func:`on_duty_user_ids`). That is the
only meaning: they get the first page of every alert raised then.

``RoleAssignment.on_duty`` is not a second roster. It marks the office's **standing duty member**
(应急办值班成员): the first *level* of the organisation's chain (:data:`ESCALATION_LEVELS`), paged after
whoever the roster has on duty and before the office's 副主任. An office member without the mark is not in
the chain at all.

The chain
---------
:func:`alert_chain` is frozen onto each alert when it is raised (and again when it is re-armed):

1. whoever the 值班表 has on duty now, then the explicit list of escalation contacts, if there is one;
2. else the organisation's chain (:func:`escalation_chain`):
   值班表 → 值班成员 → 副主任 → 主任 → 副组长 → 组长;
3. else the active superusers, so an alert always reaches someone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from yuqing.notify.models import DutyShift
from yuqing.org import access
from yuqing.org.selectors import current_assignments

# The organisation's levels of the chain, in order (design.md: 值班人员 first). Each level is one or more
# people; ``True`` means only those marked ``RoleAssignment.on_duty`` (the standing duty member). A person
# holding several of these roles appears once, at the first.
ESCALATION_LEVELS: tuple[tuple[str, bool], ...] = (
    (access.OFFICE_MEMBER, True),  # only the standing duty member(s)
    (access.OFFICE_DEPUTY, False),
    (access.OFFICE_DIRECTOR, False),
    (access.GROUP_DEPUTY, False),
    (access.GROUP_LEADER, False),
)


def _window(at: date | datetime | None) -> tuple[datetime, datetime]:
    """``[start, end)`` to test shifts against: an instant, or the whole local day of a date."""
    if at is None or isinstance(at, datetime):
        moment = at or timezone.now()
        return moment, moment
    start = timezone.make_aware(datetime.combine(at, time.min))
    return start, start + timedelta(days=1)


def duty_shifts_at(at: date | datetime | None = None) -> QuerySet[DutyShift]:
    """Shifts covering ``at`` (now by default; a date means any time that day), earliest start first."""
    start, end = _window(at)
    if start == end:
        qs = DutyShift.objects.filter(start__lte=start, end__gt=start)
    else:
        qs = DutyShift.objects.filter(start__lt=end, end__gt=start)
    return qs.select_related("person__user", "person__department").order_by("start", "id")


def on_duty_user_ids(at: date | datetime | None = None) -> list[int]:
    """User ids of whoever is on duty at ``at`` per the 值班表, active accounts only, each once. One query."""
    ids: list[int] = []
    rows = duty_shifts_at(at).filter(person__user__is_active=True).values_list("person__user_id", flat=True)
    for user_id in rows:
        if user_id not in ids:
            ids.append(user_id)
    return ids


def on_duty_users(at: date | datetime | None = None) -> list[Any]:
    """The users on duty at ``at`` (see :func:`on_duty_user_ids`), in the roster's order."""
    ids = on_duty_user_ids(at)
    users = get_user_model().objects.in_bulk(ids)
    return [users[i] for i in ids if i in users]


def week_shifts(day: date | None = None) -> tuple[date, QuerySet[DutyShift]]:
    """Monday of the week of ``day`` and the shifts overlapping that week."""
    day = day or timezone.localdate()
    monday = day - timedelta(days=day.weekday())
    start = timezone.make_aware(datetime.combine(monday, time.min))
    qs = DutyShift.objects.filter(start__lt=start + timedelta(days=7), end__gt=start)
    return monday, qs.select_related("person__department").order_by("start", "id")


def week_roster(day: date | None = None) -> tuple[date, list[dict[str, Any]]]:
    """The 值班表 of the week of ``day``, one row per day: each shift once, on the day it starts (a shift
    begun before the Monday on the Monday); a day no shift starts but one runs into gets it as
    ``carried`` (shown as a continuation, not as a second shift). One query."""
    monday, qs = week_shifts(day)
    shifts = list(qs)
    today = timezone.localdate()
    days: list[dict[str, Any]] = []
    for offset in range(7):
        current = monday + timedelta(days=offset)
        begin = timezone.make_aware(datetime.combine(current, time.min))
        end = begin + timedelta(days=1)
        starting = [s for s in shifts if begin <= s.start < end or (offset == 0 and s.start < begin)]
        carried = [] if starting else [s for s in shifts if s.start < begin and s.end > begin]
        days.append({"date": current, "shifts": starting, "carried": carried, "today": current == today})
    return monday, days


def escalation_chain(*, at: date | datetime | None = None) -> list[int]:
    """User ids of the organisation's alert chain: whoever the 值班表 has on duty at ``at`` → 应急办值班成员
    → 副主任 → 主任 → 副组长 → 组长 (:data:`ESCALATION_LEVELS`); active accounts only. Two queries."""
    rows = (
        current_assignments(at=at, roles={role for role, _ in ESCALATION_LEVELS})
        .filter(person__user__is_active=True)
        .values_list("role", "on_duty", "person__user_id")
    )
    marked_only = {role for role, only_on_duty in ESCALATION_LEVELS if only_on_duty}
    by_role: dict[str, list[int]] = {}
    for role, standing_duty, user_id in rows:
        if role in marked_only and not standing_duty:
            continue
        by_role.setdefault(role, []).append(user_id)
    chain: list[int] = on_duty_user_ids(at)
    for role, _ in ESCALATION_LEVELS:
        for user_id in by_role.get(role, []):
            if user_id not in chain:
                chain.append(user_id)
    return chain


def alert_chain(contacts: Iterable[int] = ()) -> list[int]:
    """The chain to freeze onto an alert raised now: whoever the 值班表 has on duty, then ``contacts`` (the
    explicit escalation list, user ids in order) if any; else the organisation's chain; else the active
    superusers."""
    chain = list(contacts)
    if chain:
        on_duty = on_duty_user_ids()
        chain = [*on_duty, *(u for u in chain if u not in on_duty)]
    if not chain:
        chain = escalation_chain()
    if not chain:
        chain = list(
            get_user_model()
            .objects.filter(is_active=True, is_superuser=True)
            .order_by("id")
            .values_list("id", flat=True)
        )
    return chain
