"""The admin is no back door: alerts, events and label corrections are read-only there; alert rules, the
escalation chain, the level thresholds and monitoring plans are saved with an audit entry."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.admin_forms import change_page_data
from yuqing.audit.models import AuditEntry
from yuqing.audit.services import audit_verify
from yuqing.events.models import Alert, AlertRule, EscalationContact, Event, MonitoringPlan, SeveritySettings
from yuqing.events.tests.test_alerts import make_event

pytestmark = pytest.mark.django_db


def test_an_alert_cannot_be_acknowledged_or_relevelled_in_the_admin(admin_client):
    alert = Alert.objects.create(event=make_event(), level="significant", reason="规则", chain=[])
    url = f"/admin/events/alert/{alert.id}/change/"
    assert admin_client.get(url).status_code == 200  # still readable
    now = timezone.localtime()
    response = admin_client.post(
        url,
        {
            "event": alert.event_id,
            "level": "especially_major",
            "reason": "规则",
            "acknowledged_at_0": now.date().isoformat(),
            "acknowledged_at_1": now.strftime("%H:%M:%S"),
            "chain_position": 2,
            "chain": "[]",
            "escalations": "[]",
        },
    )
    assert response.status_code == 403
    alert.refresh_from_db()
    assert (alert.level, alert.acknowledged_at, alert.chain_position) == ("significant", None, 0)
    assert admin_client.post(f"/admin/events/alert/{alert.id}/delete/", {"post": "yes"}).status_code == 403
    assert Alert.objects.filter(pk=alert.pk).exists()


def test_an_event_severity_cannot_be_changed_in_the_admin(admin_client):
    event = make_event()
    data = {"title": event.title, "severity": "especially_major", "score": 99, "phase": event.phase}
    assert admin_client.post(f"/admin/events/event/{event.id}/change/", data).status_code == 403
    event.refresh_from_db()
    assert event.severity == "significant"
    assert admin_client.get("/admin/events/event/add/").status_code == 403


def test_a_label_correction_cannot_be_rewritten_in_the_admin(admin_client):
    assert admin_client.get("/admin/events/labelcorrection/add/").status_code == 403


def test_an_alert_rule_changed_in_the_admin_is_audited(admin_client, admin_user):
    rule = AlertRule.objects.order_by("id").first()
    assert rule is not None  # the migration's default rules
    url = f"/admin/events/alertrule/{rule.id}/change/"
    data = change_page_data(admin_client, url)
    data["min_size"] = rule.min_size + 7
    assert admin_client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="alertrule.update")
    assert entry.actor == admin_user
    assert entry.old == {"min_size": rule.min_size} and entry.new == {"min_size": rule.min_size + 7}
    assert audit_verify().ok


def test_the_escalation_chain_changed_in_the_admin_is_audited(admin_client, clerk):
    response = admin_client.post(
        "/admin/events/escalationcontact/add/", {"position": 0, "user": clerk.id, "note": "值班"}
    )
    assert response.status_code == 302
    contact = EscalationContact.objects.get()
    assert AuditEntry.objects.get(action="escalationcontact.create").new["user_id"] == clerk.id
    admin_client.post(f"/admin/events/escalationcontact/{contact.id}/delete/", {"post": "yes"})
    assert not EscalationContact.objects.exists()
    assert AuditEntry.objects.get(action="escalationcontact.delete").old["user_id"] == clerk.id


def test_the_level_thresholds_changed_in_the_admin_are_audited(admin_client):
    settings_row = SeveritySettings.current()
    url = f"/admin/events/severitysettings/{settings_row.id}/change/"
    data = change_page_data(admin_client, url)
    data["ack_minutes"] = 45
    assert admin_client.post(url, data).status_code == 302
    assert AuditEntry.objects.get(action="severitysettings.update").new == {"ack_minutes": 45}


def test_a_monitoring_plan_saved_in_the_admin_goes_through_the_service(admin_client, admin_user):
    response = admin_client.post(
        "/admin/events/monitoringplan/add/",
        {"name": "个税汇算", "description": "", "subject_words": "个税 汇算", "enabled": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = MonitoringPlan.objects.get(name="个税汇算")
    created = AuditEntry.objects.get(action="plan.create")
    assert created.actor == admin_user and created.new["subject_words"] == "个税 汇算"
    url = f"/admin/events/monitoringplan/{plan.id}/change/"
    data = change_page_data(admin_client, url)
    data["exclude_words"] = "招聘"
    assert admin_client.post(url, data).status_code == 302
    assert AuditEntry.objects.get(action="plan.update").new == {"exclude_words": "招聘"}
    # A plan is switched off, not deleted: the alert rules and the audit trail name it.
    delete = f"/admin/events/monitoringplan/{plan.id}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert MonitoringPlan.objects.filter(pk=plan.pk).exists()


def test_an_invalid_monitoring_plan_is_refused_in_the_admin_without_an_entry(admin_client):
    response = admin_client.post(
        "/admin/events/monitoringplan/add/", {"name": "坏方案", "expression": "(个税 AND", "enabled": "on"}
    )
    assert response.status_code == 200
    assert not MonitoringPlan.objects.filter(name="坏方案").exists()
    assert not AuditEntry.objects.filter(action="plan.create").exists()


def test_event_rows_survive_the_admin_list(admin_client):
    make_event()
    assert admin_client.get("/admin/events/event/").status_code == 200
    assert Event.objects.count() == 1
