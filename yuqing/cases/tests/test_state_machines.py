"""The task models move through one door (yuqing.core.statemachine): the row is locked and read again,
so a page loaded before someone else's move is refused instead of undoing it; and the pages ask which
actions are open instead of comparing statuses."""

from __future__ import annotations

import pytest

from yuqing.audit.models import AuditEntry
from yuqing.cases import selectors, services
from yuqing.cases import vocab as cv
from yuqing.cases.models import ActionStatus, HandlingAction, VerificationStatus, VerificationTask
from yuqing.cases.tests.drive import VERIFIED, advance, open_case

pytestmark = pytest.mark.django_db


def test_a_verification_submitted_meanwhile_is_not_cancelled_from_a_stale_page(cast):
    case = open_case(cast)
    services.verification_assign(case=case, user=cast.office, department_id=cast.department.pk)
    stale = VerificationTask.objects.get(case=case)  # the office's page, loaded while the task was open
    fresh = VerificationTask.objects.get(pk=stale.pk)
    services.verification_submit(task=fresh, user=cast.handler, data={**VERIFIED, "finding": "true"})
    with pytest.raises(services.ProcedureError, match="只能撤销待核实的任务") as refused:
        services.verification_cancel(task=stale, user=cast.office, reason="误派")
    assert refused.value.kind == "conflict"
    assert VerificationTask.objects.get(pk=stale.pk).status == VerificationStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action="verification.cancel").exists()


def test_cancelling_an_open_verification_is_audited_with_the_move(cast):
    case = open_case(cast)
    task = services.verification_assign(case=case, user=cast.office, department_id=cast.department.pk)
    with pytest.raises(services.ProcedureError) as refused:
        services.verification_cancel(task=task, user=cast.head, reason="误派")
    assert refused.value.kind == "forbidden"
    services.verification_cancel(task=task, user=cast.office, reason="误派")
    assert task.status == VerificationStatus.CANCELLED
    entry = AuditEntry.objects.get(action="verification.cancel")
    assert (entry.old, entry.new) == ({"status": "open"}, {"status": "cancelled", "reason": "误派"})


def test_a_handling_measure_is_completed_once_even_from_two_stale_pages(cast):
    case = advance(open_case(cast), cast, cv.RESPONDING)
    action = HandlingAction.objects.get(case=case, status=ActionStatus.OPEN)
    first, second = HandlingAction.objects.get(pk=action.pk), HandlingAction.objects.get(pk=action.pk)
    services.action_complete(action=first, user=action.owner, result="已发布情况说明")
    with pytest.raises(services.ProcedureError, match="该措施已已完成") as refused:
        services.action_complete(action=second, user=action.owner, result="重复填报")
    assert refused.value.kind == "conflict"
    assert HandlingAction.objects.get(pk=action.pk).result == "已发布情况说明"
    assert AuditEntry.objects.filter(action="action.complete").count() == 1


def test_the_case_page_offers_actions_by_state_and_role(cast):
    case = open_case(cast)
    assert selectors.case_actions(case, cast.office) == {"verify", "report", "source", "attach"}
    assert selectors.case_actions(case, cast.outsider) == set()
    case = advance(case, cast, cv.RESPONDING)
    assert {"plan", "assign_action"} <= selectors.case_actions(case, cast.office)
    plan = case.plans.get()
    assert selectors.plan_actions(plan, cast.leader) == set()  # launched already
    report = case.reports.get()
    assert selectors.report_actions(report, cast.office) == {"supersede"}


def test_a_plan_launched_meanwhile_is_not_launched_again_from_a_stale_page(cast):
    from yuqing.cases.models import ResponsePlan

    case = advance(open_case(cast), cast, cv.PLAN_PENDING)
    plan = case.plans.get()
    stale = ResponsePlan.objects.get(pk=plan.pk)
    services.response_plan_decide(plan=plan, user=cast.leader, approve=True)  # issue 12: launches it
    tasks = HandlingAction.objects.filter(case=case).count()
    assert tasks == len(plan.measures)
    with pytest.raises(services.ProcedureError, match="已启动"):
        services.response_plan_launch(plan=stale, user=cast.deputy)
    assert HandlingAction.objects.filter(case=case).count() == tasks
    assert AuditEntry.objects.filter(action="plan.launch").count() == 1
