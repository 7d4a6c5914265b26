"""Who may read the audit trail (see :mod:`yuqing.testing.routes`)."""

from __future__ import annotations

from yuqing.org import access
from yuqing.testing.routes import RouteSpec

ROUTES: dict[str, RouteSpec] = {
    "audit:list": {"allow": access.AUDIT_READERS},
    "audit:export": {"allow": access.AUDIT_READERS},
}
