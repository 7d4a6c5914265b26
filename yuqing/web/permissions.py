"""Who may open the front door (see :mod:`yuqing.core.permissions`; the role sets are in
:mod:`yuqing.org.access`). The pages live in their apps, each declaring its own routes."""

from __future__ import annotations

from yuqing.core.permissions import LOGGED_IN, RouteSpec

ROUTES: dict[str, RouteSpec] = {
    # Sends each user to the first page they may open.
    "web:home": {"allow": LOGGED_IN},
}
