"""One refusal type: every service error carries its kind, and the pages map an uncaught one by kind."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from yuqing.cases.services.common import ProcedureError, forbidden, invalid
from yuqing.core.errors import ServiceError, conflict, not_found
from yuqing.core.middleware import ServiceErrorMiddleware
from yuqing.events.alerts import AlertError
from yuqing.org.services import OrgError
from yuqing.policies.services import PolicyInvalid


def test_every_service_error_is_one_type_with_a_kind_and_a_status():
    assert (forbidden("x").kind, forbidden("x").status) == ("forbidden", 403)
    assert (conflict("x").kind, conflict("x").status) == ("conflict", 409)
    assert (not_found("x").kind, not_found("x").status) == ("not_found", 404)
    refused = invalid({"title": "请填写标题"}, missing=["标题"])
    assert (refused.kind, refused.status, refused.errors, refused.missing) == (
        "invalid",
        422,
        {"title": "请填写标题"},
        ["标题"],
    )
    assert ProcedureError("x", code="forbidden").kind == "forbidden"  # the former keyword still works
    assert ProcedureError("x").code == "conflict"
    for error in (ProcedureError("x"), AlertError("x"), OrgError("x"), PolicyInvalid({"title": "x"})):
        assert isinstance(error, ServiceError)
    assert (OrgError("x").kind, PolicyInvalid({"t": "x"}).kind, AlertError("x").kind) == (
        "invalid",
        "invalid",
        "conflict",
    )
    assert isinstance(OrgError("x"), ValueError) and isinstance(PolicyInvalid({"t": "x"}), ValueError)


def test_field_puts_the_message_on_that_field():
    refused = ServiceError("须晚于当前时间", kind="invalid", field="due_at")
    assert refused.errors == {"due_at": "须晚于当前时间"}


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        ServiceError("x", kind="teapot")  # type: ignore[arg-type]


def _refusing(exc: Exception):
    def view(request: HttpRequest) -> HttpResponse:
        raise exc

    return view


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (forbidden("须由组长办理"), 403),
        (conflict("已结案"), 409),
        (invalid({"a": "b"}), 422),
        (not_found("无"), 404),
    ],
)
def test_the_pages_map_an_uncaught_refusal_by_its_kind(exc, status):
    request = RequestFactory().get("/cases/1/")
    middleware = ServiceErrorMiddleware(_refusing(exc))
    response = middleware.process_exception(request, exc)
    assert response is not None and response.status_code == status
    assert exc.message in response.content.decode()


def test_a_refused_form_goes_back_to_its_page_with_the_reason():
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post("/cases/1/act/", {"next": "/cases/1/"}, HTTP_HOST="testserver")
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    response = ServiceErrorMiddleware(_refusing(conflict("x"))).process_exception(request, conflict("已结案"))
    assert response is not None and (response.status_code, response["Location"]) == (302, "/cases/1/")
    assert [str(m) for m in request._messages] == ["已结案"]  # type: ignore[attr-defined]
    outside = RequestFactory().post("/cases/1/act/", {"next": "https://evil.example/"})
    outside.session = {}  # type: ignore[assignment]
    outside._messages = FallbackStorage(outside)  # type: ignore[attr-defined]
    response = ServiceErrorMiddleware(_refusing(conflict("x"))).process_exception(outside, conflict("已结案"))
    assert response is not None and response.status_code == 409


def test_the_api_leaves_refusals_to_its_own_handler():
    request = RequestFactory().get("/api/v1/cases/1")
    assert ServiceErrorMiddleware(_refusing(conflict("x"))).process_exception(request, conflict("x")) is None


@pytest.mark.django_db
def test_an_organisation_refusal_says_whether_the_input_or_the_state_is_wrong():
    from yuqing.org import access
    from yuqing.org.models import RoleAssignment
    from yuqing.org.services import role_assign, role_end
    from yuqing.testing.factories import make_persona

    person = make_persona("err_leader", "组长甲", access.GROUP_LEADER).person
    with pytest.raises(OrgError, match="未知角色") as unknown:
        role_assign(person=person, role="king")
    assert unknown.value.kind == "invalid"
    with pytest.raises(OrgError, match="已担任") as again:
        role_assign(person=person, role=access.GROUP_LEADER)
    assert again.value.kind == "conflict"
    assignment = RoleAssignment.objects.get(person=person)
    role_end(
        assignment=assignment, end_date=assignment.start_date.replace(year=assignment.start_date.year + 1)
    )
    with pytest.raises(OrgError, match="已于") as ended:
        role_end(
            assignment=assignment, end_date=assignment.start_date.replace(year=assignment.start_date.year + 2)
        )
    assert ended.value.kind == "conflict"
