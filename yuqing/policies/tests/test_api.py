from __future__ import annotations

import json

import pytest
from django.test import Client

from yuqing.audit.models import AuditEntry
from yuqing.events.models import Event
from yuqing.org import access
from yuqing.org.services import api_token_create
from yuqing.policies.models import PolicyDocument
from yuqing.policies.tests.factories import DEDUCTION, OLD_DEDUCTION, SMALL_TAXPAYER, make_policy
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db


def token_client(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user, name='测试')}"})


@pytest.fixture
def deputy_api(db):
    return token_client(make_persona("deputy", "副主任甲", access.OFFICE_DEPUTY, department="办公室"))


def post(client: Client, url: str, data, method: str = "post"):
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return getattr(client, method)(url, body, content_type="application/json")


def test_reading_needs_a_login():
    assert Client().get("/api/v1/policies").status_code == 401


def test_the_list_searches_and_pages(api):
    make_policy(DEDUCTION)
    make_policy(SMALL_TAXPAYER)

    everything = api.get("/api/v1/policies").json()
    found = api.get("/api/v1/policies", {"q": "赡养"}).json()

    assert everything["count"] == 2 and len(everything["items"]) == 2
    assert [p["title"] for p in found["items"]] == [DEDUCTION["title"]]
    assert found["items"][0]["validity_label"] == "全文有效"
    assert api.get("/api/v1/policies", {"page": 0}).status_code == 422
    assert api.get("/api/v1/policies", {"validity": "maybe"}).status_code == 422


def test_one_policy_is_read_with_its_full_text(api):
    policy = make_policy(DEDUCTION)

    body = api.get(f"/api/v1/policies/{policy.pk}").json()

    assert body["text"] == policy.text
    assert body["doc_number"] == "测税发〔2023〕12号"
    assert api.get("/api/v1/policies/999").status_code == 404


def test_a_clerk_may_read_but_not_create(api):
    response = post(api, "/api/v1/policies", DEDUCTION)

    assert response.status_code == 403
    assert "舆情应急办主任" in response.json()["detail"]
    assert PolicyDocument.objects.count() == 0


def test_the_office_deputy_creates_a_policy_and_it_is_audited(deputy_api):
    response = post(deputy_api, "/api/v1/policies", {**DEDUCTION, "validity": "valid"})

    assert response.status_code == 201
    body = response.json()
    assert body["issuer"] == "国家税务总局测试局"
    entry = AuditEntry.objects.get(action="policy.create")
    assert entry.object_id == str(body["id"]) and entry.actor_label.endswith("（deputy）")


def test_bad_input_gives_422_naming_every_field(deputy_api):
    response = post(
        deputy_api,
        "/api/v1/policies",
        {"title": "", "issued_on": "2018-02-30", "validity": "有时有效", "text": "<script>x()</script>"},
    )

    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {"title", "issued_on", "validity", "text"}
    assert fields["issued_on"].startswith("发文日期（issued_on）格式无效")
    assert "HTML" in fields["text"]


def test_wrong_types_unknown_fields_and_broken_json_are_refused_without_a_500(deputy_api):
    wrong_type = post(deputy_api, "/api/v1/policies", {**DEDUCTION, "title": 42})
    unknown = post(deputy_api, "/api/v1/policies", {**DEDUCTION, "body": "x"})
    broken = post(deputy_api, "/api/v1/policies", "{oops")
    not_object = post(deputy_api, "/api/v1/policies", "[]")

    assert wrong_type.status_code == 422 and wrong_type.json()["errors"][0]["field"] == "title"
    assert unknown.status_code == 422 and "未知字段 body" in unknown.json()["detail"]
    assert broken.status_code == 400 and not_object.status_code == 400


def test_a_duplicate_title_and_date_is_a_422_on_title(deputy_api):
    make_policy(DEDUCTION)

    response = post(deputy_api, "/api/v1/policies", DEDUCTION)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "title"


def test_patch_changes_only_the_given_fields_and_records_the_change(deputy_api, api):
    policy = make_policy(DEDUCTION)

    denied = post(api, f"/api/v1/policies/{policy.pk}", {"validity": "repealed"}, method="patch")
    response = post(deputy_api, f"/api/v1/policies/{policy.pk}", {"validity": "失效"}, method="patch")

    assert denied.status_code == 403
    assert response.status_code == 200 and response.json()["validity"] == "repealed"
    assert response.json()["text"] == DEDUCTION["text"]
    assert AuditEntry.objects.get(action="policy.update").new == {"validity": "repealed"}


def test_event_suggestions_apply_only_to_misreading_events(api):
    policy = make_policy(DEDUCTION)
    make_policy(OLD_DEDUCTION)
    event = Event.objects.create(
        key="e", title="网传赡养老人专项附加扣除取消了", categories={"misreading": 2}
    )
    other = Event.objects.create(key="f", title="赡养老人专项附加扣除", categories={"criticism": 2})

    body = api.get(f"/api/v1/events/{event.pk}/policy-suggestions").json()
    none = api.get(f"/api/v1/events/{other.pk}/policy-suggestions").json()

    assert body["applies"] is True
    assert [s["policy"]["id"] for s in body["items"]] == [policy.pk]  # the repealed one is left out
    assert body["items"][0]["matched_terms"]
    assert none == {"event": other.pk, "applies": False, "reason": none["reason"], "items": [], "count": 0}
    assert api.get("/api/v1/events/999/policy-suggestions").status_code == 404


def test_the_openapi_document_describes_every_policy_endpoint(api):
    spec = api.get("/api/v1/openapi.json").json()

    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/policies"])
    assert {"get", "patch"} <= set(paths["/api/v1/policies/{policy_id}"])
    assert "get" in paths["/api/v1/events/{event_id}/policy-suggestions"]
    body = paths["/api/v1/policies"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["title", "issued_on", "text"]
    assert "422" in paths["/api/v1/policies"]["post"]["responses"]
