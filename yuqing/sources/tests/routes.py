"""Who may open the sources' health page (see :mod:`yuqing.testing.routes`)."""

from __future__ import annotations

from yuqing.org import access
from yuqing.testing.routes import RouteSpec

ROUTES: dict[str, RouteSpec] = {
    "sources:health": {"allow": access.SOURCE_READERS},
}
