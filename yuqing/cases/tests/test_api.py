"""The cases API over real HTTP handling (Django test client with bearer tokens): contracts of design.md."""

from __future__ import annotations

import json

import pytest

from yuqing.cases import vocab as cv
from yuqing.cases.tests.conftest import FULL_REPORT
from yuqing.cases.tests.drive import VERIFIED, advance, open_case

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_open_a_case_from_an_event_and_read_it_back(cast, event):
    api = cast.api(cast.office)
    r = post(api, "/api/v1/cases", {"title": "定额调整舆情", "severity": "major", "event_id": event.pk})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "new" and set(body) == {"id", "state"}
    detail = api.get(f"/api/v1/cases/{body['id']}").json()
    assert detail["event_id"] == event.pk and detail["severity"] == "major"
    assert detail["timeline"][0]["title"] == "立案"
    assert {d["kind"] for d in detail["deadlines"]} == {"first_response", "press_conference"}  # 重大
    assert {m["to"] for m in detail["transitions"]} == {"notified", "closed"}


def test_bad_case_input_gets_422_naming_fields(cast):
    r = post(cast.api(cast.office), "/api/v1/cases", {"title": "", "severity": "huge"})
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"title", "severity"}


def test_roles_without_the_right_get_403_and_unreadable_cases_404(cast):
    r = post(cast.api(cast.head), "/api/v1/cases", {"title": "x", "severity": "general"})
    assert r.status_code == 403 and "需要以下角色之一" in r.json()["detail"]
    case = open_case(cast)
    assert cast.api(cast.other_head).get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert cast.api(cast.outsider).get("/api/v1/cases").status_code == 403
    assert cast.api(cast.other_head).get("/api/v1/cases").json() == {"items": [], "count": 0}


def test_an_illegal_transition_is_409_with_the_reason(cast):
    case = open_case(cast)
    r = post(cast.api(cast.office), f"/api/v1/cases/{case.pk}/transitions", {"to": "reported"})
    assert r.status_code == 409
    assert "须依次经过" in r.json()["detail"]
    r = post(cast.api(cast.office), f"/api/v1/cases/{case.pk}/transitions", {"to": "notified"})
    assert r.status_code == 409 and "布置核实任务" in r.json()["detail"]


def test_a_report_missing_elements_is_422_listing_them(cast):
    case = advance(open_case(cast), cast, cv.VERIFYING)
    r = post(
        cast.api(cast.office),
        f"/api/v1/cases/{case.pk}/reports",
        {"kind": "initial", "level": "working_group", "signer_id": cast.director.pk, "place": "分局"},
    )
    assert r.status_code == 422
    missing = r.json()["missing"]
    assert "地点" not in missing and len(missing) == len(cv.REPORT_ELEMENTS) - 1
    assert missing[:3] == ["时间", "人物", "事件起因"]


def test_the_whole_procedure_through_the_api(cast, event):
    office, head, director, leader = (
        cast.api(u) for u in (cast.office, cast.head, cast.director, cast.leader)
    )
    case_id = post(office, "/api/v1/cases", {"title": "", "event_id": event.pk}).json()["id"]
    task = post(office, f"/api/v1/cases/{case_id}/verifications", {"department_id": cast.department.pk})
    assert task.status_code == 201
    # issue 12: moves that only record what happened are the system's; the API refuses them by hand
    refused = post(head, f"/api/v1/cases/{case_id}/transitions", {"to": "verifying"})
    assert refused.status_code == 409 and "由系统自动转入" in refused.json()["detail"]
    r = post(head, f"/api/v1/cases/{case_id}/verifications/{task.json()['id']}/result", VERIFIED)
    assert r.json()["finding"] == "true"
    assert office.get(f"/api/v1/cases/{case_id}").json()["state"] == "verifying"
    report = post(office, f"/api/v1/cases/{case_id}/reports", {**FULL_REPORT, "signer_id": cast.director.pk})
    assert report.status_code == 201
    assert post(office, f"/api/v1/cases/{case_id}/reports/{report.json()['id']}/sign", {}).status_code == 403
    signed = post(director, f"/api/v1/cases/{case_id}/reports/{report.json()['id']}/sign", {})
    assert signed.status_code == 200 and len(signed.json()["content_hash"]) == 64
    assert office.get(f"/api/v1/cases/{case_id}").json()["state"] == "reported"
    refused = post(office, f"/api/v1/cases/{case_id}/transitions", {"to": "plan_pending"})
    assert refused.status_code == 409 and "应对方案报批时" in refused.json()["detail"]
    from datetime import timedelta

    from django.utils import timezone

    due = (timezone.now() + timedelta(hours=4)).isoformat()
    plan = post(
        office,
        f"/api/v1/cases/{case_id}/plans",
        {
            "summary": "公开依据",
            "measures": [
                {"measure": "发布说明", "owner_id": cast.office.pk, "due_at": due, "kind": "disclosure"}
            ],
        },
    )
    assert plan.status_code == 201
    pid = plan.json()["id"]
    assert post(office, f"/api/v1/cases/{case_id}/plans/{pid}/submit", {}).json()["status"] == "submitted"
    assert post(office, f"/api/v1/cases/{case_id}/plans/{pid}/decision", {"approve": True}).status_code == 403
    assert post(leader, f"/api/v1/cases/{case_id}/plans/{pid}/decision", {"approve": True}).json()[
        "status"
    ] == ("approved")
    assert office.get(f"/api/v1/cases/{case_id}").json()["state"] == "responding"  # approval launched it
    again = post(leader, f"/api/v1/cases/{case_id}/plans/{pid}/launch", {})
    assert again.status_code == 409 and "已启动" in again.json()["detail"]
    detail = office.get(f"/api/v1/cases/{case_id}").json()
    kinds = {d["kind"]: d["status"] for d in detail["deadlines"]}
    assert kinds["verification"] == "met" and kinds["first_report"] == "met" and kinds["handling"] == "open"
    titles = [e["title"] for e in detail["timeline"]]
    assert titles[0] == "立案" and "批准应对方案第1版" in titles


def test_openapi_lists_the_case_routes(cast):
    schema = cast.client(cast.office).get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/transitions",
        "/api/v1/cases/{case_id}/reports",
    ):
        assert path in schema["paths"]
