"""A task notification (核实任务, 待签发, 待审批, 处置任务) closes when its task is done, and a closed case
leaves nothing pending, in the demo too."""

from __future__ import annotations

import pytest

from yuqing.cases import demo, services
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case
from yuqing.cases.tests.conftest import FULL_REPORT
from yuqing.cases.tests.drive import VERIFIED, advance, open_case
from yuqing.notify import demo as notify_demo
from yuqing.notify.models import Notification
from yuqing.notify.selectors import pending_count
from yuqing.org import demo as org_demo

pytestmark = pytest.mark.django_db


def task_of(user, title_start: str) -> Notification:
    return Notification.objects.get(recipient=user, title__startswith=title_start)


def test_the_verification_and_the_signature_close_their_task_notifications(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = advance(open_case(cast), cast, cv.VERIFYING)
    verify = task_of(cast.head, "【核实任务】")
    assert verify.closed_at is None and verify.subject
    head_before = pending_count(cast.head)

    with django_capture_on_commit_callbacks(execute=True):
        task = case.verifications.get(status="open")
        services.verification_submit(task=task, user=cast.handler, data=VERIFIED)
        report = services.report_create(
            case=case, user=cast.office, data={**FULL_REPORT, "signer_id": cast.director.pk}
        )
    verify.refresh_from_db()
    assert verify.closed_at is not None
    assert pending_count(cast.head) == head_before - 1
    sign = task_of(cast.director, "【待签发】")
    assert sign.closed_at is None
    director_before = pending_count(cast.director)

    with django_capture_on_commit_callbacks(execute=True):
        services.report_sign(report=report, user=cast.director)

    sign.refresh_from_db()
    assert sign.closed_at is not None and sign.read_at is None
    assert pending_count(cast.director) == director_before - 1
    bell = cast.client(cast.director).get("/notifications/bell/").content.decode()
    assert f">{director_before}<" not in bell


def test_a_decided_plan_closes_the_leaders_approval_task(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = advance(open_case(cast), cast, cv.PLAN_PENDING)
    approvals = Notification.objects.filter(title__startswith="【方案待审批】")
    assert approvals.filter(recipient=cast.deputy, closed_at__isnull=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        plan = case.plans.get(status="submitted")
        services.response_plan_decide(plan=plan, user=cast.leader, approve=False, comments="请补充口径")

    assert approvals.exists() and not approvals.filter(closed_at__isnull=True).exists()  # each leader's


def test_a_closed_case_leaves_no_pending_notification(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = advance(open_case(cast), cast, cv.CLOSED)

    about = Notification.objects.filter(case_id=case.pk)
    assert about.exclude(subject="").exists()
    assert not about.filter(closed_at__isnull=True).exists()


def test_the_demo_seeds_no_pending_task_for_its_closed_case(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        org_demo.demo_load()
        notify_demo.demo_load()
        case = demo.demo_load()
    assert case is not None and case.state == cv.CLOSED

    about = Notification.objects.filter(case_id=case.pk)
    assert about.filter(title__startswith="【待签发】").exists()
    assert not about.filter(closed_at__isnull=True).exists()
    assert Case.objects.count() == 1
