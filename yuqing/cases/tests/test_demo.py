"""The demo holds one finished case that shows every stage of the procedure."""

from __future__ import annotations

import pytest

from yuqing.audit.services import audit_verify
from yuqing.cases import demo
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case
from yuqing.cases.selectors import case_timeline
from yuqing.org import demo as org_demo

pytestmark = pytest.mark.django_db


def test_the_demo_case_is_closed_and_its_file_shows_every_stage():
    org_demo.demo_load()
    case = demo.demo_load()
    assert case is not None and case.state == cv.CLOSED and case.finding == "false"
    states = [t.to_state for t in case.transitions.order_by("at", "id")]
    assert states == [
        cv.NOTIFIED,
        cv.VERIFYING,
        cv.REPORTED,
        cv.PLAN_PENDING,
        cv.RESPONDING,
        cv.TRACKING,
        cv.EVALUATING,
        cv.CLOSED,
    ]
    kinds = {e.kind for e in case_timeline(case)}
    assert {
        "open",
        "verification",
        "report",
        "signature",
        "plan",
        "action",
        "source",
        "coordination",
        "evaluation",
        "deadline",
        "release",
        "guidance",
    } <= kinds
    assert {d.status for d in case.deadlines.all()} == {"met"}  # every time limit kept
    assert demo.demo_load() is None and Case.objects.count() == 1
    assert audit_verify().ok


def test_without_the_demo_organisation_no_case_is_made():
    assert demo.demo_load() is None
