"""Alert.state: one explicit field, written by the alert services at each step, and an escalation step
claimed so that two schedulers running at once escalate an alert once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.events import alerts
from yuqing.events.models import Alert, AlertRule, AlertState
from yuqing.events.tests.test_alerts import chain, make_event  # noqa: F401 (a fixture)


@pytest.mark.django_db
def test_the_state_follows_the_alert_through_its_life(chain):  # noqa: F811
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        (alert,) = alerts.alerts_evaluate(make_event())
    assert alert.state == AlertState.OPEN
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert alerts.alerts_escalate() == 1
    alert.refresh_from_db()
    assert (alert.state, alert.chain_position) == (AlertState.ESCALATED, 1)
    alerts.alert_acknowledge(alert, user=chain[1])
    assert Alert.objects.get(pk=alert.pk).state == AlertState.ACKNOWLEDGED
    rearmed = alerts.alert_rearm(alert.event, level=alert.level, reason="案件重新启动")
    assert (rearmed.state, rearmed.chain_position, rearmed.acknowledged_at) == (AlertState.OPEN, 0, None)


@pytest.mark.django_db
def test_an_escalation_step_read_by_two_schedulers_is_claimed_by_one(chain):  # noqa: F811
    (alert,) = alerts.alerts_evaluate(make_event())
    now = alert.ack_deadline + timedelta(minutes=1)
    first, second = Alert.objects.get(pk=alert.pk), Alert.objects.get(pk=alert.pk)
    assert alerts.alert_escalation_claim(first, now=now, minutes=30) is True
    assert alerts.alert_escalation_claim(second, now=now, minutes=30) is False
    alert.refresh_from_db()
    assert (alert.chain_position, alert.state) == (1, AlertState.ESCALATED)
    assert second.chain_position == 0  # the loser's copy is left as it read it


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_escalating_at_once_escalate_an_alert_once(chain):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database; SQLite's IMMEDIATE transactions serialise writers by design")
    # An earlier transactional test flushes the tables, the migration's default rules with them.
    AlertRule.objects.get_or_create(name="较大及以上舆情事件", defaults={"min_severity": "significant"})
    (alert,) = alerts.alerts_evaluate(make_event())
    now = alert.ack_deadline + timedelta(minutes=1)
    start = threading.Barrier(2)
    moved: list[int] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            start.wait()
            moved.append(alerts.alerts_escalate(now=now))
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(moved) == [0, 1]
    alert.refresh_from_db()
    assert alert.chain_position == 1 and len(alert.escalations) == 1
    assert AuditEntry.objects.filter(action="alert.escalate").count() == 1
