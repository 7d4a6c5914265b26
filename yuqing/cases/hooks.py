"""What cases does when other apps' hooks run (registered in ``CasesConfig.ready``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q

from yuqing.cases import vocab as cv
from yuqing.cases.models import Case
from yuqing.cases.services.case import case_open_for_alert
from yuqing.cases.services.severity import case_severity_follow_event
from yuqing.core.hooks import hook
from yuqing.events.alerts import closed_case_provider


@hook("alert.raised")
def open_case_for_alert(*, alert: Any, now: datetime) -> Case | None:
    """An alert at or above the auto-open level opens its case in the alert's own transaction."""
    return case_open_for_alert(alert, now=now)


@hook("event.severity_raised")
def raise_cases_with_event(*, event: Any, now: datetime | None = None) -> list[Case]:
    """The event's level rose: its open cases rise with it, audited and announced, in its transaction."""
    return case_severity_follow_event(event=event, now=now)


@closed_case_provider
def closed_case_for_alert(alert: Any) -> Case | None:
    """The closed case that handled ``alert``: closed after the alert was raised, with no case for its
    event open since (the escalation asks, to settle such an alert instead of paging anyone)."""
    cases = Case.objects.filter(Q(event_id=alert.event_id) | Q(alert_id=alert.id))
    if cases.filter(state__in=sorted(cv.OPEN_STATES)).exists():
        return None
    return (
        cases.filter(state=cv.CLOSED, closed_at__gte=alert.created_at).order_by("-closed_at", "-id").first()
    )
