"""Admin screens for the organisation: present, editable, and every save audited."""

from __future__ import annotations

import pytest

from yuqing.audit.models import AuditEntry
from yuqing.audit.services import audit_verify
from yuqing.org import access
from yuqing.org.models import Department, RoleAssignment
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/org/department/",
        "/admin/org/person/",
        "/admin/org/roleassignment/",
        "/admin/org/trainingrecord/",
        "/admin/org/externalagency/",
        "/admin/org/apitoken/",
        "/admin/audit/auditentry/",
    ],
)
def test_every_org_and_audit_screen_opens(admin_client, path):
    assert admin_client.get(path).status_code == 200
    assert admin_client.get(path + "add/").status_code in (200, 403)


def test_a_role_given_in_the_admin_is_audited(admin_client, admin_user):
    person = make_persona("writer", "评论员甲", department="纳税服务科").person
    response = admin_client.post(
        "/admin/org/roleassignment/add/",
        {"person": person.id, "role": access.COMMENTATOR, "start_date": "2026-11-01", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="roleassignment.create")
    assert entry.actor == admin_user
    assert entry.new["role"] == access.COMMENTATOR and entry.new["department_id"] == person.department_id


def test_a_department_renamed_in_the_admin_records_old_and_new(admin_client):
    dept = Department.objects.create(name="征管科", position=5)
    admin_client.post(
        f"/admin/org/department/{dept.id}/change/", {"name": "征收管理科", "position": 5, "active": "on"}
    )
    entry = AuditEntry.objects.get(action="department.update")
    assert entry.old == {"name": "征管科"} and entry.new == {"name": "征收管理科"}


def test_training_added_inline_on_a_person_is_audited(admin_client):
    person = make_persona("writer", "评论员甲", department="纳税服务科").person
    data = {
        "user": person.user_id,
        "name": person.name,
        "department": person.department_id,
        "title": "",
        "phone": "",
        "skills": "评论写作",
        "assignments-TOTAL_FORMS": 0,
        "assignments-INITIAL_FORMS": 0,
        "trainings-TOTAL_FORMS": 1,
        "trainings-INITIAL_FORMS": 0,
        "trainings-0-course": "税收评论员业务培训",
        "trainings-0-date": "2026-10-10",
        "trainings-0-hours": "6",
        "trainings-0-organizer": "",
        "trainings-0-notes": "",
    }
    response = admin_client.post(f"/admin/org/person/{person.id}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert AuditEntry.objects.get(action="person.update").new == {"skills": "评论写作"}
    assert AuditEntry.objects.get(action="trainingrecord.create").new["course"] == "税收评论员业务培训"
    assert audit_verify().ok


def test_a_second_open_office_member_for_a_department_is_refused_with_a_message(admin_client):
    first = make_persona("a", "甲", department="法制科").person
    second = make_persona("b", "乙", department="法制科").person
    RoleAssignment.objects.create(person=first, role=access.OFFICE_MEMBER, department=first.department)
    response = admin_client.post(
        "/admin/org/roleassignment/add/",
        {
            "person": second.id,
            "role": access.OFFICE_MEMBER,
            "department": second.department_id,
            "start_date": "2026-11-01",
        },
    )
    assert response.status_code == 200
    assert "该科室已有人担任此角色" in response.content.decode()
    assert not AuditEntry.objects.filter(action="roleassignment.create").exists()
