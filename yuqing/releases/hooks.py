"""What releases does when a case moves (registered in ``ReleasesConfig.ready``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yuqing.core.hooks import hook
from yuqing.releases.services.releases import release_deadlines_set


@hook("case.opened")
def set_release_deadlines(*, case: Any, alert: Any, user: Any, now: datetime) -> None:
    """A case opened: the release deadlines its severity calls for, in the case's transaction."""
    release_deadlines_set(case, now=now)
