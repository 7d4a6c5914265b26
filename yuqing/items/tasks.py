"""Background work on items: the hand-over from ingest to analysis."""

from __future__ import annotations


def enqueue_analysis() -> None:
    """Called after an ingest batch commits: queue the analysis of stored items."""
    from yuqing.events.tasks import process_pending

    process_pending()
