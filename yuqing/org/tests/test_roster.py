"""The 人才库 roster, a person's record, and the external agencies: who may see them and what they show."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from yuqing.org import access
from yuqing.org.models import ExternalAgency
from yuqing.org.services import role_assign, role_end, training_record_add
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def talent():
    commentator = make_persona("writer", "评论员甲", access.COMMENTATOR, department="纳税服务科").person
    commentator.skills = "政策解读、评论写作"
    commentator.save()
    training_record_add(person=commentator, course="税收评论员业务培训", date=date(2026, 5, 1), hours="8")
    training_record_add(person=commentator, course="政策解读与回应关切", date=date(2026, 9, 1), hours="4.5")
    publicist = make_persona("video", "宣传员乙", access.PUBLICIST, department="征管科").person
    publicist.skills = "短视频制作"
    publicist.save()
    return commentator, publicist


@pytest.mark.parametrize("path", ["/org/roster/", "/org/agencies/"])
def test_org_pages_send_anonymous_visitors_to_login(path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", ["/org/roster/", "/org/agencies/"])
def test_a_user_without_a_role_is_refused_the_roster(outsider, path):
    response = client_for(outsider).get(path)
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.parametrize("persona", ["auditor", "leader", "office_member", "admin_user"])
def test_office_leaders_auditors_and_admins_may_open_the_roster(request, persona, talent):
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/org/roster/")
    assert response.status_code == 200
    assert "评论员甲" in response.content.decode()


def test_the_roster_shows_roles_skills_and_training_hours_total(auditor, talent):
    html = client_for(auditor).get("/org/roster/").content.decode()
    assert "税收评论员" in html and "网络宣传员" in html
    assert "政策解读" in html and "短视频制作" in html
    assert "2 次 / 12.5 学时" in html


def test_the_roster_filters_by_role_without_inflating_hours(auditor, talent):
    commentator, _ = talent
    role_assign(person=commentator, role=access.PUBLICIST)  # a second role: one more join row if done wrong
    html = client_for(auditor).get("/org/roster/", {"role": access.PUBLICIST}).content.decode()
    assert "评论员甲" in html and "宣传员乙" in html and "纪检干部甲" not in html
    assert "2 次 / 12.5 学时" in html
    html = client_for(auditor).get("/org/roster/", {"role": access.COMMENTATOR}).content.decode()
    assert "宣传员乙" not in html


def test_the_roster_shows_the_working_group_and_office_with_vacancies(office_member, leader):
    html = client_for(leader).get("/org/roster/").content.decode()
    assert "舆情应急工作组" in html and "组长甲" in html
    assert "值班员甲" in html and "值班" in html
    assert "空缺" in html  # no 副组长 and no 主任 yet


def test_the_roster_query_count_does_not_grow_with_people(auditor, talent, django_assert_max_num_queries):
    client = client_for(auditor)
    client.get("/org/roster/")
    for i in range(10):
        person = make_persona(f"p{i}", f"人员{i}", access.COMMENTATOR, department="法制科").person
        training_record_add(person=person, course="培训", date=date(2026, 1, 1), hours=2)
    # 8 = 7 for the page + the login-lock check every session request makes (org.middleware).
    with django_assert_max_num_queries(8):
        html = client.get("/org/roster/").content.decode()
    assert "人员9" in html


def test_a_person_page_shows_past_roles_and_training(auditor, talent):
    commentator, _ = talent
    assignment = commentator.assignments.get()
    assignment.start_date = date(2025, 1, 1)
    assignment.save()
    role_end(assignment=assignment, end_date=date(2026, 1, 1))
    html = client_for(auditor).get(f"/org/people/{commentator.id}/").content.decode()
    assert "已卸任" in html and "2026-01-01" in html
    assert "税收评论员业务培训" in html and "4.5" in html


def test_agencies_page_lists_contacts_and_neutralises_bad_links(auditor):
    ExternalAgency.objects.create(
        name="市委宣传部", kind="propaganda", contact_person="李科长", phone="0996-1"
    )
    ExternalAgency.objects.create(name="某网站", kind="website", url="javascript:alert(1)")
    html = client_for(auditor).get("/org/agencies/").content.decode()
    assert "市委宣传部" in html and "李科长" in html and "党委宣传部门" in html
    assert 'href="javascript:' not in html


def test_nav_shows_roster_and_audit_links_only_to_those_who_may_open_them(outsider, auditor, office_member):
    assert "人才库" not in client_for(outsider).get("/notifications/").content.decode()
    office_html = client_for(office_member).get("/notifications/").content.decode()
    assert "人才库" in office_html and "/audit/" not in office_html
    auditor_html = client_for(auditor).get("/notifications/").content.decode()
    assert "人才库" in auditor_html and "/audit/" in auditor_html
