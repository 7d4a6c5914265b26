"""Who may open the pages of events, alerts, monitoring plans and label corrections, and use the analysis
and events API (see :mod:`yuqing.testing.routes`)."""

from __future__ import annotations

from yuqing.items.tests.routes import an_item
from yuqing.org import access
from yuqing.testing.factories import make_alert, make_event
from yuqing.testing.routes import RouteSpec


def an_event() -> int:
    return make_event(
        key="perm-1", title="商户聚集办税服务厅", size=3, severity="significant", severity_rank=2, score=50.0
    ).id


def an_alert() -> int:
    from yuqing.events.models import Event

    return make_alert(event=Event.objects.get(id=an_event())).id


def a_plan() -> int:
    from yuqing.events.models import MonitoringPlan

    return MonitoringPlan.objects.create(name="权限测试方案", subject_words="税务局").id


ROUTES: dict[str, RouteSpec] = {
    "events:list": {"allow": access.FEED_READERS},
    "events:detail": {"allow": access.FEED_READERS, "kwargs": {"event_id": an_event}},
    "events:alerts": {"allow": access.FEED_READERS},
    "events:alert_ack": {"allow": access.FEED_READERS, "kwargs": {"alert_id": an_alert}, "method": "post"},
    "events:label_correct": {
        "allow": access.LABEL_CORRECTORS,
        "kwargs": {"item_id": an_item},
        "method": "post",
        "data": {"field": "sentiment", "value": "negative"},
    },
    "events:monitoring_plans": {"allow": access.PLAN_READERS},
    "events:monitoring_plan_new": {"allow": access.PLAN_EDITORS},
    "events:monitoring_plan_edit": {"allow": access.PLAN_EDITORS, "kwargs": {"plan_id": a_plan}},
    "events:monitoring_plan_check": {
        "allow": access.PLAN_EDITORS,
        "method": "post",
        "data": {"expression": "税务局"},
    },
    "api:analyze": {"allow": access.ANALYSTS, "method": "post", "data": {"text": "税务局"}},
    "api:list_events": {"allow": access.FEED_READERS},
    "api:get_event": {"allow": access.FEED_READERS, "kwargs": {"event_id": an_event}},
}
