"""Report tasks: folding the rollup logs into their day and month sums."""

from __future__ import annotations

from cbe_app.reports.service import compact_rollups
from tasks.celery_app import app


@app.task(name="cbe.reports.compact")
def compact() -> None:
    """Fold what triggers logged since the last time (readers see the log meanwhile)."""
    compact_rollups()
