"""Notifications that clear: opening one reads it, 全部已读 reads them all, a closed task leaves the bell."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from yuqing.notify import services
from yuqing.notify.channels.base import Message
from yuqing.notify.models import Notification
from yuqing.org import access
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db):
    return make_persona("n_member", "值班员丙", access.OFFICE_MEMBER, department="办公室")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def badge(client: Client) -> str:
    """The number on the bell, or "" when there is none."""
    html = client.get("/notifications/bell/").content.decode()
    if 'class="badge"' not in html:
        return ""
    return html.split('class="badge">', 1)[1].split("<", 1)[0]


def test_opening_a_notification_marks_it_read_and_goes_where_it_points(member):
    services.notify([member], Message("【核实任务】定额调整", "请核实", link="/events/7/"))
    row = Notification.objects.get(recipient=member)
    client = client_for(member)
    assert badge(client) == "1"
    page = client.get("/notifications/").content.decode()
    assert f'href="/notifications/{row.pk}/open/"' in page

    response = client.get(f"/notifications/{row.pk}/open/")

    assert response.status_code == 302 and response["Location"] == "/events/7/"
    row.refresh_from_db()
    assert row.read_at is not None
    assert badge(client) == ""


def test_nobody_opens_someone_elses_notification(member):
    other = make_persona("n_other", "他人")
    services.notify([member], Message("预警", "内容", link="/events/7/"))
    row = Notification.objects.get(recipient=member)

    assert client_for(other).get(f"/notifications/{row.pk}/open/").status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_a_link_to_another_site_is_not_followed_when_opened(member):
    services.notify([member], Message("预警", "内容", link="https://evil.example/"))
    row = Notification.objects.get(recipient=member)

    response = client_for(member).get(f"/notifications/{row.pk}/open/")

    assert response.status_code == 302 and response["Location"] == "/notifications/"


def test_mark_all_read_empties_the_bell(member):
    for n in range(3):
        services.notify([member], Message(f"一般舆情 {n}", "内容"))
    client = client_for(member)
    assert badge(client) == "3"
    assert "全部已读" in client.get("/notifications/").content.decode()

    response = client.post("/notifications/", follow=True)

    assert "已将 3 条通知标为已读" in response.content.decode()
    assert badge(client) == ""
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_a_closed_task_leaves_the_count_though_never_opened(member):
    sign = Message("【待签发】报告", "请签发", link="/cases/1/", subject="x.report:1:sign")
    services.notify([member], sign)
    services.notify([member], Message("【核实结果】", "属实", link="/cases/1/"))
    client = client_for(member)
    assert badge(client) == "2"

    assert services.notifications_close(subjects=["x.report:1:sign"]) == 1

    assert badge(client) == "1"
    task = Notification.objects.get(subject="x.report:1:sign")
    assert task.closed_at is not None and task.read_at is None
    page = client.get("/notifications/").content.decode()
    assert "已办结" in page and "待处理 1 条" in page


def test_closing_a_case_closes_every_notification_about_it(member):
    services.notify([member], Message("【处置任务】", "", link="/cases/5/", subject="cases.handlingaction:3"))
    services.notify([member], Message("【核实结果】", "", link="/cases/5/"))
    services.notify([member], Message("【处置任务】", "", link="/cases/6/", subject="cases.handlingaction:4"))

    assert services.notifications_close(case_id=5, at=timezone.now()) == 2

    assert list(Notification.objects.filter(closed_at__isnull=True).values_list("case_id", flat=True)) == [6]
