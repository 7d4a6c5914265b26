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


def test_an_account_changed_in_the_admin_is_audited_with_its_groups_but_no_password(admin_client, admin_user):
    from django.contrib.auth.models import Group

    from tests.admin_forms import change_page_data

    user = make_persona("writer", "评论员甲", department="纳税服务科")
    group = Group.objects.create(name="值班组")
    url = f"/admin/auth/user/{user.id}/change/"
    data = change_page_data(admin_client, url)
    data.update(is_staff="on", groups=[group.id])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = AuditEntry.objects.filter(action="user.update", object_id=str(user.id)).order_by("seq")
    assert [(e.old, e.new) for e in entries] == [
        ({"is_staff": False}, {"is_staff": True}),
        ({"groups": []}, {"groups": [group.id]}),
    ]
    assert all(e.actor == admin_user for e in entries)
    assert audit_verify().ok


def test_a_password_reset_in_the_admin_is_audited_without_the_hash(admin_client):
    user = make_persona("writer", "评论员甲", department="纳税服务科")
    new = "Xin-Mima-2026!"
    response = admin_client.post(
        f"/admin/auth/user/{user.id}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.check_password(new)
    entry = AuditEntry.objects.get(action="user.password")
    assert entry.new == {"password": "已重设"} and user.password not in str(entry.new)


def test_an_account_is_deactivated_not_deleted_in_the_admin(admin_client):
    user = make_persona("writer", "评论员甲", department="纳税服务科")
    assert admin_client.post(f"/admin/auth/user/{user.id}/delete/", {"post": "yes"}).status_code == 403
    assert type(user).objects.filter(pk=user.pk).exists()


def test_a_group_created_in_the_admin_is_audited(admin_client):
    response = admin_client.post("/admin/auth/group/add/", {"name": "值班组"})
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="group.create").new == {"name": "值班组"}


def test_an_api_token_page_shows_no_hash(admin_client, clerk):
    from yuqing.org.models import ApiToken
    from yuqing.org.services import api_token_create

    api_token_create(user=clerk, name="脚本")
    token = ApiToken.objects.get()
    page = admin_client.get(f"/admin/org/apitoken/{token.id}/change/").content.decode()
    assert token.prefix in page and token.token_hash not in page
