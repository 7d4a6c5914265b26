"""The standard personas the suites share (an office member, a department head, the group leader, …) and
API clients: pytest fixtures, loaded by the root conftest for every test. The matrix test adds the roles
these leave out."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from yuqing.org import access
from yuqing.org.services import api_token_create
from yuqing.testing.factories import PASSWORD, make_persona


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
    return make_persona("duty_member", "值班员甲", access.OFFICE_MEMBER, department="办公室", on_duty=True)


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
