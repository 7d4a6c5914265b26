"""Existing writes leave audit entries in their own transaction, with request id and client address."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.audit.services import audit_verify
from yuqing.events import alerts
from yuqing.events.models import EscalationContact, Event, MonitoringPlan
from yuqing.events.services import label_correct
from yuqing.items.ingest import ingest_entries
from yuqing.items.models import Item
from yuqing.org.services import api_token_create
from yuqing.sources.fetchers.base import RawEntry
from yuqing.sources.models import Source
from yuqing.sources.services import source_create

pytestmark = pytest.mark.django_db


def last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("seq")


def significant_event() -> Event:
    return Event.objects.create(
        key="e1",
        title="商户聚集办税服务厅",
        size=8,
        severity="significant",
        severity_rank=1,
        score=55.0,
        categories={"mass_incident": 5},
    )


def test_creating_a_source_is_audited_with_its_settings(clerk):
    source = source_create(name="铁门关论坛", kind="rss", url="https://bbs.example.cn/rss", actor=clerk)
    entry = last("source.create")
    assert (entry.actor, entry.object_type, entry.object_id) == (clerk, "sources.source", str(source.id))
    assert entry.new["url"] == "https://bbs.example.cn/rss" and entry.new["name"] == "铁门关论坛"


def test_a_refused_source_leaves_no_entry():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        source_create(name="坏源", kind="rss", url="ftp://x")
    assert not AuditEntry.objects.exists()


def test_a_label_correction_is_audited_with_old_and_new(clerk):
    source = Source.objects.create(name="论坛", kind="rss", url="https://bbs.example.cn/rss")
    ingest_entries(
        [RawEntry(url="https://bbs.example.cn/t/1", title="个税", content="个税", published_at=None, raw={})],
        source=source,
    )
    item = Item.objects.get()
    item.sentiment = "neutral"
    item.save()
    label_correct(item=item, field="sentiment", value="negative", user=clerk)
    entry = last("label.correct")
    assert entry.old == {"sentiment": "neutral"} and entry.new == {"sentiment": "negative"}
    assert entry.actor == clerk and entry.object_type == "items.item"


def test_an_alert_raised_acknowledged_and_escalated_is_audited(office_member, leader):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        (alert,) = alerts.alerts_evaluate(significant_event())
    raised = last("alert.raise")
    assert raised.actor is None and raised.actor_label == "系统"
    assert raised.new["chain"] == [office_member.id, leader.id]
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert alerts.alerts_escalate() == 1
    assert last("alert.escalate").new["to"] == leader.id
    alerts.alert_acknowledge(alert, user=leader)
    acked = last("alert.acknowledge")
    assert acked.actor == leader and acked.object_id == str(alert.id)
    assert audit_verify().ok


def test_saving_a_monitoring_plan_in_the_page_is_audited_with_the_change(admin_client):
    response = admin_client.post(
        "/plans/new/", {"name": "办税服务", "subject_words": "税务局", "event_words": "排队", "enabled": "on"}
    )
    assert response.status_code == 302
    created = last("plan.create")
    assert created.new["subject_words"] == "税务局" and created.old is None
    plan = MonitoringPlan.objects.get(name="办税服务")
    admin_client.post(
        f"/plans/{plan.id}/",
        {"name": "办税服务", "subject_words": "税务局", "event_words": "排队 刁难", "enabled": "on"},
    )
    updated = last("plan.update")
    assert updated.old == {"event_words": "排队"} and updated.new == {"event_words": "排队 刁难"}
    assert updated.request_id and updated.ip == "127.0.0.1"


def test_an_invalid_plan_leaves_no_entry(admin_client):
    admin_client.post("/plans/new/", {"name": "坏方案", "expression": "(税务 AND"})
    assert not AuditEntry.objects.filter(action__startswith="plan.").exists()


def test_creating_an_api_token_is_audited_without_the_token(clerk, admin_user):
    token = api_token_create(user=clerk, name="采集脚本", actor=admin_user)
    entry = last("token.create")
    assert entry.actor == admin_user and entry.new["user"] == "clerk"
    assert token not in str(entry.new) and token[10:] not in str(entry.new)


def test_the_request_id_and_address_of_the_request_are_recorded(clerk):
    EscalationContact.objects.create(position=0, user=clerk)
    (alert,) = alerts.alerts_evaluate(significant_event())
    client = Client(REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6")
    client.force_login(clerk)
    response = client.post(f"/alerts/{alert.id}/ack/", HTTP_X_REQUEST_ID="req-123")
    assert response.status_code == 302
    entry = last("alert.acknowledge")
    assert entry.request_id == "req-123" == response["X-Request-ID"]
    assert entry.ip == "10.1.2.3"  # X-Forwarded-For is ignored unless YUQING_PROXY_COUNT says a proxy sets it


def test_behind_a_configured_proxy_the_address_it_saw_is_recorded(clerk, settings):
    from django.test import RequestFactory

    from yuqing.audit.context import client_ip

    settings.PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"


def test_writes_outside_a_request_have_no_request_id(clerk):
    source_create(name="命令行源", kind="rss", url="https://a.example.cn/rss")
    entry = last("source.create")
    assert entry.request_id == "" and entry.ip == "" and entry.actor_label == "系统"
