"""A case opens by itself only for a negative, tax-related event that a monitoring plan matched (issue 10):
anything else stays an alert for the office to judge."""

from __future__ import annotations

import pytest

from yuqing.cases.models import Case
from yuqing.cases.services.case import auto_open_refusal
from yuqing.events import alerts
from yuqing.items.models import Item

pytestmark = pytest.mark.django_db


def test_a_negative_tax_event_matched_by_a_plan_opens_a_case_by_itself(cast, event):
    assert auto_open_refusal(event) == ""
    (alert,) = alerts.alerts_evaluate(event)
    assert Case.objects.filter(alert=alert).exists()


def test_good_news_raises_its_alert_but_opens_no_case(cast, event):
    event.sentiment = {"positive": 9, "neutral": 3}
    event.save()
    assert "负面信息仅占 0%" in auto_open_refusal(event)
    (alert,) = alerts.alerts_evaluate(event)
    assert not Case.objects.exists()
    assert alert.level == "major"  # the office still sees it and may open a case by hand


def test_an_event_no_monitoring_plan_matched_opens_no_case(cast, event):
    Item.objects.filter(event=event).update(matched_plans=[])
    assert "没有信息命中监测方案" in auto_open_refusal(event)
    alerts.alerts_evaluate(event)
    assert not Case.objects.exists()


def test_an_event_without_tax_related_items_opens_no_case(cast, event):
    Item.objects.filter(event=event).update(tax_related=False)
    assert "没有涉税信息" in auto_open_refusal(event)
    alerts.alerts_evaluate(event)
    assert not Case.objects.exists()
