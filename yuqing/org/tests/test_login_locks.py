"""Login locks (issue 9): per user name *and* address, a password-spray detector per address, an account
lock after failures from many addresses — and a locked account's API tokens and sessions suspended.

Every request goes through the real login page, the API and the pages with the test client, each client
at its own address (``REMOTE_ADDR``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.notify.models import Notification
from yuqing.org import access
from yuqing.org.services import api_token_create
from yuqing.testing.factories import PASSWORD, make_persona

pytestmark = pytest.mark.django_db

HOME, STRANGER, THIRD = "10.8.1.11", "10.8.2.22", "10.8.3.33"
LIMIT = settings.AXES_FAILURE_LIMIT
COOL_OFF = settings.AXES_COOLOFF_TIME


def login(username: str, password: str, ip: str):
    return Client(REMOTE_ADDR=ip).post("/login/", {"username": username, "password": password, "next": ""})


def fail(username: str, ip: str, times: int = 1) -> list[int]:
    return [login(username, "wrong-password", ip).status_code for _ in range(times)]


def api_client(user, ip: str) -> Client:
    return Client(
        REMOTE_ADDR=ip, headers={"Authorization": f"Bearer {api_token_create(user=user, name='采集')}"}
    )


def browser(ip: str) -> Client:
    client = Client(REMOTE_ADDR=ip)
    assert client.post("/login/", {"username": "clerk", "password": PASSWORD}).status_code == 302
    return client


def addresses(count: int) -> list[str]:
    return [f"10.9.{n}.{n + 1}" for n in range(count)]


# --- per user name and address ----------------------------------------------------------------------


def test_five_failures_from_one_address_lock_the_user_name_there_but_not_from_another_address(clerk):
    assert fail("clerk", HOME, LIMIT - 1) == [200] * (LIMIT - 1)
    locked = login("clerk", "wrong-password", HOME)
    assert locked.status_code == 429
    assert "已被暂时锁定" in locked.content.decode()
    assert login("clerk", PASSWORD, HOME).status_code == 429
    # The same user name from another address is a different lock.
    assert login("clerk", PASSWORD, STRANGER).status_code == 302


def test_a_stranger_cannot_lock_the_duty_officer_out(clerk):
    duty = make_persona("duty", "值班员乙", access.OFFICE_MEMBER, department="办公室", password=PASSWORD)
    duty_api = api_client(duty, HOME)
    assert fail("duty", STRANGER, 20) == [200] * (LIMIT - 1) + [429] * (21 - LIMIT)
    # The duty officer, at their own desk, still logs in and their token still works.
    response = login("duty", PASSWORD, HOME)
    assert response.status_code == 302
    assert duty_api.get("/api/v1/items").status_code == 200


def test_a_lock_is_audited_with_the_user_name_and_address(clerk):
    fail("clerk", STRANGER, LIMIT)
    entry = AuditEntry.objects.get(action="login.lock")
    assert entry.object_id == str(clerk.pk)
    assert entry.new["username"] == "clerk" and entry.new["ip_address"] == STRANGER
    assert entry.new["failures"] == LIMIT and entry.ip == STRANGER


# --- spraying passwords across user names from one address -------------------------------------------


def test_spraying_passwords_across_many_user_names_locks_the_address_and_alerts_the_administrators(
    clerk, admin_user, django_capture_on_commit_callbacks
):
    director = make_persona("director", "应急办主任", access.OFFICE_DIRECTOR)
    names = [f"staff{n:02d}" for n in range(18)]
    for name in names:
        make_persona(name, f"职员{name}")
    passwords = ["123456aA", "Password1", "Tiemenguan2025", "Shuiwu@2026"]
    spray_users = settings.LOGIN_SPRAY_USERS
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [login(name, pw, STRANGER).status_code for pw in passwords for name in names]
    assert len(statuses) == 72
    assert statuses == [200] * (spray_users - 1) + [429] * (72 - spray_users + 1)
    # Nothing was recorded after the lock: the rest of the spray never reached a password check.
    assert AccessAttempt.objects.filter(ip_address=STRANGER).count() == spray_users

    entry = AuditEntry.objects.get(action="login.lock_address")
    assert entry.object_id == STRANGER and entry.new["user_names"] == spray_users
    assert set(entry.new["usernames"]) == set(names[:spray_users])
    for person in (admin_user, director):
        note = Notification.objects.get(recipient=person)
        assert STRANGER in note.title and "密码" in note.title
    assert not Notification.objects.filter(recipient=clerk).exists()

    # The address is locked for every user name, even with the right password; other addresses are not.
    refused = login("clerk", PASSWORD, STRANGER)
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "本地址" in html and f"{int(COOL_OFF.total_seconds() // 60)} 分钟" in html and "系统管理员" in html
    assert login("clerk", PASSWORD, HOME).status_code == 302


def test_the_address_lock_lifts_after_the_cool_off(clerk):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for n in range(settings.LOGIN_SPRAY_USERS):
            fail(f"nobody{n}", STRANGER)
        assert login("clerk", PASSWORD, STRANGER).status_code == 429
        traveller.move_to(start + COOL_OFF - timedelta(minutes=1))
        assert login("clerk", PASSWORD, STRANGER).status_code == 429
        traveller.move_to(start + COOL_OFF + timedelta(seconds=1))
        assert login("clerk", PASSWORD, STRANGER).status_code == 302


def test_typos_corrected_by_a_successful_login_do_not_count_towards_the_spray_detector(clerk):
    """Colleagues behind one NAT address who mistype and then get in are not a spray."""
    for n in range(settings.LOGIN_SPRAY_USERS + 2):
        make_persona(f"colleague{n}", f"同事{n}", password=PASSWORD)
        fail(f"colleague{n}", HOME)
        assert login(f"colleague{n}", PASSWORD, HOME).status_code == 302
    assert login("clerk", PASSWORD, HOME).status_code == 302


# --- the account, brute-forced from many addresses ---------------------------------------------------


def test_failures_from_many_addresses_lock_the_account_everywhere(clerk, django_capture_on_commit_callbacks):
    admin = make_persona("sysadmin", "系统管理员甲", access.SYSTEM_ADMIN)
    account_limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    sources = addresses(-(-account_limit // LIMIT))
    with django_capture_on_commit_callbacks(execute=True):
        for ip in sources:
            fail("clerk", ip, LIMIT)
    refused = login("clerk", PASSWORD, HOME)
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "多个地址" in html and "API 令牌" in html
    entry = AuditEntry.objects.get(action="login.lock_account")
    assert entry.new["failures"] == account_limit and set(entry.new["addresses"]) == set(sources)
    assert "clerk" in Notification.objects.get(recipient=admin).title


# --- a locked account's tokens and sessions ----------------------------------------------------------


def test_a_locked_account_token_and_session_are_refused_while_locked_and_work_again_after_the_cool_off(clerk):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        api = api_client(clerk, HOME)
        page = browser(HOME)
        assert api.get("/api/v1/items").status_code == 200
        assert page.get("/items/").status_code == 200

        fail("clerk", HOME, LIMIT)
        refused = api.get("/api/v1/items")
        assert refused.status_code == 403 and "已被暂时锁定" in refused.json()["detail"]
        suspended = page.get("/items/")
        html = suspended.content.decode()
        assert suspended.status_code == 403
        assert "会话已暂停使用" in html and f"{int(COOL_OFF.total_seconds() // 60)} 分钟" in html
        assert page.get("/api/v1/items").status_code == 403  # the session on the API, too

        traveller.move_to(start + COOL_OFF - timedelta(minutes=1))
        assert api.get("/api/v1/items").status_code == 403
        assert page.get("/items/").status_code == 403

        traveller.move_to(start + COOL_OFF + timedelta(seconds=1))
        assert api.get("/api/v1/items").status_code == 200
        assert page.get("/items/").status_code == 200  # suspended, not ended: no new login needed


def test_a_locked_account_token_and_session_work_again_after_an_administrator_unlocks_it(clerk, admin_user):
    api = api_client(clerk, HOME)
    page = browser(HOME)
    fail("clerk", HOME, LIMIT)
    assert api.get("/api/v1/items").status_code == 403
    assert page.get("/items/").status_code == 403

    admin = Client(REMOTE_ADDR=THIRD)
    admin.force_login(admin_user)
    ids = list(AccessAttempt.objects.filter(username="clerk").values_list("id", flat=True))
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk").exists()
    entry = AuditEntry.objects.get(action="login.unlock")
    assert entry.actor_id == admin_user.pk and entry.new == {"username": "clerk", "ip_address": HOME}

    assert api.get("/api/v1/items").status_code == 200
    assert page.get("/items/").status_code == 200


def test_a_lock_from_a_strangers_address_does_not_suspend_the_owners_token_or_session(clerk):
    api = api_client(clerk, HOME)
    page = browser(HOME)
    fail("clerk", STRANGER, LIMIT * 3)
    assert api.get("/api/v1/items").status_code == 200
    assert page.get("/items/").status_code == 200
    # The token used from the stranger's address is refused: that is where the account is locked.
    stolen = Client(REMOTE_ADDR=STRANGER, HTTP_AUTHORIZATION=api.defaults["HTTP_AUTHORIZATION"])
    assert stolen.get("/api/v1/items").status_code == 403


def test_a_suspended_session_can_still_log_out(clerk):
    page = browser(HOME)
    fail("clerk", HOME, LIMIT)
    response = page.post("/logout/")
    assert response.status_code == 302
    assert page.get("/items/").status_code == 302  # now simply logged out: to the login page
