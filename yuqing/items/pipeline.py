"""Work on stored items after ingest (analysis arrives with the analysis issue)."""

from __future__ import annotations


def process_pending(batch_size: int = 500) -> int:
    """Process items waiting in the ``stored`` stage; returns how many were processed."""
    return 0
