"""Periodic sweeps of the procedure. Thin: each calls one service; both are idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yuqing.cases import services


@db_periodic_task(crontab(minute="*"))
def sweep_deadlines() -> int:
    """Every minute: mark missed deadlines (迟报/超期), record and announce them."""
    return services.deadlines_sweep()


@db_periodic_task(crontab(minute="*/5"))
def check_tracking() -> int:
    """Every five minutes: restart cases in 后期跟踪 whose event flared up again."""
    return len(services.tracking_check())
