"""The API: same permissions as the pages; 201/403/404/409/422 with reasons; lists page with count."""

from __future__ import annotations

import pytest

from yuqing.cases.tests.drive import open_case
from yuqing.releases.tests.conftest import ALL_CHECKED, DRAFT, draft

pytestmark = pytest.mark.django_db


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_release_chain_through_the_api(cast, reviewer):
    case = open_case(cast)
    office, rev, leader = cast.api(cast.office), cast.api(reviewer), cast.api(cast.leader)
    r = _post(office, f"/api/v1/cases/{case.pk}/releases", DRAFT)
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert r.json()["status"] == "draft"
    assert _post(office, f"/api/v1/releases/{rid}/submit", {}).status_code == 200
    r = _post(rev, f"/api/v1/releases/{rid}/review", {"checklist": ALL_CHECKED, "result": "pass"})
    assert r.status_code == 201 and r.json()["result"] == "pass"
    r = _post(leader, f"/api/v1/releases/{rid}/sign", {})
    assert r.status_code == 200 and r.json()["status"] == "signed" and len(r.json()["content_hash"]) == 64
    r = _post(office, f"/api/v1/releases/{rid}/publish", {"url": "https://www.example.gov.cn/1"})
    assert r.status_code == 200 and r.json()["status"] == "published"
    listing = office.get("/api/v1/releases?page=1").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == rid


def test_api_refusals_say_why(cast, reviewer):
    case = open_case(cast)
    office = cast.api(cast.office)
    r = _post(cast.api(reviewer), f"/api/v1/cases/{case.pk}/releases", DRAFT)
    assert r.status_code in (403, 404)
    r = _post(office, f"/api/v1/cases/{case.pk}/releases", {**DRAFT, "kind": "poem"})
    assert r.status_code == 422 and "kind" in r.json()["errors"]
    rid = draft(case, cast).pk
    r = _post(office, f"/api/v1/releases/{rid}/publish", {"url": "https://www.example.gov.cn/1"})
    assert r.status_code == 409 and "签发" in r.json()["detail"]
    _post(office, f"/api/v1/releases/{rid}/submit", {})
    r = _post(
        cast.api(cast.director),
        f"/api/v1/releases/{rid}/review",
        {"checklist": ALL_CHECKED, "result": "pass"},
    )
    assert r.status_code == 403 and "保密审查员" in r.json()["detail"]
    r = _post(cast.api(reviewer), f"/api/v1/releases/{rid}/review", {"checklist": {}, "result": "pass"})
    assert r.status_code == 422 and "checklist" in r.json()["errors"]


def test_outsider_is_refused_and_another_department_gets_404(cast):
    rid = draft(open_case(cast, department_id=cast.department.pk), cast).pk
    outsider, other = cast.api(cast.outsider), cast.api(cast.other_head)
    assert outsider.get("/api/v1/releases").json() == {"items": [], "count": 0}
    assert outsider.get(f"/api/v1/releases/{rid}").status_code == 403
    assert other.get(f"/api/v1/releases/{rid}").status_code == 404
    assert cast.api(cast.head).get(f"/api/v1/releases/{rid}").status_code == 200


def test_talking_points_and_guidance_tasks_through_the_api(cast, commentator):
    director = cast.api(cast.director)
    r = _post(director, "/api/v1/talking-points", {"topic": "定额调整", "text": "定额调整依法依规。"})
    assert r.status_code == 201 and r.json()["version"] == 1 and r.json()["current"] is True
    pid = r.json()["id"]
    assert (
        _post(cast.api(cast.office), "/api/v1/talking-points", {"topic": "x", "text": "y"}).status_code == 403
    )
    assert _post(director, "/api/v1/talking-points", {"topic": "", "text": ""}).status_code == 422
    assert director.get("/api/v1/talking-points").json()["count"] == 1
    assert cast.api(cast.head).get("/api/v1/talking-points").status_code == 403
    case = open_case(cast)
    r = _post(
        director, "/api/v1/talking-points", {"topic": "本案", "text": "本案口径内容。", "case_id": case.pk}
    )
    assert r.status_code == 201 and r.json()["case_id"] == case.pk
    r = _post(
        cast.api(cast.office),
        f"/api/v1/cases/{case.pk}/guidance-tasks",
        {"assignee_id": commentator.pk, "where": "论坛", "talking_point_ids": [pid]},
    )
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    mine = cast.api(commentator)
    assert mine.get("/api/v1/guidance-tasks").json()["count"] == 1
    r = _post(mine, f"/api/v1/guidance-tasks/{tid}/posts", {"url": "https://bbs.example.cn/1", "done": True})
    assert r.status_code == 201 and r.json()["status"] == "done" and len(r.json()["posts"]) == 1
    r = _post(mine, f"/api/v1/guidance-tasks/{tid}/posts", {"url": "https://bbs.example.cn/2"})
    assert r.status_code == 409
    counts = cast.api(cast.office).get(f"/api/v1/cases/{case.pk}/guidance-counts").json()
    assert counts == {"tasks": 1, "open": 0, "done": 1, "posts": 1, "releases": 0, "published": 0}


def test_openapi_lists_the_release_endpoints(cast):
    paths = cast.client(cast.office).get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/releases",
        "/api/v1/cases/{case_id}/releases",
        "/api/v1/releases/{release_id}/review",
        "/api/v1/releases/{release_id}/sign",
        "/api/v1/releases/{release_id}/publish",
        "/api/v1/talking-points",
        "/api/v1/guidance-tasks",
        "/api/v1/guidance-tasks/{task_id}/posts",
        "/api/v1/cases/{case_id}/guidance-counts",
    ):
        assert path in paths
