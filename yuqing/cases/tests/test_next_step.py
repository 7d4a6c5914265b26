"""issue 12: the case follows the work (the system's moves) and every case page shows one 下一步 — what is
needed now, from whom, by when, and the one button, for whoever may press it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.cases import selectors, services
from yuqing.cases import vocab as cv
from yuqing.cases.models import CaseTransition, Deadline
from yuqing.cases.tests.conftest import FULL_REPORT
from yuqing.cases.tests.drive import VERIFIED, advance, open_case

pytestmark = pytest.mark.django_db


def step(case, user):
    case.refresh_from_db()
    return selectors.case_next_step(case, user)


def _plan(cast, case):
    soon = timezone.now() + timedelta(hours=6)
    return services.response_plan_draft(
        case=case,
        user=cast.office,
        data={
            "summary": "公开依据、回应关切、问责",
            "measures": [
                {
                    "measure": "官网发布情况说明",
                    "owner_id": cast.office.pk,
                    "due_at": soon.isoformat(),
                    "kind": "disclosure",
                }
            ],
        },
    )


def test_the_next_step_at_every_state_names_who_and_offers_the_button_only_to_them(cast):
    case = open_case(cast)
    s = step(case, cast.office)
    assert (s.kind, s.label, s.may) == ("notify", "通报事发科室", True) and "应急办" in s.who
    assert step(case, cast.head).may is False and step(case, cast.auditor).may is False

    task = services.verification_assign(case=case, user=cast.office, department_id=cast.department.pk)
    s = step(case, cast.head)
    assert (s.kind, s.may, s.due_at) == ("verification", True, task.due_at) and "征管科" in s.who
    assert s.url == f"/cases/{case.pk}/verifications/{task.pk}/"
    assert step(case, cast.office).may is False and step(case, cast.other_head).may is False

    services.verification_submit(task=task, user=cast.handler, data=VERIFIED)
    s = step(case, cast.office)
    first_report = Deadline.objects.get(case=case, kind="first_report")
    assert (s.kind, s.label, s.may, s.due_at) == ("report", "起草初报", True, first_report.due_at)
    assert step(case, cast.head).may is False

    report = services.report_create(
        case=case, user=cast.office, data={**FULL_REPORT, "signer_id": cast.director.pk}
    )
    s = step(case, cast.director)
    assert (s.kind, s.may) == ("sign", True) and "应急办主任" in s.who  # the signer by name
    assert step(case, cast.leader).may is False and step(case, cast.office).may is False

    services.report_sign(report=report, user=cast.director)
    s = step(case, cast.office)
    assert case.state == cv.REPORTED and (s.kind, s.label, s.may) == ("plan", "起草应对方案", True)
    assert s.due_at == Deadline.objects.get(case=case, kind="response_plan").due_at
    assert step(case, cast.head).may is False

    plan = _plan(cast, case)
    s = step(case, cast.office)
    assert (s.kind, s.label, s.post, s.may) == ("submit_plan", "报批", {"do": "submit"}, True)

    services.response_plan_submit(plan=plan, user=cast.office)
    s = step(case, cast.leader)
    assert case.state == cv.PLAN_PENDING
    assert (s.kind, s.label, s.may, s.decide) == ("decide", "批准并启动应急响应", True, True)
    assert step(case, cast.office).may is False and step(case, cast.director).may is False

    services.response_plan_decide(plan=plan, user=cast.leader, approve=True)
    s = step(case, cast.office)
    action = case.actions.get()
    assert case.state == cv.RESPONDING and (s.kind, s.may, s.due_at) == ("handle", True, action.due_at)
    assert "应急办成员甲" in s.who and step(case, cast.head).may is False

    services.action_complete(action=action, user=cast.office, result="已发布")
    s = step(case, cast.office)
    assert s.kind == "handling" and "须记录问责情况" in s.what
    advance(case, cast, cv.TRACKING)
    s = step(case, cast.office)
    assert (s.kind, s.post, s.may, s.due_at) == (
        "end_tracking",
        {"to": cv.EVALUATING},
        True,
        case.tracking_until,
    )

    advance(case, cast, cv.EVALUATING)
    s = step(case, cast.office)
    assert (s.kind, s.label, s.may) == ("evaluate", "填写评估报告", True)
    services.evaluation_save(
        case=case,
        user=cast.office,
        submit=True,
        data=dict.fromkeys(
            ("cause", "nature", "impact", "responsibility", "lessons", "improvements"), "已评估"
        ),
    )
    s = step(case, cast.leader)
    assert (s.kind, s.label, s.post, s.may) == ("close", "结案", {"to": cv.CLOSED}, True)
    assert step(case, cast.office).may is False  # 结案 is for the leaders and the office's director

    services.case_transition(case=case, to=cv.CLOSED, user=cast.leader)
    s = step(case, cast.leader)
    assert s.kind == "closed" and not s.may and not s.label


def test_the_drafter_of_a_plan_sees_why_they_may_not_approve_it(cast):
    case = advance(open_case(cast), cast, cv.REPORTED)
    plan = services.response_plan_draft(
        case=case,
        user=cast.leader,
        data={
            "summary": "回应关切",
            "measures": [
                {
                    "measure": "发布说明",
                    "owner_id": cast.office.pk,
                    "due_at": (timezone.now() + timedelta(hours=3)).isoformat(),
                }
            ],
        },
    )
    services.response_plan_submit(plan=plan, user=cast.leader)
    s = step(case, cast.leader)
    assert s.may is False and s.note == "不能审批自己起草的应对方案"
    assert step(case, cast.deputy).may is True


def test_the_department_opening_its_task_moves_the_case_in_the_systems_name(cast):
    case = advance(open_case(cast), cast, cv.NOTIFIED)
    task = case.verifications.get()
    assert cast.client(cast.office).get(f"/cases/{case.pk}/verifications/{task.pk}/").status_code == 200
    case.refresh_from_db()
    assert case.state == cv.NOTIFIED  # the office reading the task is not the department starting it
    assert cast.client(cast.head).get(f"/cases/{case.pk}/verifications/{task.pk}/").status_code == 200
    case.refresh_from_db()
    assert case.state == cv.VERIFYING
    move = CaseTransition.objects.get(case=case, to_state=cv.VERIFYING)
    assert move.actor is None and move.reason == "征管科征管科科长打开核实任务"
    entry = AuditEntry.objects.filter(action="case.transition", object_id=str(case.pk)).order_by("pk").last()
    assert entry.actor is None and entry.new["state"] == cv.VERIFYING
    timeline = cast.client(cast.office).get(f"/cases/{case.pk}/").content.decode()
    assert "已通报 → 核实中" in timeline


def test_a_report_signed_before_the_findings_makes_the_case_reported_when_they_arrive(cast):
    case = advance(open_case(cast), cast, cv.NOTIFIED)
    report = services.report_create(
        case=case, user=cast.office, data={**FULL_REPORT, "signer_id": cast.director.pk}
    )
    services.report_sign(report=report, user=cast.director)
    case.refresh_from_db()
    assert case.state == cv.NOTIFIED  # the findings are not in yet
    services.verification_submit(task=case.verifications.get(), user=cast.head, data=VERIFIED)
    case.refresh_from_db()
    assert case.state == cv.REPORTED
    moves = list(case.transitions.order_by("at", "id").values_list("to_state", "actor"))
    assert moves[-2:] == [(cv.VERIFYING, None), (cv.REPORTED, None)]


def test_an_oral_report_after_the_findings_makes_the_case_reported(cast):
    case = advance(open_case(cast), cast, cv.VERIFYING)
    services.verification_submit(task=case.verifications.get(), user=cast.head, data=VERIFIED)
    case.refresh_from_db()
    assert case.state == cv.VERIFYING
    services.report_create(
        case=case,
        user=cast.office,
        data={
            **FULL_REPORT,
            "mode": "oral",
            "reported_to": "组长（电话）",
            "reported_at": timezone.now().isoformat(),
        },
    )
    case.refresh_from_db()
    assert case.state == cv.REPORTED


def test_the_system_moves_cannot_be_made_by_hand_on_the_page(cast):
    case = advance(open_case(cast), cast, cv.NOTIFIED)
    r = cast.client(cast.head).post(f"/cases/{case.pk}/move/", {"to": cv.VERIFYING})
    assert r.status_code == 409 and "由系统自动转入" in r.content.decode()
    case.refresh_from_db()
    assert case.state == cv.NOTIFIED


def test_the_case_page_has_one_panel_and_no_duplicate_or_dead_button_at_any_stage(cast):
    case = open_case(cast)
    for who, state in [
        (cast.office, cv.NEW),
        (cast.head, cv.NOTIFIED),
        (cast.office, cv.VERIFYING),
        (cast.office, cv.REPORTED),
        (cast.leader, cv.PLAN_PENDING),
        (cast.office, cv.RESPONDING),
        (cast.office, cv.TRACKING),
        (cast.leader, cv.EVALUATING),
        (cast.leader, cv.CLOSED),
    ]:
        case = advance(case, cast, state)
        html = cast.client(who).get(f"/cases/{case.pk}/").content.decode()
        assert html.count('id="next-step"') == 1, state
        assert "disabled" not in html, state
        buttons = {"批准并启动应急响应": 1 if state == cv.PLAN_PENDING else 0, "启动应急响应": 0}
        for label in ("开始核实", "报告核实情况", "应对方案报批", "通报事发科室"):
            buttons[label] = 1 if (state, label) == (cv.NEW, "通报事发科室") else 0
        for label, times in buttons.items():
            shown = html.count(f">{label}</button>") + html.count(f">{label}</a>")
            assert shown == times, (state, label)
    assert ">重新启动<" in html  # a closed case keeps the leaders' decision to restart


def test_approving_on_the_panel_launches_the_response_in_one_click(cast):
    case = advance(open_case(cast), cast, cv.PLAN_PENDING)
    plan = case.plans.get()
    c = cast.client(cast.leader)
    html = c.get(f"/cases/{case.pk}/").content.decode()
    assert html.count(">批准并启动应急响应</button>") == 1 and ">批准</button>" not in html
    refused = c.post(f"/cases/{case.pk}/plans/{plan.pk}/", {"do": "return", "comments": ""})
    assert refused.status_code == 422 and "审批意见" in refused.content.decode()
    r = c.post(f"/cases/{case.pk}/plans/{plan.pk}/", {"do": "approve", "comments": "同意"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == cv.RESPONDING and case.actions.count() == 1
    html = c.get(f"/cases/{case.pk}/").content.decode()
    assert "启动应急响应</button>" not in html and "填报完成情况" in html


def test_an_auto_opened_case_says_so_and_links_its_event(cast, event):
    from yuqing.events.models import Alert

    alert = Alert.objects.create(event=event, level="major", reason="达到重大")
    case = services.case_open(user=None, title="", alert_id=alert.pk)
    html = cast.client(cast.office).get(f"/cases/{case.pk}/").content.decode()
    assert "系统自动立案" in html and "立案（None）" not in html
    assert case.title == event.title and f'href="/events/{event.pk}/"' in html


def test_a_returned_plan_asks_the_office_for_a_new_version(cast):
    case = advance(open_case(cast), cast, cv.PLAN_PENDING)
    plan = case.plans.get()
    services.response_plan_decide(plan=plan, user=cast.leader, approve=False, comments="措施不具体")
    s = step(case, cast.office)
    assert (s.kind, s.may) == ("plan", True) and "被退回（措施不具体）" in s.what
    html = cast.client(cast.office).get(f"/cases/{case.pk}/").content.decode()
    assert "<details open><summary>起草应对方案</summary>" in html
