"""Who may open which 通知 route (checked by tests/test_permission_matrix.py; see yuqing.testing.routes).

Everyone reads their own notifications and keeps their own preferences; the 值班表 is for the office and
those who read the roster; the delivery log for the office's 主任/副主任 and the system administrator."""

from __future__ import annotations

from yuqing.notify.api import DUTY_READERS, LOG_READERS
from yuqing.testing.routes import LOGGED_IN, RouteSpec

ROUTES: dict[str, RouteSpec] = {
    "notify:notifications": {"allow": LOGGED_IN},
    "notify:bell": {"allow": LOGGED_IN},
    "notify:open": {"allow": LOGGED_IN, "kwargs": {"pk": 0}, "expect": 404},  # none of theirs
    "notify:duty": {"allow": frozenset(DUTY_READERS)},
    "notify:preferences": {"allow": LOGGED_IN},
    "notify:deliveries": {"allow": frozenset(LOG_READERS)},
    "api:current_duty": {"allow": frozenset(DUTY_READERS)},
    "api:get_preferences": {"allow": LOGGED_IN},
    "api:put_preferences": {"allow": LOGGED_IN, "method": "put", "data": {}},
    "api:list_deliveries": {"allow": frozenset(LOG_READERS)},
}
