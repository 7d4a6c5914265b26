"""Notifications about a 秘密 case: a recipient below that clearance learns that case #N needs them, not
its title or content — in the bell, by email, in a group bot, in the delivery log — and the test is made
again when the notification is read, against the case's level and the reader's clearance then."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.test import Client

from yuqing.cases import services as cases
from yuqing.cases.models import Case
from yuqing.cases.services.common import notify_after_commit
from yuqing.notify.models import Delivery, Notification
from yuqing.notify.tests.helpers import make_channel
from yuqing.org import access
from yuqing.org.models import Department
from yuqing.org.services import api_token_create
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db
TITLE = "某局长亲属企业偷逃税线索"
LEAD = "举报人称该企业隐匿收入三千万元"


@pytest.fixture
def director(db):
    return make_persona(
        "n_director", "应急办主任", access.OFFICE_DIRECTOR, department="办公室", email="director@tmg.example"
    )


@pytest.fixture
def head(db):
    """征管科's head: clearance of the lowest level only."""
    return make_persona(
        "n_head", "征管科科长", access.DEPARTMENT_HEAD, department="征管科", email="head@tmg.example"
    )


@pytest.fixture
def sysadmin(django_user_model):
    return django_user_model.objects.create_superuser("n_root", password="Tiemenguan-2026!")


def open_case(director, level: int) -> Case:
    return cases.case_open(
        user=director, title=TITLE, severity="major", description=LEAD, confidentiality=level
    )


def page(user, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_verification_task_of_a_secret_case_reaches_an_uncleared_head_without_the_title(
    director, head, smtp_server, receiver, django_capture_on_commit_callbacks
):
    make_channel("email", "邮件", subject_prefix="【舆情】")
    make_channel("webhook", "值班群", url=receiver.url + "/hook", secret="whsec-0123456789abcdef")
    case = open_case(director, 2)
    zg = Department.objects.get(name="征管科")
    with django_capture_on_commit_callbacks(execute=True):
        cases.verification_assign(case=case, user=director, department_id=zg.pk, instructions=LEAD)

    note = Notification.objects.get(recipient=head)
    assert TITLE not in note.title and LEAD not in note.body
    assert note.title == f"【核实任务】[秘密] 案件 #{case.pk} 有新的通知"
    assert "内容需「秘密」级权限" in note.body
    assert note.case_id == case.pk and note.link.startswith(f"/cases/{case.pk}/")

    (mail,) = [m for m in smtp_server.messages if m.rcpt_tos == ["head@tmg.example"]]
    parsed = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert TITLE not in str(parsed["Subject"]) and TITLE not in parsed.get_content()
    assert f"案件 #{case.pk}" in str(parsed["Subject"])

    assert receiver.requests, "the group webhook was not called"
    for request in receiver.requests:  # a group counts as the lowest clearance
        assert TITLE.encode() not in request.body and LEAD.encode() not in request.body
    for delivery in Delivery.objects.all():
        assert TITLE not in delivery.title and LEAD not in delivery.body

    html = page(head, "/notifications/")
    assert TITLE not in html and LEAD not in html
    assert f"案件 #{case.pk}" in html


def test_cleared_and_uncleared_recipients_of_one_message_each_get_what_they_may_read(
    director, head, sysadmin, django_capture_on_commit_callbacks
):
    case = open_case(director, 2)
    with django_capture_on_commit_callbacks(execute=True):
        notify_after_commit([director, head], f"【核实结果】{TITLE}：属实", LEAD, f"/cases/{case.pk}/")

    assert Notification.objects.get(recipient=director).title == f"【核实结果】{TITLE}：属实"
    assert TITLE in page(director, "/notifications/")
    assert TITLE not in Notification.objects.get(recipient=head).title
    assert TITLE not in page(head, "/notifications/")
    # The delivery log: the director (cleared) sees what he was sent; the system administrator does not.
    assert TITLE in page(director, "/notify/deliveries/")
    log = page(sysadmin, "/notify/deliveries/")
    assert TITLE not in log and f"案件 #{case.pk}" in log
    admin_list = page(sysadmin, "/admin/notify/notification/")
    assert TITLE not in admin_list
    mine = Notification.objects.get(recipient=director)
    assert TITLE not in page(sysadmin, f"/admin/notify/notification/{mine.pk}/change/")
    assert TITLE not in page(sysadmin, "/admin/notify/delivery/")
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=sysadmin, name='测试')}"})
    items = api.get("/api/v1/deliveries").json()["items"]
    assert items and all(TITLE not in item["title"] for item in items)


def test_raising_a_cases_level_hides_the_title_of_notifications_already_stored(
    director, head, django_capture_on_commit_callbacks
):
    case = open_case(director, 0)
    with django_capture_on_commit_callbacks(execute=True):
        notify_after_commit([director, head], f"【超期】{TITLE}", LEAD, f"/cases/{case.pk}/")
    assert TITLE in page(head, "/notifications/")  # 内部: everybody reads it

    Case.objects.filter(pk=case.pk).update(confidentiality=2)
    html = page(head, "/notifications/")
    assert TITLE not in html and LEAD not in html
    assert f"【超期】[秘密] 案件 #{case.pk} 有新的通知" in html
    assert TITLE in page(director, "/notifications/")


def test_a_push_retried_after_the_level_was_raised_no_longer_carries_the_title(
    director, head, smtp_server, settings, django_capture_on_commit_callbacks
):
    from yuqing.notify import services

    make_channel("email", "邮件")
    case = open_case(director, 0)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # the first attempt fails and is retried later
    with django_capture_on_commit_callbacks(execute=True):
        notify_after_commit([head], f"【超期】{TITLE}", LEAD, f"/cases/{case.pk}/")
    delivery = Delivery.objects.get(kind="email")
    assert delivery.status == "pending" and TITLE in delivery.title

    Case.objects.filter(pk=case.pk).update(confidentiality=1)
    settings.EMAIL_PORT = port
    services.deliveries_send(now=delivery.next_attempt_at)
    (mail,) = smtp_server.messages
    parsed = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert TITLE not in str(parsed["Subject"]) and LEAD not in parsed.get_content()
    assert "[敏感]" in str(parsed["Subject"])


def test_a_guidance_task_on_a_secret_case_reaches_the_commentator_without_the_title(
    director, django_capture_on_commit_callbacks
):
    from yuqing.releases.services.guidance import guidance_task_create

    commentator = make_persona("n_commentator", "评论员丙", access.COMMENTATOR, department="法制科")
    case = open_case(director, 2)
    with django_capture_on_commit_callbacks(execute=True):
        guidance_task_create(case=case, user=director, assignee_id=commentator.pk, where="本地论坛")
    note = Notification.objects.get(recipient=commentator)  # its link, /releases/tasks/, names no case
    assert note.title == f"【舆论引导任务】[秘密] 案件 #{case.pk} 有新的通知"
    assert TITLE not in page(commentator, "/notifications/")
