"""Who may read the audit trail (see :mod:`yuqing.core.permissions`)."""

from __future__ import annotations

from yuqing.core.permissions import RouteSpec
from yuqing.org import access

ROUTES: dict[str, RouteSpec] = {
    "audit:list": {"allow": access.AUDIT_READERS},
    "audit:export": {"allow": access.AUDIT_READERS},
}
