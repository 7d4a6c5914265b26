"""The project's own routes: login, logout and the admin (see :mod:`yuqing.testing.routes`)."""

from __future__ import annotations

from yuqing.testing.routes import PUBLIC, STAFF, RouteSpec

ROUTES: dict[str, RouteSpec] = {
    "login": {"allow": PUBLIC},
    # Logging out ends at the login page, whoever asks.
    "logout": {"allow": PUBLIC, "method": "post", "expect": 302},
    # The whole admin (every "admin:" name and the admin's unnamed patterns) is checked as one route.
    "admin:*": {"allow": STAFF},
}
