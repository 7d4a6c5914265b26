"""会商 and working-group decisions: who may record them, bad input named by field, audit written, the
timeline, and the pages keep what was typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.cases.selectors import case_timeline
from yuqing.consult.models import ConsultationAction, ConsultationMeeting, GroupDecision
from yuqing.consult.services import consultation_action_complete, consultation_record, group_decision_record
from yuqing.core.errors import ServiceError
from yuqing.org import access
from yuqing.testing.factories import make_case, make_persona


@pytest.fixture
def director(db):
    return make_persona("c_director", "主任乙", access.OFFICE_DIRECTOR, department="办公室")


@pytest.fixture
def case(director):
    return make_case(director, title="办税厅排队")


def _data(owner, **kw):
    now = timezone.now()
    data = {
        "held_at": now - timedelta(hours=1),
        "topic": "排队问题对策",
        "people": [owner.person.pk],
        "others": "市委宣传部",
        "conclusions": "增开窗口并发布说明",
        "actions": [{"text": "发布说明", "owner_id": owner.person.pk, "due_at": now + timedelta(hours=3)}],
    }
    return {**data, **kw}


def test_office_records_a_consultation_with_actions_and_an_audit_entry(case, director, department_head):
    meeting = consultation_record(case=case, user=director, data=_data(department_head))
    assert meeting.actions.get().owner == department_head.person
    entry = AuditEntry.objects.get(action="consultation.record")
    assert entry.new["topic"] == "排队问题对策" and entry.new["actions"][0]["text"] == "发布说明"
    assert any(e.kind == "consultation" and "排队问题对策" in e.title for e in case_timeline(case))


def test_department_head_may_not_record_a_consultation(case, department_head):
    with pytest.raises(ServiceError) as exc:
        consultation_record(case=case, user=department_head, data=_data(department_head))
    assert exc.value.status == 403
    assert not ConsultationMeeting.objects.exists()


def test_bad_consultation_input_names_each_field(case, director, department_head):
    data = _data(
        department_head,
        held_at=timezone.now() + timedelta(days=1),
        topic="",
        people=[],
        others="",
        actions=[{"text": "x", "owner_id": "", "due_at": "2020-01-01 10:00"}],
    )
    with pytest.raises(ServiceError) as exc:
        consultation_record(case=case, user=director, data=data)
    errors = exc.value.errors
    assert errors["held_at"] == "会商时间不能晚于当前时间"
    assert errors["topic"] == "请填写会商议题"
    assert "参会" in errors["people"]
    assert "责任人" in errors["actions.0.owner"]
    assert not AuditEntry.objects.filter(action="consultation.record").exists()


def test_owner_completes_an_action_once_and_an_outsider_may_not(case, director, department_head, outsider):
    action = consultation_record(case=case, user=director, data=_data(department_head)).actions.get()
    with pytest.raises(ServiceError) as exc:
        consultation_action_complete(action=action, user=outsider)
    assert exc.value.status == 403
    consultation_action_complete(action=action, user=department_head, note="已发布")
    assert ConsultationAction.objects.get().done_note == "已发布"
    assert AuditEntry.objects.filter(action="consultation_action.complete").count() == 1
    with pytest.raises(ServiceError) as exc:
        consultation_action_complete(action=action, user=director)
    assert exc.value.status == 409


def test_a_decision_needs_a_group_leader_as_decider(case, director, leader, clerk):
    with pytest.raises(ServiceError) as exc:
        group_decision_record(
            case=case,
            user=director,
            data={"kind": "disposal_opinion", "text": "先核实", "decided_by": clerk.person.pk},
        )
    assert "组长或副组长" in exc.value.errors["decided_by"]
    decision = group_decision_record(
        case=case,
        user=director,
        data={"kind": "disposal_opinion", "text": "先核实后回应", "decided_by": leader.person.pk},
    )
    assert decision.decided_by == leader.person
    assert AuditEntry.objects.get(action="group_decision.record").new["kind"] == "disposal_opinion"
    assert any(e.kind == "decision" and e.detail == "先核实后回应" for e in case_timeline(case))


def test_a_leader_records_their_own_decision_and_bad_kind_is_named(case, leader):
    with pytest.raises(ServiceError) as exc:
        group_decision_record(case=case, user=leader, data={"kind": "x", "text": ""})
    assert set(exc.value.errors) == {"kind", "text"}
    decision = group_decision_record(case=case, user=leader, data={"kind": "major_issue", "text": "统一口径"})
    assert decision.decided_by == leader.person and GroupDecision.objects.count() == 1


def test_meeting_page_keeps_typed_input_on_error_and_records_on_success(case, director, department_head):
    client = Client()
    client.force_login(director)
    url = f"/consult/cases/{case.pk}/meetings/new/"
    response = client.post(url, {"topic": "窗口排队", "conclusions": "", "held_at": ""})
    assert response.status_code == 422
    body = response.content.decode()
    assert "窗口排队" in body and "请填写会商结论" in body and "请填写会商时间" in body
    response = client.post(
        url,
        {
            "topic": "窗口排队",
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "people": [str(department_head.person.pk)],
            "conclusions": "增开窗口",
            "action_0_text": "发布说明",
            "action_0_owner": str(department_head.person.pk),
            "action_0_due": (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    meeting = ConsultationMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/consult/meetings/{meeting.pk}/"
    page = client.get(f"/consult/cases/{case.pk}/").content.decode()
    assert "窗口排队" in page


def test_api_records_and_lists_consultations(case, director, department_head):
    client = Client()
    client.force_login(director)
    payload = _data(department_head)
    payload["held_at"] = payload["held_at"].isoformat()
    payload["actions"][0]["due_at"] = payload["actions"][0]["due_at"].isoformat()
    response = client.post(f"/api/v1/cases/{case.pk}/consultations", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["actions"][0]["owner"] == department_head.person.name
    listed = client.get(f"/api/v1/cases/{case.pk}/consultations").json()
    assert [m["topic"] for m in listed] == ["排队问题对策"]
    bad = client.post(
        f"/api/v1/cases/{case.pk}/group-decisions", {"kind": "other"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "text" in bad.json()["errors"]
