"""Report tasks: folding the rollup logs into their day and month sums, recording inventory."""

from __future__ import annotations

from typing import Any

from cbe_app.config import get_settings
from cbe_app.dbtypes import utcnow
from cbe_app.reports.service import compact_rollups, record_inventory_now
from tasks.celery_app import app


@app.task(name="cbe.reports.compact")
def compact() -> None:
    """Fold what triggers logged since the last time (readers see the log meanwhile)."""
    compact_rollups()


@app.task(name="cbe.reports.record_inventory")
def record_inventory(every_day: bool = False) -> dict[str, Any]:
    """Keep today's stock as today's, and sum recent sales again (every day's, nightly)."""
    return record_inventory_now(utcnow(), get_settings().base_currency, every_day=every_day)
