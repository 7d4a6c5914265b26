"""Background analysis and alert escalation. Thin: each task calls one service."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from yuqing.events import alerts, services


@db_task()
def process_pending() -> int:
    """Run the analysis stages over waiting items; one worker at a time, under the analysis lease in the
    database (``services.analysis_run``), which a killed worker's pass gives up by expiring."""
    return services.analysis_run()


@db_periodic_task(crontab(minute="*"))
def sweep_pending() -> int:
    """Every minute: catch items a killed worker left waiting (once its lease has expired)."""
    return process_pending.call_local()


@db_periodic_task(crontab(minute="*"))
def escalate_alerts() -> int:
    return alerts.alerts_escalate()
