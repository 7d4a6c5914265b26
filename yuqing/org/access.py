"""Who may do what: the roles of the plan (一 组织体系, 三(一) 人才库) and design.md "Who uses it".

A role is held through a :class:`~yuqing.org.models.RoleAssignment` with a start and an end date, so
"which roles does this user hold" always has a moment: now by default, or any past day when the
accountability review (三(五)) asks who was on the chain then. Superusers count as system administrators
and nothing more: they do not sign reports or read the audit trail as 纪检组 unless they hold that role.

Every role check in views goes through :func:`role_required`, every other check through
:func:`has_role`; the role names below are the only spelling of them in the code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import wraps
from typing import Any, Final

from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

# 舆情应急工作组 (一(一)): 组长 = 党委书记、局长; 副组长 = 分管局领导; 成员 = the nine departments' heads.
GROUP_LEADER: Final = "group_leader"
GROUP_DEPUTY: Final = "group_deputy"
GROUP_MEMBER: Final = "group_member"
# 舆情应急办 (一(二)): 主任 = head of 办公室; 副主任 = 办公室's head of opinion work; one 成员 per department.
OFFICE_DIRECTOR: Final = "office_director"
OFFICE_DEPUTY: Final = "office_deputy"
OFFICE_MEMBER: Final = "office_member"
# 事发科室 (二(二)): the head receives the verification task; the handler records it (三(五) 处置责任人).
DEPARTMENT_HEAD: Final = "department_head"
DEPARTMENT_HANDLER: Final = "department_handler"
# 人才库 (三(一)) and 舆论引导 (二(五)).
COMMENTATOR: Final = "commentator"
PUBLICIST: Final = "publicist"
# 保密审查 (三(四) 严格信息发布审批程序和保密审查): designated reviewers of releases before 签发.
SECRECY_REVIEWER: Final = "secrecy_reviewer"
# 纪检组: reads the audit trail and accountability records.
AUDITOR: Final = "auditor"
SYSTEM_ADMIN: Final = "system_admin"


class Role(models.TextChoices):
    GROUP_LEADER = GROUP_LEADER, "舆情应急工作组组长"
    GROUP_DEPUTY = GROUP_DEPUTY, "舆情应急工作组副组长"
    GROUP_MEMBER = GROUP_MEMBER, "舆情应急工作组成员"
    OFFICE_DIRECTOR = OFFICE_DIRECTOR, "舆情应急办主任"
    OFFICE_DEPUTY = OFFICE_DEPUTY, "舆情应急办副主任"
    OFFICE_MEMBER = OFFICE_MEMBER, "舆情应急办成员"
    DEPARTMENT_HEAD = DEPARTMENT_HEAD, "科室负责人"
    DEPARTMENT_HANDLER = DEPARTMENT_HANDLER, "处置责任人"
    COMMENTATOR = COMMENTATOR, "税收评论员"
    PUBLICIST = PUBLICIST, "网络宣传员"
    SECRECY_REVIEWER = SECRECY_REVIEWER, "保密审查员"
    AUDITOR = AUDITOR, "纪检监督（审计）"
    SYSTEM_ADMIN = SYSTEM_ADMIN, "系统管理员"


ROLE_LABELS: Final[dict[str, str]] = {value: str(label) for value, label in Role.choices}

WORKING_GROUP: Final = frozenset({GROUP_LEADER, GROUP_DEPUTY, GROUP_MEMBER})
OFFICE: Final = frozenset({OFFICE_DIRECTOR, OFFICE_DEPUTY, OFFICE_MEMBER})
TALENT_POOL: Final = frozenset({COMMENTATOR, PUBLICIST})
# 签发: the working group's leaders sign situation reports and releases (二(三)).
SIGNING_ROLES: Final = frozenset({GROUP_LEADER, GROUP_DEPUTY})
# Held by one person at a time in the whole bureau / in each department.
SINGLE_HOLDER_ROLES: Final = frozenset({GROUP_LEADER, OFFICE_DIRECTOR})
PER_DEPARTMENT_ROLES: Final = frozenset({OFFICE_MEMBER, DEPARTMENT_HEAD})
# Roles that represent a department and so must name one.
DEPARTMENT_ROLES: Final = frozenset({OFFICE_MEMBER, DEPARTMENT_HEAD, DEPARTMENT_HANDLER})

# Pages outside the case procedure, and who may open them.
ROSTER_READERS: Final = WORKING_GROUP | OFFICE | {DEPARTMENT_HEAD, AUDITOR, SYSTEM_ADMIN}
AUDIT_READERS: Final = frozenset({AUDITOR, SYSTEM_ADMIN})
# The live feed (items, events, alerts, acknowledging an alert; the same lists in the API): 应急办 watches
# it, 工作组 decides on it. Department heads/handlers, the talent pool and 纪检组 get task pages instead.
FEED_READERS: Final = OFFICE | WORKING_GROUP
# Correcting an item's labels trains the next model: the office's judgement, not the group's.
LABEL_CORRECTORS: Final = OFFICE
SOURCE_READERS: Final = OFFICE | {SYSTEM_ADMIN}
# Monitoring plans decide what is seen at all: read by those who answer for it, changed by few.
PLAN_READERS: Final = OFFICE | SIGNING_ROLES | {SYSTEM_ADMIN}
PLAN_EDITORS: Final = frozenset({SYSTEM_ADMIN, OFFICE_DIRECTOR, OFFICE_DEPUTY})
# API: pushing items in (machine accounts hold system_admin or an office role) and ad-hoc analysis.
INGEST_ROLES: Final = OFFICE | {SYSTEM_ADMIN}
ANALYSTS: Final = OFFICE | {SYSTEM_ADMIN}
# Keys for the ``may`` template filter (nav links, buttons); a view's decorator uses the same set.
# The procedure's pages (yuqing.cases.flow.READERS) and the duty roster (值班表).
CASE_READERS: Final = WORKING_GROUP | OFFICE | {DEPARTMENT_HEAD, DEPARTMENT_HANDLER, AUDITOR}
DUTY_READERS: Final = ROSTER_READERS | OFFICE
PAGE_ROLES: Final[dict[str, frozenset[str]]] = {
    "cases": CASE_READERS,
    "duty": DUTY_READERS,
    "guidance": TALENT_POOL,
    "roster": ROSTER_READERS,
    "audit": AUDIT_READERS,
    "items": FEED_READERS,
    "events": FEED_READERS,
    "alerts": FEED_READERS,
    "alert_ack": FEED_READERS,
    "item_correct": LABEL_CORRECTORS,
    "sources": SOURCE_READERS,
    "plans": PLAN_READERS,
    "plan_edit": PLAN_EDITORS,
}


def as_day(at: date | datetime | None = None) -> date:
    """The local calendar day of ``at`` (today when None): assignments start and end on days."""
    if at is None:
        return timezone.localdate()
    if isinstance(at, datetime):
        return timezone.localdate(at) if timezone.is_aware(at) else at.date()
    return at


def current_q(at: date | datetime | None = None) -> models.Q:
    """Assignments in force on the day of ``at``: started on or before it and not yet ended.

    ``end_date`` is the first day the role is no longer held, so a handover on day D (one ends on D,
    the successor starts on D) never has two holders, nor none.
    """
    day = as_day(at)
    return models.Q(start_date__lte=day) & (models.Q(end_date__isnull=True) | models.Q(end_date__gt=day))


def roles_of(user: Any, at: date | datetime | None = None) -> set[str]:
    """The roles ``user`` holds at ``at`` (now by default); one query. Superusers add SYSTEM_ADMIN."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    from yuqing.org.models import RoleAssignment

    roles = set(
        RoleAssignment.objects.filter(current_q(at), person__user_id=user.pk).values_list("role", flat=True)
    )
    if user.is_superuser:
        roles.add(SYSTEM_ADMIN)
    return roles


def has_role(user: Any, *roles: str) -> bool:
    """Whether ``user`` now holds at least one of ``roles``."""
    return bool(roles_of(user) & set(roles))


def cached_roles(user: Any) -> set[str]:
    """:func:`roles_of` now, remembered on this user object (one request's ``request.user``)."""
    cached = getattr(user, "_yuqing_roles", None)
    if cached is None:
        cached = roles_of(user)
        if user is not None:
            user._yuqing_roles = cached
    return cached


def role_labels(roles: Iterable[str]) -> list[str]:
    return [ROLE_LABELS.get(r, r) for r in sorted(roles, key=lambda r: list(ROLE_LABELS).index(r))]


def forbidden(request: HttpRequest, allowed: Iterable[str]) -> HttpResponse:
    """403 page saying which roles would open the page and whom to ask."""
    return render(
        request,
        "org/forbidden.html",
        {"allowed": role_labels(allowed), "held": role_labels(cached_roles(request.user))},
        status=403,
    )


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: anonymous users go to the login page; a logged-in user without one of ``roles``
    gets a 403 page in Chinese. The roles found are left on ``request.roles`` for the view."""
    if not roles:
        raise ValueError("role_required() needs at least one role")
    unknown = set(roles) - set(ROLE_LABELS)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    allowed = frozenset(roles)

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            held = cached_roles(request.user)
            if not held & allowed:
                return forbidden(request, allowed)
            request.roles = held  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator
