"""Alert rules, one alert per event and level, acknowledgement and escalation along the frozen chain."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from yuqing.events import alerts
from yuqing.events.models import Alert, AlertRule, EscalationContact, Event
from yuqing.notify.models import Notification
from yuqing.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    User = get_user_model()
    users = [
        User.objects.create_user(name, password="x-Password-123") for name in ("duty", "deputy", "director")
    ]
    for position, user in enumerate(users):
        EscalationContact.objects.create(position=position, user=user)
    return users


def make_event(severity="significant", **kw) -> Event:
    values = {
        "key": f"e{Event.objects.count() + 1}",
        "title": "商户聚集办税服务厅反映定额调整",
        "size": 8,
        "score": 55.0,
        "categories": {"mass_incident": 5},
    }
    return factories.make_event(severity, **{**values, **kw})


def test_default_rules_exist_after_migration():
    assert AlertRule.objects.filter(name="较大及以上舆情事件", min_severity="significant").exists()


def test_significant_event_raises_one_alert_with_deadline_and_notifies_the_first_in_chain(
    chain, django_capture_on_commit_callbacks
):
    event = make_event()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        raised = alerts.alerts_evaluate(event, now=now)
    assert len(raised) == 1
    alert = raised[0]
    assert alert.ack_deadline == now + timedelta(minutes=30)
    assert alert.chain == [u.id for u in chain]
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["duty"]
    # Re-evaluating the same event at the same level raises nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.alerts_evaluate(event, now=now) == []
    assert Alert.objects.count() == 1 and Notification.objects.count() == 1


def test_a_higher_level_raises_a_new_alert(chain):
    event = make_event()
    alerts.alerts_evaluate(event)
    event.severity, event.severity_rank, event.score = "major", 2, 70
    event.save()
    alerts.alerts_evaluate(event)
    assert sorted(Alert.objects.values_list("level", flat=True)) == ["major", "significant"]


def test_general_event_without_rule_categories_raises_nothing(chain):
    event = make_event("general", categories={"service": 3})
    assert alerts.alerts_evaluate(event) == []


def test_general_mass_incident_raises_an_alert_without_deadline(chain):
    event = make_event("general", categories={"mass_incident": 2})
    (alert,) = alerts.alerts_evaluate(event)
    assert alert.level == "general" and alert.ack_deadline is None
    assert "群体性" in alert.reason


def test_unacknowledged_alert_escalates_along_the_frozen_chain(chain, django_capture_on_commit_callbacks):
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        (alert,) = alerts.alerts_evaluate(make_event())
    # The chain is frozen: changing the configured chain later does not change this alert's.
    EscalationContact.objects.all().delete()
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert alerts.alerts_escalate() == 0
    with (
        time_machine.travel(start + timedelta(minutes=31), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert alerts.alerts_escalate() == 1
    alert.refresh_from_db()
    assert alert.chain_position == 1
    assert alert.ack_deadline == start + timedelta(minutes=61)
    assert Notification.objects.filter(recipient=chain[1], title__startswith="【超时升级】").exists()
    with (
        time_machine.travel(start + timedelta(minutes=62), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert alerts.alerts_escalate() == 1
    with time_machine.travel(start + timedelta(minutes=95), tick=False):
        assert alerts.alerts_escalate() == 0  # the last person: nobody further, recorded as exhausted
    alert.refresh_from_db()
    assert alert.chain_position == 2 and alert.ack_deadline is None
    assert alert.escalations[-1]["exhausted"] is True


def test_acknowledged_alert_does_not_escalate(chain):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        (alert,) = alerts.alerts_evaluate(make_event())
        alerts.alert_acknowledge(alert, user=chain[0])
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        assert alerts.alerts_escalate() == 0
    with pytest.raises(alerts.AlertError, match="已由 duty"):
        alerts.alert_acknowledge(alert, user=chain[1])


def test_an_acknowledgement_from_a_stale_page_does_not_overwrite_the_first(chain):
    """Two people acknowledge the same alert from pages loaded before either did: the second is refused and
    the first acknowledgement (who, when) stands, with one audit entry."""
    from yuqing.audit.models import AuditEntry

    (alert,) = alerts.alerts_evaluate(make_event())
    first_view = Alert.objects.get(pk=alert.pk)
    second_view = Alert.objects.get(pk=alert.pk)
    alerts.alert_acknowledge(first_view, user=chain[0])
    with pytest.raises(alerts.AlertError, match="已由 duty"):
        alerts.alert_acknowledge(second_view, user=chain[1])
    alert.refresh_from_db()
    assert alert.acknowledged_by == chain[0]
    assert AuditEntry.objects.filter(action="alert.acknowledge", object_id=str(alert.pk)).count() == 1


def test_spike_rule_needs_the_velocity(chain):
    AlertRule.objects.exclude(name="舆情突增").update(enabled=False)
    calm = make_event("general", categories={}, velocity=1.5, size=10)
    spiking = make_event("general", categories={}, velocity=6.0, size=10)
    assert alerts.alerts_evaluate(calm) == []
    (alert,) = alerts.alerts_evaluate(spiking)
    assert "6.0 倍" in alert.reason


def test_alert_page_acknowledges(clerk_client, chain):
    (alert,) = alerts.alerts_evaluate(make_event())
    html = clerk_client.get("/alerts/").content.decode()
    assert "商户聚集办税服务厅反映定额调整" in html and "未确认" in html
    response = clerk_client.post(f"/alerts/{alert.id}/ack/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by.username == "clerk"


def test_who_acknowledged_an_alert_is_shown_by_name_not_login(clerk_client, chain):
    (alert,) = alerts.alerts_evaluate(make_event())
    clerk_client.post(f"/alerts/{alert.id}/ack/")
    for url in ("/alerts/", f"/events/{alert.event_id}/"):
        html = clerk_client.get(url).content.decode()
        assert "科员甲" in html, url
        assert "clerk 于" not in html and "（clerk 已确认）" not in html, url


def test_whoever_is_on_duty_comes_before_an_explicit_escalation_list(chain):
    from datetime import timedelta

    from yuqing.notify.models import DutyShift
    from yuqing.org.services import person_create

    on_duty = person_create(username="night_shift", name="夜班值班员")
    now = timezone.now()
    DutyShift.objects.create(person=on_duty, start=now - timedelta(hours=1), end=now + timedelta(hours=7))
    assert alerts.default_chain() == [on_duty.user_id, *(u.id for u in chain)]
