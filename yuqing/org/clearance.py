"""Confidentiality (密级) clearance: up to which level a person may read case content.

``CONFIDENTIALITY_LEVELS`` has three names, lowest first. The group's leaders and the office's heads read
all three; group and office members and the auditor read up to the middle one; everybody else (the system
administrator included) reads only the lowest.

Clearance belongs to the organisation (it follows from a person's roles), so the apps below cases — notify
redacting a notification, audit redacting an entry — read it here. The level of a case is known to cases
only: it registers :func:`case_levels_provider` in its ``ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

from yuqing.org import access
from yuqing.org.models import RoleAssignment

TOP_CLEARANCE = frozenset(
    {access.GROUP_LEADER, access.GROUP_DEPUTY, access.OFFICE_DIRECTOR, access.OFFICE_DEPUTY}
)
MIDDLE_CLEARANCE = frozenset({access.GROUP_MEMBER, access.OFFICE_MEMBER, access.AUDITOR})
TOP_LEVEL = 2


def clearance(roles: set[str]) -> int:
    if roles & TOP_CLEARANCE:
        return 2
    if roles & MIDDLE_CLEARANCE:
        return 1
    return 0


def level_name(level: int) -> str:
    """The configured name of confidentiality level ``level`` (内部/敏感/秘密 by default)."""
    levels = settings.CONFIDENTIALITY_LEVELS
    return levels[max(0, min(level, len(levels) - 1))]


def restricted_notice(level: int) -> str:
    """What a reader without clearance sees instead of the content: ``内容需「秘密」级权限``."""
    return f"内容需「{level_name(level)}」级权限"


def user_clearance(user: Any) -> int:
    """The level up to which ``user`` may read case content now (0 for anonymous or inactive users);
    the roles are those remembered on ``user`` for this request (:func:`access.cached_roles`)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return 0
    return clearance(access.cached_roles(user))


def clearances(user_ids: Iterable[int]) -> dict[int, int]:
    """The clearance of each of ``user_ids`` now (0 when they hold no role, or are inactive); one query."""
    ids = {i for i in user_ids if i is not None}
    roles: dict[int, set[str]] = {i: set() for i in ids}
    rows = RoleAssignment.objects.filter(
        access.current_q(), person__user_id__in=sorted(ids), person__user__is_active=True
    ).values_list("person__user_id", "role")
    for user_id, role in rows:
        roles[user_id].add(role)
    return {i: clearance(r) for i, r in roles.items()}


CaseLevels = Callable[[list[int]], dict[int, int]]
_CASE_LEVELS: list[CaseLevels] = []


def case_levels_provider(fn: CaseLevels) -> CaseLevels:
    """Register the lookup of case levels (cases does, in its ``ready()``)."""
    _CASE_LEVELS[:] = [fn]
    return fn


def case_levels(case_ids: Iterable[int]) -> dict[int, int]:
    """The confidentiality level of each existing case among ``case_ids``; one query (none if empty).
    A case missing from the answer no longer exists: callers treat it as the top level."""
    ids = sorted({int(i) for i in case_ids if i is not None})
    if not ids or not _CASE_LEVELS:
        return {}
    return _CASE_LEVELS[0](ids)
