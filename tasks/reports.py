"""Report tasks: rollups, inventory records, exports and scheduled report e-mails."""

from __future__ import annotations

from typing import Any

from celery import Task

from cbe_app.config import get_settings
from cbe_app.dbtypes import utcnow
from cbe_app.reports.deliveries import (
    DELIVER_TASK,
    deliver_step,
    fail_delivery,
    queue_due_deliveries,
)
from cbe_app.reports.export_job import EXPORT_TASK, export_step, remove_old_exports
from cbe_app.reports.inventory import RESUM_TASK, queue_resum, resum_step
from cbe_app.reports.service import COMPACT_TASK, compact_rollups, record_inventory_now
from tasks.celery_app import app
from tasks.runner import run_job_task


@app.task(name=COMPACT_TASK)
def compact() -> None:
    """Fold what triggers logged since the last time (readers see the log meanwhile)."""
    compact_rollups()


@app.task(name="cbe.reports.record_inventory")
def record_inventory() -> dict[str, Any]:
    """Keep today's stock as today's, and sum the last days' sales again."""
    return record_inventory_now(utcnow(), get_settings().base_currency)


@app.task(name="cbe.reports.queue_resum_sales")
def queue_resum_sales() -> int:
    """Queue the nightly summing of every day's sales (a job: a month of days per step)."""
    return queue_resum(utcnow())


@app.task(name=RESUM_TASK, bind=True)
def resum_sales(self: Task, job_id: int) -> str:
    """Sum every day's product sales again, a month of days per step."""
    return run_job_task(self, job_id, resum_step)


@app.task(name=EXPORT_TASK, bind=True)
def export(self: Task, job_id: int) -> str:
    """Export a report to a file: a batch of lines per step, then the file."""
    return run_job_task(self, job_id, export_step(get_settings().base_currency))


@app.task(name=DELIVER_TASK, bind=True)
def deliver(self: Task, job_id: int) -> str:
    """E-mail a scheduled report: make the file as an export does, then send it."""
    return run_job_task(
        self, job_id, deliver_step(get_settings().base_currency), on_fail=fail_delivery
    )


@app.task(name="cbe.reports.queue_deliveries")
def queue_deliveries() -> int:
    """Queue the report e-mails that fell due (each due moment once)."""
    return len(queue_due_deliveries(utcnow()))


@app.task(name="cbe.reports.remove_old_exports")
def remove_exports() -> int:
    """Delete exported files nobody downloaded within a day."""
    return remove_old_exports(utcnow())
