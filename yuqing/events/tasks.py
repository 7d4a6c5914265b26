"""Background analysis and alert escalation. Thin: each task calls one service."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from yuqing.events import alerts, services


@db_task()
def process_pending() -> int:
    """Run the analysis stages over waiting items; one runner at a time (the clusterer is sequential)."""
    try:
        with HUEY.lock_task("analysis-pipeline"):
            total = 0
            while moved := services.process_pending():
                total += moved
            return total
    except TaskLockedException:
        return 0  # the running pass will pick these items up; the sweeper covers any gap


@db_periodic_task(crontab(minute="*"))
def sweep_pending() -> int:
    """Every minute: catch items a killed worker left waiting."""
    return process_pending.call_local()


@db_periodic_task(crontab(minute="*"))
def escalate_alerts() -> int:
    return alerts.alerts_escalate()
