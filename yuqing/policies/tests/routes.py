"""Who may open which 政策库 route (checked by tests/test_permission_matrix.py; see yuqing.testing.routes).

Every logged-in member of staff reads the library; 系统管理员 and the office's 主任/副主任 edit it. Policy
suggestions for an event follow the event's own readers."""

from __future__ import annotations

from datetime import date

from yuqing.org import access
from yuqing.policies.views import EDITORS
from yuqing.testing.factories import make_event
from yuqing.testing.routes import LOGGED_IN, RouteSpec


def a_policy() -> int:
    from yuqing.policies.models import PolicyDocument

    return PolicyDocument.objects.create(
        title="关于个体工商户定额核定有关问题的公告",
        issued_on=date(2024, 1, 1),
        validity="valid",
        text="定额核定依据……",
        search_text="定额 核定",
    ).pk


def an_event() -> int:
    return make_event(key="perm-policy-e", title="误读定额政策", categories={"misreading": 3}).pk


WRITE = frozenset(EDITORS)
POLICY: dict[str, object] = {"policy_id": a_policy}

ROUTES: dict[str, RouteSpec] = {
    "policies:list": {"allow": LOGGED_IN},
    "policies:detail": {"allow": LOGGED_IN, "kwargs": POLICY},
    "policies:create": {"allow": WRITE},
    "policies:edit": {"allow": WRITE, "kwargs": POLICY},
    "api:list_policies": {"allow": LOGGED_IN},
    "api:get_policy": {"allow": LOGGED_IN, "kwargs": POLICY},
    "api:create_policy": {"allow": WRITE, "method": "post"},
    "api:update_policy": {"allow": WRITE, "kwargs": POLICY, "method": "patch"},
    "api:event_policy_suggestions": {"allow": access.FEED_READERS, "kwargs": {"event_id": an_event}},
}
