"""Who may read which case: department scoping and confidentiality (密级) clearance.

* 工作组、应急办 and 纪检组 see every case up to their clearance;
* a department's head and handlers see the cases of their department and those it was asked to verify;
* anyone sees the cases in which they own a task (a handling measure, a guidance task).

Clearance (:mod:`yuqing.org.clearance`): ``CONFIDENTIALITY_LEVELS`` has three names, lowest first. The
group's leaders and the office's heads read all three; group and office members and the auditor read up
to the middle one; everybody else (the system administrator included) reads only the lowest.

The same clearance decides what a person is *told* about a case elsewhere: a notification about a case
above their clearance names the case by number and level only (:mod:`yuqing.notify.confidential`), and an
audit entry about it shows action, actor and time but not its content (:mod:`yuqing.audit.redaction`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from yuqing.cases.models import Case
from yuqing.org import access
from yuqing.org.clearance import (  # noqa: F401 (re-exported for the cases' own modules)
    MIDDLE_CLEARANCE,
    TOP_CLEARANCE,
    TOP_LEVEL,
    clearance,
    clearances,
    level_name,
    restricted_notice,
    user_clearance,
)
from yuqing.org.models import RoleAssignment

SEE_ALL = access.WORKING_GROUP | access.OFFICE | {access.AUDITOR}
DEPARTMENT_ROLES = frozenset({access.DEPARTMENT_HEAD, access.DEPARTMENT_HANDLER})


def case_levels(case_ids: Iterable[int]) -> dict[int, int]:
    """The confidentiality level of each existing case among ``case_ids`` (sorted, no None); one query.
    Registered as org.clearance's lookup (``CasesConfig.ready``), which the apps below cases call."""
    ids = list(case_ids)
    if not ids:
        return {}
    return dict(Case.objects.filter(pk__in=ids).values_list("pk", "confidentiality"))


def user_department_ids(user: Any) -> set[int]:
    """Departments the user represents now: their profile's and those of their department roles."""
    ids = set(
        RoleAssignment.objects.filter(
            access.current_q(), person__user_id=user.pk, role__in=sorted(DEPARTMENT_ROLES)
        ).values_list("department_id", flat=True)
    )
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    if person is not None and person.department_id and access.cached_roles(user) & DEPARTMENT_ROLES:
        ids.add(person.department_id)
    ids.discard(None)
    return ids


def case_scope(user: Any) -> Q:
    """A filter on ``Case`` for the cases ``user`` may read. Matches nothing for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    roles = access.cached_roles(user)
    level = Q(confidentiality__lte=clearance(roles))
    if roles & SEE_ALL:
        return level
    # Their handling measures, and their guidance tasks (releases.GuidanceTask, 税收评论员/网络宣传员).
    own = Q(actions__owner=user) | Q(guidance_tasks__assignee=user)
    departments = user_department_ids(user) if roles & DEPARTMENT_ROLES else set()
    if departments:
        own |= Q(department_id__in=departments) | Q(verifications__department_id__in=departments)
    return level & own


def may_read(user: Any, case: Any) -> bool:
    return Case.objects.filter(case_scope(user), pk=case.pk).exists()


def speaks_for_department(user: Any, department_id: int | None) -> bool:
    """Whether ``user`` is a head or handler of department ``department_id`` now: who may act on a
    verification task sent to that department (not any department that has a task on the same case)."""
    if department_id is None or not access.roles_of(user) & DEPARTMENT_ROLES:
        return False
    return department_id in user_department_ids(user)


def department_of_case(user: Any, case: Any) -> bool:
    """Whether ``user`` speaks for the case's 事发科室 (or a department asked to verify it)."""
    departments = user_department_ids(user)
    if not departments:
        return False
    if case.department_id in departments:
        return True
    return case.verifications.filter(department_id__in=departments).exists()
