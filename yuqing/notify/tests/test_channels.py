"""Each channel against a real endpoint on loopback: SMTP, WeCom, DingTalk, signed webhook, SMS gateway."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import time
from urllib.parse import quote_plus

import pytest
from django.core.exceptions import ValidationError

from yuqing.audit.models import AuditEntry
from yuqing.notify import services
from yuqing.notify.channels.base import Message
from yuqing.notify.models import ChannelConfig, Delivery, DeliveryStatus, Notification
from yuqing.notify.tests.helpers import make_channel
from yuqing.org import access
from yuqing.testing.factories import make_persona

pytestmark = pytest.mark.django_db
SECRET = "whsec-0123456789abcdef"


@pytest.fixture
def member(db):
    user = make_persona("member", "值班员乙", access.OFFICE_MEMBER, department="办公室")
    user.email = "member@tmg.example"
    user.save(update_fields=["email"])
    user.person.phone = "138-0000-1111"
    user.person.save(update_fields=["phone"])
    return user


def send(recipients, message, capture):
    with capture(execute=True):
        return services.notify(recipients, message)


def test_a_member_gets_the_bell_and_an_email_through_a_real_smtp_server(
    member, smtp_server, django_capture_on_commit_callbacks
):
    make_channel("email", "邮件", subject_prefix="【舆情】")
    send(
        [member],
        Message("较大舆情：办税服务厅排队", "商户反映排队两小时", link="/events/7/"),
        django_capture_on_commit_callbacks,
    )

    assert Notification.objects.get().recipient == member
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["member@tmg.example"]
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert str(mail["Subject"]).strip() == "【舆情】较大舆情：办税服务厅排队"
    assert "http://127.0.0.1:8000/events/7/" in mail.get_content()
    rows = dict(Delivery.objects.values_list("kind", "status"))
    assert rows == {"inapp": DeliveryStatus.SENT, "email": DeliveryStatus.SENT}
    assert AuditEntry.objects.filter(action="delivery.sent").count() == 1


def test_smtp_down_is_retried_with_the_reason_and_ends_failed(
    member, settings, django_capture_on_commit_callbacks
):
    from yuqing.notify.tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.NOTIFY_MAX_ATTEMPTS = 2
    make_channel("email")
    send([member], Message("测试", "SMTP 停机"), django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(kind="email")
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "127.0.0.1" in delivery.last_error and "发送失败" in delivery.last_error
    services.deliveries_send(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2
    assert "Connection refused" in delivery.last_error or "拒绝" in delivery.last_error
    assert AuditEntry.objects.filter(action="delivery.failed", object_id=str(delivery.id)).exists()


def test_without_an_email_address_the_delivery_is_logged_as_failed_not_lost(
    smtp_server, django_capture_on_commit_callbacks
):
    user = make_persona("noaddr", "无邮箱")
    make_channel("email")
    send([user], Message("测试", "无地址"), django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(kind="email")
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "该用户没有填写电子邮箱"
    assert smtp_server.messages == []


def test_dingtalk_bot_receives_one_signed_post_for_the_group(
    member, receiver, django_capture_on_commit_callbacks
):
    secret = "SEC0123456789abcdef"
    make_channel(
        "dingtalk",
        "钉钉值班群",
        url=f"{receiver.url}/robot/send?access_token=tok",
        secret=secret,
        mention_all_from="major",
    )
    other = make_persona("other", "成员丙")
    send(
        [member, other], Message("重大舆情", "请立即处置", level="major"), django_capture_on_commit_callbacks
    )

    (req,) = receiver.requests
    assert req.path == "/robot/send" and req.query["access_token"] == ["tok"]
    timestamp = req.query["timestamp"][0]
    assert abs(int(timestamp) - time.time() * 1000) < 60_000
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert req.query["sign"] == [expected]
    assert f"sign={quote_plus(expected)}" in req.raw_query  # base64 URL-encoded, as DingTalk asks
    body = req.json()
    assert body["msgtype"] == "text" and body["text"]["content"].startswith("重大舆情\n请立即处置")
    assert body["at"] == {"isAtAll": True}
    delivery = Delivery.objects.get(kind="dingtalk")
    assert delivery.status == DeliveryStatus.SENT and delivery.recipient is None
    assert "tok" not in delivery.address  # the token is a secret: masked in the log


def test_a_bot_that_answers_200_with_an_error_code_is_retried_with_its_message(
    member, receiver, django_capture_on_commit_callbacks
):
    receiver.mode = "bot_refuses"
    make_channel("wecom", "企业微信群", url=f"{receiver.url}/cgi-bin/webhook/send?key=k")
    send([member], Message("一般舆情", "内容"), django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(kind="wecom")
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error == "机器人拒收：errcode=310000 sign not match"


def test_wecom_bot_posts_text_and_mentions_all_only_from_the_configured_level(
    member, receiver, django_capture_on_commit_callbacks
):
    make_channel(
        "wecom", "企业微信群", url=f"{receiver.url}/cgi-bin/webhook/send?key=k", mention_all_from="major"
    )
    send([member], Message("较大舆情", "内容", level="significant"), django_capture_on_commit_callbacks)
    send(
        [member],
        Message("特别重大舆情", "内容", level="especially_major"),
        django_capture_on_commit_callbacks,
    )
    first, second = (r.json() for r in receiver.requests)
    assert first["msgtype"] == "text" and "mentioned_list" not in first["text"]
    assert second["text"]["mentioned_list"] == ["@all"]
    assert receiver.requests[0].query["key"] == ["k"]


def test_generic_webhook_carries_an_hmac_of_the_body_and_a_timestamp(
    member, receiver, django_capture_on_commit_callbacks
):
    make_channel("webhook", "指挥平台", url=f"{receiver.url}/hook", secret=SECRET)
    send(
        [member],
        Message("较大舆情", "内容", link="/events/3/", level="significant", alert_id=None),
        django_capture_on_commit_callbacks,
    )
    (req,) = receiver.requests
    signature = "sha256=" + hmac.new(SECRET.encode(), req.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(req.headers["x-yuqing-signature"], signature)
    payload = req.json()
    assert req.headers["x-yuqing-timestamp"] == str(payload["timestamp"])
    assert payload["level"] == "significant" and payload["level_label"] == "较大(Ⅲ级)"
    assert payload["link"] == "http://127.0.0.1:8000/events/3/"
    delivery = Delivery.objects.get(kind="webhook")
    assert req.headers["x-yuqing-delivery"] == str(delivery.id) == str(payload["delivery_id"])


def test_a_webhook_answering_500_is_retried_with_growing_backoff_then_failed_with_the_reason(
    member, receiver, settings, django_capture_on_commit_callbacks
):
    receiver.mode = "500"
    settings.NOTIFY_MAX_ATTEMPTS, settings.NOTIFY_RETRY_BASE = 3, 60
    make_channel("webhook", "指挥平台", url=f"{receiver.url}/hook", secret=SECRET)
    send([member], Message("较大舆情", "内容", level="significant"), django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(kind="webhook")
    first_due = delivery.next_attempt_at
    assert delivery.attempts == 1 and delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith(f"127.0.0.1:{receiver.url.rsplit(':', 1)[1]} 应答 HTTP 500")
    assert services.deliveries_send(now=first_due - (first_due - delivery.created_at) / 2) == 0  # not due yet
    services.deliveries_send(now=first_due)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and (delivery.next_attempt_at - first_due).total_seconds() == 120
    services.deliveries_send(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert "HTTP 500" in delivery.last_error and delivery.next_attempt_at is None
    assert len(receiver.requests) == 3
    actions = list(AuditEntry.objects.filter(object_id=str(delivery.id)).values_list("action", flat=True))
    assert sorted(actions) == ["delivery.failed", "delivery.retry", "delivery.retry"]


def test_a_webhook_that_never_answers_times_out_and_is_logged_with_the_reason(
    member, receiver, settings, django_capture_on_commit_callbacks
):
    receiver.mode = "slow"
    settings.NOTIFY_HTTP_TIMEOUT, settings.NOTIFY_MAX_ATTEMPTS = 0.3, 1
    make_channel("webhook", "指挥平台", url=f"{receiver.url}/hook", secret=SECRET)
    send([member], Message("较大舆情", "内容"), django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(kind="webhook")
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == f"超时：{receiver.url[7:]} 在 0.3 秒内没有应答"
    assert Notification.objects.filter(recipient=member).count() == 1  # the bell still rang


def test_sms_gateway_template_gets_phone_and_json_escaped_text(
    member, receiver, django_capture_on_commit_callbacks
):
    make_channel(
        "sms",
        "短信平台",
        url=f"{receiver.url}/sms/send?sign=tmg",
        method="POST",
        body_template='{"mobile": "{phone}", "content": "{text}", "sign": "铁门关税务局"}',
        content_type="application/json",
        headers={"X-Api-Key": "k-1"},
        success_keyword='"errcode": 0',
    )
    send(
        [member],
        Message('较大舆情："退税难"引发关注', "正文不进短信", link="/events/9/"),
        django_capture_on_commit_callbacks,
    )
    (req,) = receiver.requests
    assert req.headers["x-api-key"] == "k-1" and req.query["sign"] == ["tmg"]
    assert req.json() == {
        "mobile": "13800001111",
        "content": '较大舆情："退税难"引发关注 http://127.0.0.1:8000/events/9/',
        "sign": "铁门关税务局",
    }
    assert Delivery.objects.get(kind="sms").status == DeliveryStatus.SENT


def test_sms_gateway_by_get_puts_url_encoded_values_in_the_url(
    member, receiver, django_capture_on_commit_callbacks
):
    make_channel("sms", "短信平台", url=f"{receiver.url}/send?to={{phone}}&msg={{text}}", method="GET")
    send([member], Message("预警 A&B", ""), django_capture_on_commit_callbacks)
    (req,) = receiver.requests
    assert req.method == "GET" and req.query == {"to": ["13800001111"], "msg": ["预警 A&B"]}


@pytest.mark.parametrize(
    ("kind", "settings", "error"),
    [
        ("wecom", {}, "url：必填"),
        ("wecom", {"url": "ftp://bot"}, "url：“ftp://bot”不是 http:// 或 https:// 开头的完整地址"),
        ("dingtalk", {"url": "https://oapi.dingtalk.com/robot/send", "secret": 5}, "secret：须为文本"),
        ("webhook", {"url": "http://10.0.0.5/hook", "secret": "short"}, "secret：至少 16 个字符"),
        ("webhook", {"url": "http://10.0.0.5/hook"}, "secret：必填"),
        ("sms", {"url": "http://gw/send", "body_template": "{text}"}, "须含 {phone} 占位符"),
        ("sms", {"url": "http://gw/{phone}/{text}", "method": "DELETE"}, "method：“DELETE”无效"),
        ("sms", {"url": "http://gw/{phone}/{text}", "headers": ["x"]}, "headers：须为"),
        ("email", {"subject_prefix": "【】", "smtp": "x"}, "smtp：不认识的参数"),
        ("wecom", ["not", "an", "object"], "参数须为 JSON 对象"),
        ("wecom", {"url": "https://q/x", "mention_all_from": "huge"}, "mention_all_from：“huge”无效"),
    ],
)
def test_malformed_channel_settings_are_refused_naming_the_setting(kind, settings, error):
    with pytest.raises(ValidationError) as info:
        ChannelConfig(kind=kind, name="x", settings=settings).full_clean()
    messages = info.value.message_dict["settings"]
    assert any(error in m for m in messages), messages


def test_a_channel_saved_with_broken_settings_fails_its_delivery_with_the_reason(
    member, django_capture_on_commit_callbacks
):
    ChannelConfig.objects.create(kind="webhook", name="坏配置", settings={"url": "not a url"})
    send([member], Message("较大舆情", "内容"), django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(kind="webhook")
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.last_error.startswith("渠道参数有误：url：")


def test_a_delivery_is_sent_once_even_when_the_task_runs_again(
    member, receiver, django_capture_on_commit_callbacks
):
    make_channel("webhook", "指挥平台", url=f"{receiver.url}/hook", secret=SECRET)
    send([member], Message("较大舆情", "内容"), django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(kind="webhook")
    assert services.deliveries_send(ids=[delivery.id]) == 0
    assert services.delivery_attempt(delivery.id) is None
    assert len(receiver.requests) == 1


def test_a_delivery_left_claimed_by_a_killed_worker_is_picked_up_by_the_sweeper(member, receiver, settings):
    from datetime import timedelta

    from django.utils import timezone

    make_channel("webhook", "指挥平台", url=f"{receiver.url}/hook", secret=SECRET)
    services.notify([member], Message("较大舆情", "内容"))  # on_commit never runs: as if the queue lost it
    delivery = Delivery.objects.get(kind="webhook")
    now = timezone.now()
    Delivery.objects.filter(id=delivery.id).update(claimed_at=now)  # a worker took it, then died
    assert services.deliveries_send(now=now + timedelta(seconds=10)) == 0
    assert services.deliveries_send(now=now + timedelta(seconds=settings.NOTIFY_CLAIM_TIMEOUT + 1)) == 1
    assert len(receiver.requests) == 1


def test_a_channel_below_its_minimum_level_is_not_used(member, receiver, django_capture_on_commit_callbacks):
    make_channel("webhook", "指挥平台", url=f"{receiver.url}/hook", secret=SECRET, min_level="major")
    send([member], Message("一般舆情", "内容", level="general"), django_capture_on_commit_callbacks)
    assert receiver.requests == [] and not Delivery.objects.filter(kind="webhook").exists()


def test_channel_audit_entries_never_contain_the_secret_or_the_bot_token(admin_user, client):
    client.force_login(admin_user)
    response = client.post(
        "/admin/notify/channelconfig/add/",
        {
            "kind": "dingtalk",
            "name": "钉钉",
            "enabled": "on",
            "min_level": "general",
            "settings": json.dumps(
                {"url": "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123", "secret": "SECabc"}
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="channelconfig.create")
    text = str(entry.new)
    assert "TOKEN123" not in text and "SECabc" not in text
    assert entry.new["settings"]["secret"] == "***"
    assert entry.new["settings"]["url"] == "https://oapi.dingtalk.com/robot/send?***"


def test_the_admin_refuses_bad_channel_settings_with_the_reason_and_keeps_the_input(admin_user, client):
    client.force_login(admin_user)
    response = client.post(
        "/admin/notify/channelconfig/add/",
        {"kind": "wecom", "name": "企微", "min_level": "general", "settings": '{"url": "qyapi"}'},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "不是 http:// 或 https:// 开头的完整地址" in page and "qyapi" in page
    assert not ChannelConfig.objects.exists()


def test_the_admin_test_action_reports_a_failure_instead_of_crashing(admin_user, client, receiver):
    receiver.mode = "500"
    config = make_channel("webhook", "指挥平台", url=f"{receiver.url}/hook", secret=SECRET)
    client.force_login(admin_user)
    response = client.post(
        "/admin/notify/channelconfig/",
        {"action": "send_test", "_selected_action": [config.id]},
        follow=True,
    )
    assert response.status_code == 200
    assert "HTTP 500" in response.content.decode()
    assert Delivery.objects.get().attempts == 1


def test_a_message_nobody_can_be_paged_for_still_reaches_the_group_and_leaves_a_trace(
    receiver, django_capture_on_commit_callbacks
):
    make_channel("webhook", "指挥平台", url=f"{receiver.url}/hook", secret=SECRET)
    message = Message("特别重大舆情", "无人值班", level="especially_major")
    assert send([], message, django_capture_on_commit_callbacks) == 1
    assert len(receiver.requests) == 1
    entry = AuditEntry.objects.get(action="notify.dispatch")
    assert entry.new["recipients"] == [] and entry.new["deliveries"] == {"pending": 1}
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_an_administrator_can_queue_a_failed_push_again_and_it_is_sent(
    member, receiver, settings, admin_user, client, django_capture_on_commit_callbacks
):
    receiver.mode = "500"
    settings.NOTIFY_MAX_ATTEMPTS = 1
    make_channel("webhook", "指挥平台", url=f"{receiver.url}/hook", secret=SECRET)
    send([member], Message("较大舆情", "内容"), django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(kind="webhook")
    assert delivery.status == DeliveryStatus.FAILED
    receiver.mode = "ok"
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/notify/delivery/", {"action": "requeue", "_selected_action": [delivery.id]})
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and len(receiver.requests) == 2
    assert AuditEntry.objects.filter(action="delivery.requeue", actor=admin_user).exists()
