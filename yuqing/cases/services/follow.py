"""The case follows the work: the system's own moves (``flow.Rule.auto``), taken by the service that
records the fact they follow, in its transaction, as a timeline entry in the system's name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from yuqing.cases import flow
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case, VerificationStatus, VerificationTask
from yuqing.cases.services.case import case_transition, transition_refusal
from yuqing.cases.services.common import now_or, user_label


def case_follow(*, case: Case, to: str, reason: str, now: datetime | None = None) -> bool:
    """Take the system's move of ``case`` to ``to`` if the case stands where that move starts and its
    precondition holds; otherwise do nothing (the fact is recorded, the case is simply not there yet).
    Returns whether the case moved. Runs inside the caller's transaction."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        rule = flow.TRANSITIONS.get((locked.state, to))
        if rule is None or not rule.auto:
            return False
        if transition_refusal(locked, to, user=None, reason=reason) is not None:
            return False
        case_transition(case=locked, to=to, user=None, reason=reason, now=now)
    case.refresh_from_db()
    return True


def case_follow_verification(*, case: Case, task: VerificationTask, now: datetime | None = None) -> None:
    """After the department submitted its findings: 核实中, and 已报告 when a first report is given too."""
    at = now_or(now)
    case_follow(case=case, to=cv.VERIFYING, reason=f"{task.department.name}提交核实结果", now=at)
    case_follow_report(case=case, now=at)


def case_follow_report(*, case: Case, now: datetime | None = None) -> None:
    """After a report was signed or given orally: 已报告 once the findings are in as well."""
    case_follow(
        case=case, to=cv.REPORTED, reason="核实结果已提交，首次情况报告已签发（或已口头报告）", now=now
    )


def verification_open(*, task: VerificationTask, user: Any, now: datetime | None = None) -> bool:
    """The department opened its verification task (its page, by its own head or handler): a 已通报 case
    is now 核实中. Returns whether the case moved."""
    if task.status != VerificationStatus.OPEN or task.case.state != cv.NOTIFIED:
        return False
    reason = f"{task.department.name}{user_label(user)}打开核实任务"
    return case_follow(case=task.case, to=cv.VERIFYING, reason=reason, now=now)
