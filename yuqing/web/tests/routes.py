"""Who may open the front door (see :mod:`yuqing.testing.routes`; the role sets are in
:mod:`yuqing.org.access`). The pages live in their apps, each declaring its own routes."""

from __future__ import annotations

from yuqing.org import access
from yuqing.testing.routes import LOGGED_IN, RouteSpec

ROUTES: dict[str, RouteSpec] = {
    # Sends each user to the first page they may open.
    "web:home": {"allow": LOGGED_IN},
    # The system administrator's first page: the role split, links to accounts and roles.
    "web:admin_start": {"allow": frozenset({access.SYSTEM_ADMIN})},
}
