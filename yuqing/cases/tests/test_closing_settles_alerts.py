"""Closing a case (结案, or 不予立案 as a false alarm) settles its event's alerts: none of them escalates
afterwards, and the settling is audited. A restart re-arms the alert as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case, ProcedureSettings
from yuqing.cases.tests.drive import advance
from yuqing.events import alerts
from yuqing.events.models import AlertState
from yuqing.notify.models import Notification

pytestmark = pytest.mark.django_db
ESCALATED = "【超时升级】"


@pytest.fixture
def alerted(cast, event, django_capture_on_commit_callbacks):
    """The event raises a 重大 alert (30 minutes to acknowledge), which opens a case by itself."""
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        (alert,) = alerts.alerts_evaluate(event)
    case = Case.objects.get(alert=alert)
    assert case.state == cv.NEW and alert.ack_deadline == start + timedelta(minutes=30)
    return start, alert, case


def escalate_at(when, capture) -> int:
    with time_machine.travel(when, tick=False), capture(execute=True):
        return alerts.alerts_escalate()


def test_a_false_alarm_declined_as_not_a_case_never_escalates_and_its_alert_is_settled_with_an_audit_entry(
    cast, alerted, django_capture_on_commit_callbacks
):
    start, alert, case = alerted
    closed_at = start + timedelta(minutes=5)
    with time_machine.travel(closed_at, tick=False):
        services.case_transition(case=case, to=cv.CLOSED, user=cast.director, reason="误报：与本局无关")
    assert escalate_at(start + timedelta(minutes=31), django_capture_on_commit_callbacks) == 0
    assert escalate_at(start + timedelta(hours=3), django_capture_on_commit_callbacks) == 0
    assert not Notification.objects.filter(title__startswith=ESCALATED).exists()
    alert.refresh_from_db()
    assert alert.acknowledged_at == closed_at and alert.acknowledged_by == cast.director
    assert alert.ack_deadline is None and alert.chain_position == 0 and alert.escalations == []
    assert alert.state == AlertState.CLOSED
    entry = AuditEntry.objects.get(action="alert.settle", object_id=str(alert.pk))
    assert entry.actor == cast.director and entry.new["case_id"] == case.pk
    assert "不予立案" in entry.new["reason"] and "误报：与本局无关" in entry.new["reason"]


def test_closing_after_evaluation_settles_every_open_alert_of_the_event(
    cast, event, alerted, django_capture_on_commit_callbacks
):
    start, alert, case = alerted
    event.severity, event.severity_rank, event.score = "especially_major", 3, 85.0
    event.save()
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        (higher,) = alerts.alerts_evaluate(event)  # the same story grew: a second alert, same case
    assert Case.objects.filter(event=event).count() == 1
    advance(case, cast, cv.CLOSED)
    case.refresh_from_db()
    assert case.state == cv.CLOSED
    assert escalate_at(timezone.now() + timedelta(hours=2), django_capture_on_commit_callbacks) == 0
    assert not Notification.objects.filter(title__startswith=ESCALATED).exists()
    for a in (alert, higher):
        a.refresh_from_db()
        assert a.acknowledged_by == cast.leader and a.ack_deadline is None
    assert AuditEntry.objects.filter(action="alert.settle").count() == 2


def test_an_alert_whose_case_was_closed_without_settling_it_is_not_escalated(
    cast, alerted, django_capture_on_commit_callbacks
):
    start, alert, case = alerted
    # Closed before closing settled alerts (or by any path that skipped it): the alert is still open.
    Case.objects.filter(pk=case.pk).update(state=cv.CLOSED, closed_at=start + timedelta(minutes=5))
    assert escalate_at(start + timedelta(minutes=31), django_capture_on_commit_callbacks) == 0
    assert not Notification.objects.filter(title__startswith=ESCALATED).exists()
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None and alert.acknowledged_by is None
    assert alert.ack_deadline is None and alert.escalations == []
    entry = AuditEntry.objects.get(action="alert.settle", object_id=str(alert.pk))
    assert entry.actor is None and "已结案" in entry.new["reason"]


def test_a_restarted_case_re_arms_its_alert_which_escalates_again(
    cast, event, alerted, django_capture_on_commit_callbacks
):
    start, alert, case = alerted
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        services.case_transition(case=case, to=cv.CLOSED, user=cast.director, reason="误报")
    restart = start + timedelta(hours=1)
    with time_machine.travel(restart, tick=False):
        services.case_transition(case=case, to=cv.RESPONDING, user=cast.leader, reason="舆情再起")
        alerts.alert_rearm(event, level=alert.level, reason="案件重新启动：舆情再起")
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.ack_deadline == restart + timedelta(minutes=30)
    assert escalate_at(restart + timedelta(minutes=31), django_capture_on_commit_callbacks) == 1
    assert Notification.objects.filter(title__startswith=ESCALATED).exists()


def test_an_alert_raised_after_the_case_closed_still_escalates(
    cast, event, alerted, django_capture_on_commit_callbacks
):
    start, alert, case = alerted
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        services.case_transition(case=case, to=cv.CLOSED, user=cast.director, reason="误报")
    ProcedureSettings.objects.update(auto_open_level="")  # so no new case opens for the new alert
    event.severity, event.severity_rank, event.score = "especially_major", 3, 85.0
    event.save()
    later = start + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        (fresh,) = alerts.alerts_evaluate(event)
    assert not Case.objects.filter(event=event, state__in=sorted(cv.OPEN_STATES)).exists()
    assert escalate_at(later + timedelta(minutes=31), django_capture_on_commit_callbacks) == 1
    fresh.refresh_from_db()
    alert.refresh_from_db()
    assert fresh.chain_position == 1
    assert alert.chain_position == 0 and alert.acknowledged_by == cast.director  # the settled one stays so
