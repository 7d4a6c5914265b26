"""What cases does when other apps' hooks run (registered in ``CasesConfig.ready``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yuqing.cases.models import Case
from yuqing.cases.services.case import case_open_for_alert
from yuqing.core.hooks import hook


@hook("alert.raised")
def open_case_for_alert(*, alert: Any, now: datetime) -> Case | None:
    """An alert at or above the auto-open level opens its case in the alert's own transaction."""
    return case_open_for_alert(alert, now=now)
