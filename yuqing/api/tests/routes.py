"""Who may open the API's own routes (see :mod:`yuqing.testing.routes`)."""

from __future__ import annotations

from yuqing.testing.routes import LOGGED_IN, PUBLIC, RouteSpec

ROUTES: dict[str, RouteSpec] = {
    "api:health": {"allow": PUBLIC},
    "api:openapi-json": {"allow": LOGGED_IN},
    "api:openapi-view": {"allow": LOGGED_IN},
    # ninja's internal anchor for the API's base path: 404 to everyone, no content.
    "api:api-root": {"allow": PUBLIC, "expect": 404},
}
