"""Reads of the organisation: who holds a role now, the roster; login locks. (The escalation chain and who
is on duty: :mod:`yuqing.notify.duty`.)"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, DecimalField, Max, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from yuqing.org import access
from yuqing.org.models import Person, RoleAssignment


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


# --- login locks -----------------------------------------------------------------------------------
# Read from django-axes' failed-attempt records (AccessAttempt: one row per user name × address × user
# agent, its failure count and the time of its last failure). A row lives for the cool-off after its last
# failure; a successful login deletes that user name's rows for that address, an administrator deleting
# rows lifts the locks they make. The rules (settings: AXES_FAILURE_LIMIT, LOGIN_SPRAY_USERS,
# LOGIN_ACCOUNT_FAILURE_LIMIT, AXES_COOLOFF_TIME) are stated here once; org.backends applies them to
# logins, org.api_auth to tokens, org.middleware to sessions.

LOCK_USER_ADDRESS = "user_address"  # one user name from one address (django-axes' own rule)
LOCK_ADDRESS = "address"  # one address, every user name: password spraying
LOCK_ACCOUNT = "account"  # one user name from every address: a brute force from many addresses


@dataclass(frozen=True)
class LoginLock:
    kind: str
    until: datetime
    failures: int  # failed logins (user name locks) or distinct user names (address lock) that set it

    def minutes_left(self, now: datetime | None = None) -> int:
        """Whole minutes until the lock lifts, rounded up (at least 1)."""
        seconds = (self.until - (now or timezone.now())).total_seconds()
        return max(1, math.ceil(seconds / 60))


def _live_attempts(now: datetime) -> QuerySet[AccessAttempt]:
    # The same window django-axes uses (attempt_time >= now - cool-off).
    return AccessAttempt.objects.filter(attempt_time__gte=now - settings.AXES_COOLOFF_TIME)


def login_user_lock(
    *, username: str | None, ip_address: str | None, now: datetime | None = None
) -> LoginLock | None:
    """The lock on ``username`` for a request from ``ip_address``, if any: the account's lock (failures
    from all addresses reached LOGIN_ACCOUNT_FAILURE_LIMIT) or else the lock of the name at that address
    (failures from it reached AXES_FAILURE_LIMIT). One query. Used for logins, API tokens and sessions.

    A lock set from some other address does not count here, so a stranger can only lock the account
    where the stranger is — unless from enough addresses to reach the account limit."""
    if not username:
        return None
    now = now or timezone.now()
    here = Q(ip_address=ip_address or None)
    row = (
        _live_attempts(now)
        .filter(username=username)
        .aggregate(
            total=Sum("failures_since_start"),
            total_last=Max("attempt_time"),
            here=Sum("failures_since_start", filter=here),
            here_last=Max("attempt_time", filter=here),
        )
    )
    cool_off = settings.AXES_COOLOFF_TIME
    if (row["total"] or 0) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
        return LoginLock(LOCK_ACCOUNT, row["total_last"] + cool_off, row["total"])
    if (row["here"] or 0) >= settings.AXES_FAILURE_LIMIT:
        return LoginLock(LOCK_USER_ADDRESS, row["here_last"] + cool_off, row["here"])
    return None


def login_address_lock(*, ip_address: str | None, now: datetime | None = None) -> LoginLock | None:
    """The spray lock on ``ip_address``: failed logins from it against at least LOGIN_SPRAY_USERS
    different user names, none of them since followed by that name's successful login there. One query."""
    now = now or timezone.now()
    row = (
        _live_attempts(now)
        .filter(ip_address=ip_address or None)
        .aggregate(names=Count("username", distinct=True), last=Max("attempt_time"))
    )
    if row["names"] >= settings.LOGIN_SPRAY_USERS:
        return LoginLock(LOCK_ADDRESS, row["last"] + settings.AXES_COOLOFF_TIME, row["names"])
    return None


def login_lock(
    *, username: str | None, ip_address: str | None, now: datetime | None = None
) -> LoginLock | None:
    """The lock refusing a login as ``username`` from ``ip_address``, if any; the account's lock first,
    then the address's, then the name's at that address (the first says the most). Two queries."""
    user_lock = login_user_lock(username=username, ip_address=ip_address, now=now)
    if user_lock is not None and user_lock.kind == LOCK_ACCOUNT:
        return user_lock
    return login_address_lock(ip_address=ip_address, now=now) or user_lock


def login_failed_usernames(*, ip_address: str | None, now: datetime | None = None) -> list[str]:
    """The user names with live failed logins from ``ip_address`` (for the spray audit entry), sorted."""
    rows = _live_attempts(now or timezone.now()).filter(ip_address=ip_address or None)
    return sorted({name for name in rows.values_list("username", flat=True) if name})


def login_failed_addresses(*, username: str, now: datetime | None = None) -> list[str]:
    """The addresses with live failed logins as ``username`` (for the account-lock audit entry), sorted."""
    rows = _live_attempts(now or timezone.now()).filter(username=username)
    return sorted({ip for ip in rows.values_list("ip_address", flat=True) if ip})


def login_alert_recipients() -> list[Any]:
    """Who hears of a login lock that looks like an attack: the system administrators (the role, and
    active superusers) and the heads of the 舆情应急办. Two queries."""
    users = role_holders({access.SYSTEM_ADMIN, access.OFFICE_DIRECTOR, access.OFFICE_DEPUTY})
    seen = {u.pk for u in users}
    for user in get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("id"):
        if user.pk not in seen:
            users.append(user)
    return [u for u in users if u.is_active]
