"""Background work on items: the hand-over from ingest to analysis."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


def enqueue_analysis() -> None:
    """Called after an ingest batch commits: queue the analysis of stored items."""
    analyze_pending()


@db_task()
def analyze_pending() -> int:
    from yuqing.items import pipeline

    return pipeline.process_pending()
