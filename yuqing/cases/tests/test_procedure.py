"""The case state machine: every move allowed and refused, with roles and preconditions; audited."""

from __future__ import annotations

import itertools

import pytest

from yuqing.audit.models import AuditEntry
from yuqing.audit.services import audit_verify
from yuqing.cases import flow, services
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case, CaseTransition, Deadline
from yuqing.cases.services import ProcedureError
from yuqing.cases.services.case import PRECONDITIONS
from yuqing.cases.tests.drive import ORDER, advance, open_case

pytestmark = pytest.mark.django_db


def test_a_case_goes_through_every_state_to_closed_and_each_move_is_audited(cast, event):
    case = open_case(cast, event=event)
    assert case.state == cv.NEW
    advance(case, cast, cv.CLOSED)
    moves = list(CaseTransition.objects.filter(case=case).values_list("from_state", "to_state"))
    assert moves == list(itertools.pairwise(ORDER))
    audited = AuditEntry.objects.filter(action="case.transition", object_id=str(case.pk)).count()
    assert audited == len(moves)
    assert audit_verify().ok


@pytest.mark.parametrize("start", ORDER)
def test_every_move_not_in_the_table_is_refused_with_a_reason(cast, event, start):
    case = advance(open_case(cast, event=event), cast, start)
    for target in cv.STATES:
        if (start, target) in flow.TRANSITIONS:
            continue
        with pytest.raises(ProcedureError) as err:
            services.case_transition(case=case, to=target, user=cast.leader, reason="测试")
        assert err.value.code == "conflict"
        assert cv.STATES[start] in err.value.message
    case.refresh_from_db()
    assert case.state == start


def test_skipping_states_names_the_states_in_between(cast):
    case = open_case(cast)
    with pytest.raises(ProcedureError) as err:
        services.case_transition(case=case, to=cv.REPORTED, user=cast.office)
    assert "须依次经过" in err.value.message
    assert "「已通报」" in err.value.message and "「核实中」" in err.value.message


ROLE_CASES = [
    # (state before, target, who may, who may not)
    (cv.NEW, cv.CLOSED, ["director", "leader"], ["office", "head", "auditor", "outsider"]),
    (cv.PLAN_PENDING, cv.RESPONDING, [], ["office", "director", "head", "auditor"]),
    (cv.EVALUATING, cv.CLOSED, ["director", "leader", "deputy"], ["office", "head", "auditor"]),
]


@pytest.mark.parametrize(("start", "target", "allowed", "denied"), ROLE_CASES)
def test_each_move_is_open_to_its_roles_only(cast, event, start, target, allowed, denied):
    for who in denied:
        case = advance(open_case(cast), cast, start)
        with pytest.raises(ProcedureError) as err:
            services.case_transition(case=case, to=target, user=getattr(cast, who), reason="测试理由")
        if flow.TRANSITIONS[(start, target)].auto:  # the system's move: refused to everybody
            assert err.value.code == "conflict" and "由系统自动转入" in err.value.message, who
        else:
            assert err.value.code == "forbidden", who
            assert "须由" in err.value.message
    for who in allowed:
        case = advance(open_case(cast), cast, start)
        if start == cv.EVALUATING:
            services.evaluation_save(
                case=case,
                user=cast.office,
                submit=True,
                data=dict.fromkeys(
                    ("cause", "nature", "impact", "responsibility", "lessons", "improvements"), "已评估"
                ),
            )
        services.case_transition(case=case, to=target, user=getattr(cast, who), reason="测试理由")
        case.refresh_from_db()
        assert case.state == target, who


def test_plan_approval_is_the_leaders_decision_and_the_system_moves_the_case(cast):
    """issue 12: 批准并启动应急响应 is one click — the leader approves the plan; the system moves the case
    to 处置中 and launches the measures. Nobody moves the case there by hand."""
    case = advance(open_case(cast), cast, cv.PLAN_PENDING)
    with pytest.raises(ProcedureError) as err:
        services.case_transition(case=case, to=cv.RESPONDING, user=cast.leader)
    assert "由系统自动转入" in err.value.message
    assert services.case_follow(case=case, to=cv.RESPONDING, reason="试") is False  # not approved yet
    plan = case.plans.get(status="submitted")
    services.response_plan_decide(plan=plan, user=cast.leader, approve=True)
    case.refresh_from_db()
    plan.refresh_from_db()
    assert case.state == cv.RESPONDING and plan.launched_at is not None
    assert case.actions.count() == len(plan.measures)
    move = case.transitions.get(to_state=cv.RESPONDING)
    assert move.actor is None and "批准应对方案第1版" in move.reason


def test_a_decision_from_a_stale_page_does_not_overwrite_the_approval(cast):
    """A plan approved (and signed) cannot be returned afterwards by a decision made on a page loaded before
    the approval: the row is read again under a lock, and the second decision is refused."""
    from yuqing.cases.models import ResponsePlan

    case = advance(open_case(cast), cast, cv.PLAN_PENDING)
    plan = case.plans.get(status="submitted")
    stale = ResponsePlan.objects.get(pk=plan.pk)
    services.response_plan_decide(plan=plan, user=cast.leader, approve=True)
    with pytest.raises(ProcedureError) as err:
        services.response_plan_decide(plan=stale, user=cast.leader, approve=False, comments="退回重写")
    assert "不在待审批状态" in err.value.message
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.content_hash


def test_preconditions_say_what_is_missing(cast):
    case = advance(open_case(cast), cast, cv.VERIFYING)
    assert "事发科室尚未提交核实结果" in PRECONDITIONS["verified_and_reported"](case)
    assert "尚无已签发的书面报告" in PRECONDITIONS["verified_and_reported"](case)
    with pytest.raises(ProcedureError) as err:
        services.case_transition(case=case, to=cv.REPORTED, user=cast.office)
    assert "由系统自动转入" in err.value.message and "核实结果已提交且首次报告已签发" in err.value.message


def test_handling_of_a_true_opinion_needs_guidance_and_accountability(cast):
    case = advance(open_case(cast), cast, cv.RESPONDING)
    with pytest.raises(ProcedureError) as err:
        services.case_transition(case=case, to=cv.TRACKING, user=cast.office)
    assert "未完成" in err.value.message
    assert "须记录问责情况" in err.value.message


def test_handling_of_a_false_opinion_needs_clarification_and_source_control(cast):
    case = advance(open_case(cast), cast, cv.RESPONDING, finding="false")
    for action in case.actions.all():
        services.action_complete(action=action, user=cast.office, result="已发布澄清说明")
    with pytest.raises(ProcedureError) as err:
        services.case_transition(case=case, to=cv.TRACKING, user=cast.office)
    assert "须记录源头控制" in err.value.message
    advance(case, cast, cv.TRACKING, finding="false")


def test_closing_needs_a_submitted_evaluation(cast):
    case = advance(open_case(cast), cast, cv.EVALUATING)
    with pytest.raises(ProcedureError) as err:
        services.case_transition(case=case, to=cv.CLOSED, user=cast.leader)
    assert "评估报告尚未提交" in err.value.message


def test_restart_from_closed_needs_a_reason_and_counts(cast):
    case = advance(open_case(cast), cast, cv.CLOSED)
    with pytest.raises(ProcedureError) as err:
        services.case_transition(case=case, to=cv.RESPONDING, user=cast.leader)
    assert "须填写理由" in err.value.message
    services.case_transition(case=case, to=cv.RESPONDING, user=cast.leader, reason="舆情再起")
    case.refresh_from_db()
    assert (case.state, case.restarts, case.closed_at) == (cv.RESPONDING, 1, None)


def test_a_persons_decision_cannot_be_made_by_the_system(cast):
    case = open_case(cast)
    with pytest.raises(ProcedureError) as err:
        services.case_transition(case=case, to=cv.NOTIFIED, user=None)
    assert "须由人员办理" in err.value.message


def test_one_event_has_one_open_case(cast, event):
    open_case(cast, event=event)
    with pytest.raises(ProcedureError) as err:
        open_case(cast, event=event)
    assert "已在办理中" in err.value.message


def test_opening_needs_an_office_or_leader_role(cast):
    for who in ("head", "auditor", "outsider"):
        with pytest.raises(ProcedureError) as err:
            services.case_open(user=getattr(cast, who), title="x", severity="general")
        assert err.value.code == "forbidden"


def test_bad_input_to_open_names_every_field(cast):
    with pytest.raises(ProcedureError) as err:
        services.case_open(
            user=cast.office,
            title="",
            severity="huge",
            event_id=999999,
            department_id=424242,
            confidentiality=7,
        )
    assert set(err.value.errors) == {"title", "severity", "event_id", "department_id", "confidentiality"}


def test_verification_deadline_follows_severity(cast):
    from datetime import timedelta

    major = open_case(cast, severity="major")
    task = services.verification_assign(case=major, user=cast.office, department_id=cast.department.pk)
    assert task.due_at - task.assigned_at == timedelta(hours=2)
    general = open_case(cast, severity="general")
    task = services.verification_assign(case=general, user=cast.office, department_id=cast.department.pk)
    assert task.due_at - task.assigned_at == timedelta(hours=24)
    assert Deadline.objects.filter(kind="verification").count() == 2


def test_an_alert_of_significant_or_above_opens_a_case_by_itself_once(cast, event):
    from yuqing.events import alerts

    raised = alerts.alerts_evaluate(event)
    assert raised
    case = Case.objects.get(event=event)
    assert case.state == cv.NEW and case.opened_by is None and case.alert_id == raised[0].pk
    assert case.severity == "major"
    # 重大: the public-response targets start with the case.
    assert set(case.deadlines.values_list("kind", flat=True)) >= {"first_response", "press_conference"}
    alerts.alerts_evaluate(event)
    assert Case.objects.filter(event=event).count() == 1


def test_automatic_opening_can_be_switched_off(cast, event):
    from yuqing.cases.models import ProcedureSettings
    from yuqing.events import alerts

    ProcedureSettings.objects.update_or_create(pk=1, defaults={"auto_open_level": ""})
    assert alerts.alerts_evaluate(event)
    assert not Case.objects.exists()
