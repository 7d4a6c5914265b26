"""Who may open the sources' health page (see :mod:`yuqing.core.permissions`)."""

from __future__ import annotations

from yuqing.core.permissions import RouteSpec
from yuqing.org import access

ROUTES: dict[str, RouteSpec] = {
    "sources:health": {"allow": access.SOURCE_READERS},
}
