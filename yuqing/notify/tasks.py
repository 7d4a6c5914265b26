"""Sending deliveries in the background. Thin: each task calls one service."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from yuqing.notify import services


@db_task()
def send_deliveries(ids: list[int]) -> int:
    """Send the deliveries ``notify()`` just queued (those still pending and due)."""
    return services.deliveries_send(ids=ids)


@db_periodic_task(crontab(minute="*"))
def sweep_deliveries() -> int:
    """Every minute: retries that are due, and deliveries a killed worker left claimed."""
    return services.deliveries_send()
