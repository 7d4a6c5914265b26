"""Roles held through dated assignments; role checks. (The escalation chain drawn from the organisation:
yuqing/notify/tests/test_duty.py.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.org import access
from yuqing.org.models import Department, RoleAssignment
from yuqing.org.services import OrgError, role_assign, role_end
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db


def test_a_role_is_held_from_its_start_date_until_the_day_before_its_end(office_member):
    assignment = RoleAssignment.objects.get(person__user=office_member, role=access.OFFICE_MEMBER)
    today = timezone.localdate()
    assert access.OFFICE_MEMBER in access.roles_of(office_member)
    role_end(assignment=assignment, end_date=today + timedelta(days=3))
    assert access.roles_of(office_member, at=today + timedelta(days=2)) == {access.OFFICE_MEMBER}
    assert access.roles_of(office_member, at=today + timedelta(days=3)) == set()
    assert access.roles_of(office_member, at=today - timedelta(days=1)) == set()


def test_history_stays_true_after_a_handover():
    office = Department.objects.create(name="办公室")
    first = make_persona("first", "甲", department="办公室").person
    second = make_persona("second", "乙", department="办公室").person
    role_assign(person=first, role=access.OFFICE_MEMBER, start_date=date(2025, 1, 1))
    role_assign(person=second, role=access.OFFICE_MEMBER, start_date=date(2026, 7, 1))
    old, new = RoleAssignment.objects.filter(department=office).order_by("start_date")
    assert (old.person, old.end_date) == (first, date(2026, 7, 1))
    assert (new.person, new.end_date) == (second, None)
    assert access.roles_of(first.user, at=date(2026, 6, 30)) == {access.OFFICE_MEMBER}
    assert access.roles_of(first.user, at=date(2026, 7, 1)) == set()
    assert access.roles_of(second.user, at=date(2026, 7, 1)) == {access.OFFICE_MEMBER}
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["role.assign", "role.end", "role.assign"]


def test_two_open_office_members_for_one_department_are_refused_by_the_database_rules():
    dept = Department.objects.create(name="法制科")
    a = make_persona("a", "甲", department="法制科").person
    b = make_persona("b", "乙", department="法制科").person
    RoleAssignment.objects.create(person=a, role=access.OFFICE_MEMBER, department=dept)
    duplicate = RoleAssignment(person=b, role=access.OFFICE_MEMBER, department=dept)
    with pytest.raises(ValidationError, match="该科室已有人担任此角色"):
        duplicate.full_clean()


def test_a_department_role_needs_a_department_and_only_office_members_go_on_duty():
    person = make_persona("lead", "局领导甲").person
    with pytest.raises(ValidationError, match="代表科室"):
        role_assign(person=person, role=access.DEPARTMENT_HEAD)
    with pytest.raises(ValidationError, match="值班"):
        role_assign(person=person, role=access.GROUP_DEPUTY, on_duty=True)
    with pytest.raises(OrgError, match="未知角色"):
        role_assign(person=person, role="king")


def test_an_end_date_not_after_the_start_is_refused(office_member):
    assignment = RoleAssignment.objects.get(person__user=office_member)
    with pytest.raises(OrgError, match="晚于"):
        role_end(assignment=assignment, end_date=assignment.start_date)


def test_superusers_count_as_system_administrators_and_nothing_more(admin_user):
    assert access.roles_of(admin_user) == {access.SYSTEM_ADMIN}
    assert access.has_role(admin_user, access.SYSTEM_ADMIN, access.AUDITOR)
    assert not access.has_role(admin_user, access.AUDITOR)


def test_inactive_and_anonymous_users_hold_no_roles(auditor):
    from django.contrib.auth.models import AnonymousUser

    assert access.roles_of(AnonymousUser()) == set()
    auditor.is_active = False
    auditor.save()
    assert access.roles_of(auditor) == set()


def test_role_required_sends_strangers_to_login_and_refuses_users_without_the_role_in_chinese(clerk, auditor):
    response = Client().get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client = Client()
    client.force_login(clerk)
    response = client.get("/audit/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问此页面" in html and "纪检监督（审计）" in html and "联系系统管理员" in html


def test_role_required_rejects_unknown_role_names():
    with pytest.raises(ValueError, match="unknown roles"):
        access.role_required("emperor")
