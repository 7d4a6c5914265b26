"""What events does when other apps' hooks run (registered in ``EventsConfig.ready``): new items stored
by ingest (below) are queued for analysis; when a case (above) moves, every write to an alert stays in
events and runs in the case's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yuqing.core.hooks import ON_COMMIT, hook
from yuqing.events.alerts import alert_acknowledge, alert_rearm, alerts_settle_for_case
from yuqing.events.tasks import process_pending


@hook("items.stored", when=ON_COMMIT, robust=True)
def queue_analysis(*, item_ids: list[int]) -> None:
    """Once an ingest batch commits: queue the analysis pass over the waiting items."""
    process_pending()


@hook("case.opened")
def acknowledge_opening_alert(*, case: Any, alert: Any, user: Any, now: datetime) -> None:
    """Opening a case from an alert by hand acknowledges the alert (an automatic case does not)."""
    if alert is not None and alert.acknowledged_at is None and user is not None:
        alert_acknowledge(alert, user=user, now=now)


@hook("case.closed")
def settle_alerts_of_closed_case(*, case: Any, user: Any, action: str, reason: str, now: datetime) -> None:
    """结案 or 不予立案: the event's open alerts are settled, none may escalate on."""
    alerts_settle_for_case(case, user=user, action=action, reason=reason, now=now)


@hook("case.restarted")
def rearm_alert_of_restarted_case(*, case: Any, reason: str, now: datetime | None) -> None:
    """后期跟踪 restarted the case: its event's alert needs acknowledging again, escalation starts over."""
    if case.event is not None:
        alert_rearm(
            case.event, level=case.severity, reason=f"案件「{case.title}」重新启动：{reason}", now=now
        )
