"""Login hardening beyond the role checks: security headers, CSRF, session expiry, the API's role gate
and its documentation page under the content security policy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.test_permission_matrix import CHECKED, DECLARED, ROUTES, kind_of
from tests.test_permission_matrix import request as route_request
from yuqing.events.tests.routes import an_alert
from yuqing.org.services import api_token_create
from yuqing.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

HEADERS = {
    "Content-Security-Policy": "script-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=()",
}


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["admin_user", "clerk", "outsider"])
def test_every_html_page_carries_the_security_headers(request, persona):
    user = request.getfixturevalue(persona)
    html_pages = 0
    for name in CHECKED:
        route, spec = ROUTES[name], DECLARED[name]
        if kind_of(route) == "api" or spec.get("method", "get") != "get":
            continue
        with transaction.atomic():  # each route's objects apart, as in the matrix
            kwargs = {k: v() if callable(v) else v for k, v in spec.get("kwargs", {}).items()}
            response = route_request(route, spec, user, kwargs)
            transaction.set_rollback(True)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html_pages += 1
        for header, part in HEADERS.items():
            assert part in response.get(header, ""), f"{name} ({response.status_code}) lacks {header}: {part}"
    assert html_pages >= 15  # allowed pages and the 403 pages both


def test_a_form_post_without_the_csrf_token_is_refused(clerk):
    alert_id = an_alert()
    strict = client_for(clerk, enforce_csrf_checks=True)
    assert strict.post(f"/alerts/{alert_id}/ack/").status_code == 403
    assert strict.post("/logout/").status_code == 403
    assert Client(enforce_csrf_checks=True).post("/login/", {"username": "clerk"}).status_code == 403
    # With the token the page gave, the same post goes through.
    strict.get("/alerts/")
    token = strict.cookies[settings.CSRF_COOKIE_NAME].value
    response = strict.post(f"/alerts/{alert_id}/ack/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/alerts/"


def test_an_api_write_with_the_browser_session_needs_the_csrf_token_but_a_bearer_token_does_not(clerk):
    strict = client_for(clerk, enforce_csrf_checks=True)
    refused = strict.post("/api/v1/analyze", {"text": "税务局"}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    token = api_token_create(user=clerk, name="测试")
    machine = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})
    response = machine.post("/api/v1/analyze", {"text": "税务局"}, content_type="application/json")
    assert response.status_code == 200


def test_a_session_expires_after_the_configured_age(clerk):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        assert client.login(username="clerk", password=PASSWORD)
        traveller.move_to(start + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get("/items/").status_code == 200
        traveller.move_to(start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get("/items/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_session_cookie_is_http_only_and_dies_with_the_browser(clerk):
    client = Client()
    client.post("/login/", {"username": "clerk", "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["max-age"]


def test_an_api_token_of_someone_without_the_role_is_refused_naming_the_roles(outsider, clerk):
    outsider_api = Client(headers={"Authorization": f"Bearer {api_token_create(user=outsider, name='外')}"})
    response = outsider_api.get("/api/v1/items")
    assert response.status_code == 403
    assert "舆情应急办成员" in response.json()["detail"] and "舆情应急工作组组长" in response.json()["detail"]
    # Refused before the body is read: a malformed body does not earn a 422 that describes the schema.
    assert outsider_api.post("/api/v1/analyze", "{", content_type="application/json").status_code == 403
    clerk_api = Client(headers={"Authorization": f"Bearer {api_token_create(user=clerk, name='内')}"})
    assert clerk_api.get("/api/v1/items").status_code == 200
    assert Client().get("/api/v1/items").status_code == 401


def test_the_api_docs_load_only_same_origin_scripts_and_styles(clerk):
    response = client_for(clerk).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    sources = [m.group(1) for attrs in scripts if (m := re.search(r'src="([^"]+)"', attrs))]
    assert sources, "the Swagger page loads its JavaScript"
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert all('type="application/json"' in attrs for attrs in inline), "inline scripts break the CSP"
    styles = re.findall(r'<link[^>]*href="([^"]+)"', html)
    for url in sources + styles:
        assert url.startswith(settings.STATIC_URL), f"{url} is not served by this site"
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is missing from the static files"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_api_docs_and_schema_need_a_login_or_a_token(clerk):
    assert Client().get("/api/v1/openapi.json").status_code == 401
    docs = Client().get(reverse("api:openapi-view"))
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")
    token = api_token_create(user=clerk, name="文档")
    schema = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/openapi.json")
    assert schema.status_code == 200 and "/api/v1/items" in schema.json()["paths"]


def test_a_locked_account_token_is_refused_on_the_api_schema_too_with_the_reason(clerk):
    token = api_token_create(user=clerk, name="文档")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/login/", {"username": "clerk", "password": "wrong-password"})
    schema = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/openapi.json")
    assert schema.status_code == 403 and "已被暂时锁定" in schema.json()["detail"]
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/items").status_code == 403
