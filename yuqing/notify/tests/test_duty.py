"""Who is on duty and the escalation chain (:mod:`yuqing.notify.duty`): the 值班表 first, the standing duty
member, the heads of the office and the working group; an explicit list when there is one; else superusers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from yuqing.events import alerts
from yuqing.events.models import EscalationContact
from yuqing.notify.duty import escalation_chain
from yuqing.org import access
from yuqing.org.models import Department, RoleAssignment
from yuqing.org.services import duty_set, role_assign, role_end
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db


def test_the_escalation_chain_runs_duty_member_deputy_director_deputy_leader_then_leader(leader):
    office = Department.objects.create(name="办公室")
    duty = make_persona("duty", "值班", department="办公室")
    off_duty = make_persona("off", "不值班", department="纳税服务科")
    deputy = make_persona("office_deputy", "副主任", access.OFFICE_DEPUTY, department="办公室")
    director = make_persona("director", "主任", access.OFFICE_DIRECTOR, department="办公室")
    group_deputy = make_persona("group_deputy", "副组长", access.GROUP_DEPUTY)
    role_assign(person=duty.person, role=access.OFFICE_MEMBER, department=office, on_duty=True)
    role_assign(person=off_duty.person, role=access.OFFICE_MEMBER)
    assert escalation_chain() == [duty.id, deputy.id, director.id, group_deputy.id, leader.id]


def test_a_member_put_off_duty_leaves_the_chain_and_ended_roles_do_not_count(office_member, leader):
    assignment = RoleAssignment.objects.get(person__user=office_member)
    assert escalation_chain() == [office_member.id, leader.id]
    duty_set(assignment=assignment, on_duty=False)
    assert escalation_chain() == [leader.id]
    leader_assignment = RoleAssignment.objects.get(person__user=leader)
    leader_assignment.start_date = timezone.localdate() - timedelta(days=10)
    leader_assignment.save()
    role_end(assignment=leader_assignment)
    assert escalation_chain() == []


def test_a_person_with_two_chain_roles_appears_once():
    both = make_persona("both", "身兼两职", access.OFFICE_DIRECTOR, access.GROUP_DEPUTY, department="办公室")
    assert escalation_chain() == [both.id]


def test_default_chain_prefers_explicit_contacts_then_the_organisation_then_superusers(
    office_member, leader, admin_user
):
    assert alerts.default_chain() == [office_member.id, leader.id]
    other = get_user_model().objects.create_user("explicit")
    EscalationContact.objects.create(position=0, user=other)
    assert alerts.default_chain() == [other.id]
    EscalationContact.objects.all().delete()
    RoleAssignment.objects.update(on_duty=False, start_date=timezone.localdate() + timedelta(days=1))
    assert alerts.default_chain() == [admin_user.id]
