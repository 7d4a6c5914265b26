"""Login hardening: django-axes lockout, session expiry, CSRF — and test logins still work."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from yuqing.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client: Client, password: str, username: str = "clerk"):
    return client.post("/login/", {"username": username, "password": password, "next": ""})


@pytest.mark.real_password_hasher
def test_a_good_password_logs_in_through_the_login_page(clerk):
    assert clerk.password.startswith("pbkdf2_sha256$")  # the production hasher, not the tests' MD5
    client = Client()
    response = attempt(client, PASSWORD)
    # LOGIN_REDIRECT_URL is the home page, which sends each role on to its first page.
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/")["Location"] == "/items/"


def test_other_tests_hash_passwords_with_the_fast_md5_hasher(clerk):
    assert clerk.password.startswith("md5$")
    assert Client().post("/login/", {"username": "clerk", "password": PASSWORD}).status_code == 302


def test_five_wrong_passwords_lock_the_account_with_a_chinese_message(clerk):
    client = Client()
    for _ in range(4):
        response = attempt(client, "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    response = attempt(client, "wrong-password")
    html = response.content.decode()
    assert response.status_code == 429
    assert "已被暂时锁定" in html and "连续 5 次登录失败" in html and "15 分钟" in html
    # Locked: even the right password is refused now, from another browser too.
    response = attempt(Client(), PASSWORD)
    assert response.status_code == 429 and "已被暂时锁定" in response.content.decode()


def test_a_locked_account_does_not_lock_out_colleagues_on_the_same_address(clerk, admin_user):
    for _ in range(5):
        attempt(Client(), "wrong-password")
    assert attempt(Client(), PASSWORD).status_code == 429
    assert attempt(Client(), PASSWORD, username="root").status_code == 302


def test_the_lock_lifts_after_fifteen_minutes(clerk):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            attempt(Client(), "wrong-password")
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert attempt(Client(), PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert attempt(Client(), PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(clerk):
    for _ in range(4):
        attempt(Client(), "wrong-password")
    assert attempt(Client(), PASSWORD).status_code == 302
    for _ in range(4):
        assert attempt(Client(), "wrong-password").status_code == 200


def test_test_client_login_and_force_login_still_work(clerk):
    client = Client()
    assert client.login(username="clerk", password=PASSWORD)
    assert client.get("/items/").status_code == 200
    assert not Client().login(username="clerk", password="wrong-password")
    other = Client()
    other.force_login(clerk)
    assert other.get("/items/").status_code == 200


def test_sessions_end_with_the_browser_and_after_the_configured_age(clerk):
    response = attempt(Client(), PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert not cookie["expires"] and not cookie["max-age"]
    assert cookie["httponly"]


def test_the_login_form_requires_a_csrf_token(clerk):
    client = Client(enforce_csrf_checks=True)
    response = attempt(client, PASSWORD)
    assert response.status_code == 403
