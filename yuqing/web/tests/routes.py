"""Who may open the monitoring pages (see :mod:`yuqing.testing.routes`; the role sets are in
:mod:`yuqing.org.access`)."""

from __future__ import annotations

from yuqing.events.tests.routes import a_plan, an_alert, an_event
from yuqing.items.tests.routes import an_item
from yuqing.org import access
from yuqing.testing.routes import LOGGED_IN, RouteSpec

ROUTES: dict[str, RouteSpec] = {
    # Sends each user to the first page they may open.
    "web:home": {"allow": LOGGED_IN},
    "web:items": {"allow": access.FEED_READERS},
    "web:item": {"allow": access.FEED_READERS, "kwargs": {"item_id": an_item}},
    "web:item_correct": {
        "allow": access.LABEL_CORRECTORS,
        "kwargs": {"item_id": an_item},
        "method": "post",
        "data": {"field": "sentiment", "value": "negative"},
    },
    "web:sources": {"allow": access.SOURCE_READERS},
    "web:events": {"allow": access.FEED_READERS},
    "web:event": {"allow": access.FEED_READERS, "kwargs": {"event_id": an_event}},
    "web:alerts": {"allow": access.FEED_READERS},
    "web:alert_ack": {"allow": access.FEED_READERS, "kwargs": {"alert_id": an_alert}, "method": "post"},
    "web:notifications": {"allow": LOGGED_IN},
    "web:bell": {"allow": LOGGED_IN},
    "web:plans": {"allow": access.PLAN_READERS},
    "web:plan_new": {"allow": access.PLAN_EDITORS},
    "web:plan_edit": {"allow": access.PLAN_EDITORS, "kwargs": {"plan_id": a_plan}},
    "web:plan_check": {"allow": access.PLAN_EDITORS, "method": "post", "data": {"expression": "税务局"}},
}
