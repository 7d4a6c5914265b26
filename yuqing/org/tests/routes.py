"""Who may open the organisation's pages (see :mod:`yuqing.testing.routes`)."""

from __future__ import annotations

from yuqing.org import access
from yuqing.testing.routes import RouteSpec


def a_person() -> int:
    from yuqing.org.services import person_create

    return person_create(username="perm_person", name="人员甲").id


ROUTES: dict[str, RouteSpec] = {
    "org:roster": {"allow": access.ROSTER_READERS},
    "org:person": {"allow": access.ROSTER_READERS, "kwargs": {"person_id": a_person}},
    "org:agencies": {"allow": access.ROSTER_READERS},
}
