"""The chains across apps run through hooks (yuqing.core.hooks), atomically where the procedure needs
both writes: an alert and the case it opens, a case's restart and its re-armed alert (issue 11)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from yuqing.cases import services
from yuqing.cases import vocab as cv
from yuqing.cases.models import Case
from yuqing.cases.tests.drive import advance, open_case
from yuqing.cases.tests.test_tracking import add_items
from yuqing.core.hooks import IN_TRANSACTION, ON_COMMIT, REGISTRY, handlers
from yuqing.events import alerts
from yuqing.events.models import Alert

pytestmark = pytest.mark.django_db


def disk_full(*args, **kwargs):
    raise DatabaseError("disk full")


def test_the_apps_register_their_handlers_each_in_or_after_the_transaction():
    registered = {name: [(r.fn.__module__, r.when) for r in handlers(name)] for name in REGISTRY}
    assert registered == {
        "alert.raised": [("yuqing.cases.hooks", IN_TRANSACTION)],
        "case.opened": [("yuqing.events.hooks", IN_TRANSACTION), ("yuqing.releases.hooks", IN_TRANSACTION)],
        "case.closed": [("yuqing.events.hooks", IN_TRANSACTION), ("yuqing.notify.hooks", ON_COMMIT)],
        "case.restarted": [("yuqing.events.hooks", IN_TRANSACTION)],
        "event.severity_raised": [("yuqing.cases.hooks", IN_TRANSACTION)],
        "items.stored": [("yuqing.events.hooks", ON_COMMIT)],
        "demo.case_responding": [("yuqing.releases.hooks", IN_TRANSACTION)],
        "login.locked": [("yuqing.notify.hooks", ON_COMMIT)],
    }


def test_an_alert_and_the_case_it_opens_commit_together(cast, event):
    (alert,) = alerts.alerts_evaluate(event)
    assert Case.objects.get(alert=alert).state == cv.NEW


def test_an_error_while_opening_the_case_rolls_the_alert_back(cast, event, monkeypatch):
    monkeypatch.setattr(Case, "save", disk_full)
    with pytest.raises(DatabaseError):
        alerts.alerts_evaluate(event)
    assert not Alert.objects.filter(event=event).exists()  # no alert left behind without its case
    assert not Case.objects.exists()


def test_a_restart_and_its_rearmed_alert_commit_together(cast, event, monkeypatch):
    case = advance(open_case(cast, event=event), cast, cv.TRACKING)
    add_items(event, 12, negative=10)
    monkeypatch.setattr(Alert, "save", disk_full)
    with pytest.raises(DatabaseError):
        services.tracking_check()
    case.refresh_from_db()
    assert case.state == cv.TRACKING  # not restarted without the alert that calls people back
    monkeypatch.undo()
    (restarted,) = services.tracking_check()
    assert restarted.state == cv.RESPONDING
    assert Alert.objects.get(event=event, level=case.severity).acknowledged_at is None
