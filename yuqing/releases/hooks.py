"""What releases does when a case moves, the demo case included (registered in ``ReleasesConfig.ready``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yuqing.core.hooks import hook
from yuqing.releases.services.demo import demo_load as releases_demo
from yuqing.releases.services.releases import release_deadlines_set


@hook("case.opened")
def set_release_deadlines(*, case: Any, alert: Any, user: Any, now: datetime) -> None:
    """A case opened: the release deadlines its severity calls for, in the case's transaction."""
    release_deadlines_set(case, now=now)


@hook("demo.case_responding")
def demo_releases(*, case: Any, people: dict[str, Any], now: datetime) -> None:
    """The demo case, its response plan launched: its releases and guidance, done through the services."""
    releases_demo(
        case,
        author=people["director"],
        reviewer=people["head_fz"],
        signer=people["deputy"],
        point_editor=people["office_deputy"],
        commentator=people["commentator"],
        now=now,
    )
