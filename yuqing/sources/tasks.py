"""Background polling. Thin: the scheduler claims due sources, a worker polls each one."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from yuqing.sources import services


@db_periodic_task(crontab(minute="*"))
def schedule_polls() -> int:
    """Every minute: claim due sources (and re-claim those whose worker died) and queue their polls."""
    claimed = services.sources_claim_due()
    for source_id in claimed:
        poll_source(source_id)
    return len(claimed)


@db_task()
def poll_source(source_id: int) -> str:
    return services.source_poll(source_id).status
