"""Shared fixtures: role personas and API clients."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from yuqing.org import access
from yuqing.org.models import Department
from yuqing.org.services import api_token_create, person_create, role_assign

PASSWORD = "Tiemenguan-2026!"  # noqa: S105 — test persona

# Tests hash passwords with MD5: PBKDF2's million rounds cost a second per login on this machine and prove
# nothing about the code under test. A test about the real hasher is marked ``real_password_hasher``.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Yields the project's own hashers (the production setting) while the tests run on MD5."""
    real = list(settings.PASSWORD_HASHERS)
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield real


@pytest.fixture(autouse=True)
def production_hashers_when_marked(request, fast_password_hasher):
    """Under ``@pytest.mark.real_password_hasher`` the test runs on the production hashers."""
    if request.node.get_closest_marker("real_password_hasher") is None:
        yield
        return
    with override_settings(PASSWORD_HASHERS=fast_password_hasher):
        yield


def make_persona(
    username: str, name: str, *roles: str, department: str | None = None, password: str | None = None
):
    """A user with a staff profile holding ``roles`` from today; returns the user. Without ``password``
    the account can only be used with ``force_login`` (and is created without a slow password hash)."""
    dept = Department.objects.get_or_create(name=department)[0] if department else None
    person = person_create(username=username, name=name, department=dept, password=password)
    for role in roles:
        role_assign(person=person, role=role)
    return person.user


@pytest.fixture
def clerk(db):
    """A 舆情应急办 member (for 纳税服务科; not on duty): reads the feed, corrects labels, pushes items.
    The office's one member for 办公室 is ``office_member``, so both can be used in one test."""
    return make_persona("clerk", "科员甲", access.OFFICE_MEMBER, department="纳税服务科", password=PASSWORD)


@pytest.fixture
def outsider(db):
    """Logged in, holds no role: every page but their notifications must refuse them."""
    return make_persona("outsider", "外单位人员")


@pytest.fixture
def department_head(db):
    """征管科's 科室负责人: receives verification tasks; does not watch the raw feed."""
    return make_persona("head_zg", "征管科科长", access.DEPARTMENT_HEAD, department="征管科")


@pytest.fixture
def commentator(db):
    """A 税收评论员 of the talent pool: receives guidance tasks."""
    return make_persona("commentator", "评论员丙", access.COMMENTATOR, department="法制科")


@pytest.fixture
def auditor(db):
    """A 纪检组 officer: reads the audit trail and the roster."""
    return make_persona("auditor", "纪检干部甲", access.AUDITOR, department="纪检组")


@pytest.fixture
def leader(db):
    """The working group's 组长 (局长): approves and signs."""
    return make_persona("leader", "组长甲", access.GROUP_LEADER)


@pytest.fixture
def office_member(db):
    """A 舆情应急办 member, on duty: first to hear of an alert."""
    user = make_persona("duty_member", "值班员甲", department="办公室")
    role_assign(person=user.person, role=access.OFFICE_MEMBER, on_duty=True)
    return user


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def clerk_client(clerk) -> Client:
    client = Client()
    client.force_login(clerk)
    return client


@pytest.fixture
def api_token(clerk) -> str:
    return api_token_create(user=clerk, name="测试")


@pytest.fixture
def api(api_token):
    """A test client that sends the bearer token on every request."""
    return Client(headers={"Authorization": f"Bearer {api_token}"})
