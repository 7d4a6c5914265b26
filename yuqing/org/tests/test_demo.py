"""The demo organisation of 铁门关: departments, working group, office, talent pool, agencies, logins."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from yuqing.audit.models import AuditEntry
from yuqing.audit.services import audit_verify
from yuqing.notify.duty import escalation_chain
from yuqing.org import access
from yuqing.org.demo import DEFAULT_DEMO_PASSWORD, DEPARTMENTS, demo_disable, demo_load
from yuqing.org.models import Department, ExternalAgency, Person, RoleAssignment, TrainingRecord
from yuqing.org.selectors import org_structure

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("YUQING_DEMO_PASSWORD", "Demo-Password-For-Tests")
    demo_load()


def holders(role: str) -> list[str]:
    return [a.person.user.username for a in org_structure().get(role, [])]


def test_the_nine_departments_of_the_plan_are_loaded_in_order(demo):
    assert list(Department.objects.values_list("name", flat=True)) == list(DEPARTMENTS)
    assert len(DEPARTMENTS) == 9


def test_the_working_group_and_office_are_composed_as_the_plan_says(demo):
    assert holders(access.GROUP_LEADER) == ["leader"]
    assert sorted(holders(access.GROUP_DEPUTY)) == ["deputy", "deputy2"]
    assert len(holders(access.GROUP_MEMBER)) == 9  # the nine departments' heads
    assert holders(access.OFFICE_DIRECTOR) == ["director"]
    assert holders(access.OFFICE_DEPUTY) == ["office_deputy"]
    members = RoleAssignment.objects.filter(access.current_q(), role=access.OFFICE_MEMBER)
    assert sorted(members.values_list("department__name", flat=True)) == sorted(DEPARTMENTS)
    assert list(members.filter(on_duty=True).values_list("person__user__username", flat=True)) == ["duty"]


def test_the_office_member_history_keeps_the_predecessor(demo):
    rows = RoleAssignment.objects.filter(role=access.OFFICE_MEMBER, department__name="税源管理科").order_by(
        "start_date"
    )
    assert [(a.person.user.username, a.end_date is None) for a in rows] == [
        ("former_sygl", False),
        ("member_sygl", True),
    ]


def test_the_talent_pool_has_commentators_publicists_and_training(demo):
    commentators = RoleAssignment.objects.filter(access.current_q(), role=access.COMMENTATOR)
    publicists = RoleAssignment.objects.filter(access.current_q(), role=access.PUBLICIST)
    assert commentators.count() >= 3 and publicists.count() >= 3
    assert TrainingRecord.objects.filter(person__user__username="commentator").count() == 2


def test_the_agencies_of_the_plan_are_there(demo):
    kinds = set(ExternalAgency.objects.values_list("kind", flat=True))
    assert {"press_office", "propaganda", "police", "internet_regulator", "press_publication"} <= kinds
    assert {"petition", "superior_tax", "website"} <= kinds


def test_no_real_name_from_the_plan_is_used(demo):
    names = " ".join(Person.objects.values_list("name", flat=True))
    assert "朱全盛" not in names


def test_demo_people_log_in_with_the_password_from_the_environment(demo):
    client = Client()
    response = client.post("/login/", {"username": "auditor", "password": "Demo-Password-For-Tests"})
    assert response.status_code == 302
    assert client.get("/audit/").status_code == 200
    assert (
        Client().post("/login/", {"username": "duty", "password": DEFAULT_DEMO_PASSWORD}).status_code == 200
    )


def test_the_demo_chain_starts_with_the_member_on_duty(demo):
    User = get_user_model()
    usernames = dict(User.objects.values_list("id", "username"))
    chain = [usernames[i] for i in escalation_chain()]
    assert chain[:3] == ["duty", "office_deputy", "director"]
    assert chain[-1] == "leader"


def test_loading_twice_adds_nothing_and_the_audit_chain_holds(demo):
    people, entries = Person.objects.count(), AuditEntry.objects.count()
    assert demo_load() == 0
    assert Person.objects.count() == people and AuditEntry.objects.count() == entries
    assert AuditEntry.objects.filter(action="org.demo_load").count() == 1
    assert audit_verify().ok


def test_switching_the_demo_off_deactivates_the_demo_people_and_on_again_restores_them(demo):
    assert demo_disable() == Person.objects.count()
    assert (
        Client().post("/login/", {"username": "leader", "password": "Demo-Password-For-Tests"}).status_code
        == 200
    )
    demo_load()
    assert not get_user_model().objects.filter(person__is_demo=True, is_active=False).exists()


def test_the_demo_system_administrator_can_use_the_admin_but_not_edit_the_audit_trail(demo):
    client = Client()
    client.force_login(get_user_model().objects.get(username="sysadmin"))
    assert client.get("/admin/org/roleassignment/").status_code == 200
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get("/admin/audit/auditentry/1/delete/").status_code == 403
