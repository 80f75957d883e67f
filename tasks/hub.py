"""Data hub tasks: syncing accounts on demand and on schedule, importing uploaded files."""

from __future__ import annotations

from celery import Task

from cbe_app.config import get_settings
from cbe_app.dbtypes import utcnow
from cbe_app.hub.fileimport.job import IMPORT_TASK, import_step
from cbe_app.hub.sync import SYNC_TASK, fail_sync, start_due_syncs, sync_step
from cbe_app.hub.webhooks import PROCESS_TASK, process_event
from cbe_app.jobs.dispatch import dispatch
from cbe_app.jobs.runner import Outcome
from cbe_app.reports.service import COMPACT_TASK
from tasks.celery_app import app
from tasks.runner import backoff, run_job_task


@app.task(name=SYNC_TASK, bind=True)
def sync(self: Task, job_id: int) -> str:
    """Sync an account: one page per step, resuming where a killed worker stopped."""
    outcome = run_job_task(self, job_id, sync_step(get_settings().base_currency), on_fail=fail_sync)
    if outcome == Outcome.FINISHED.value:
        # Customer cohorts count from a compaction: fold the sync's orders in now rather than at
        # the next scheduled one, in a task of its own so that the sync does not wait for it.
        dispatch(COMPACT_TASK)
    return outcome


@app.task(name=IMPORT_TASK, bind=True)
def import_file(self: Task, job_id: int) -> str:
    """Import an uploaded file: a thousand orders per step, resuming after a killed worker."""
    return run_job_task(self, job_id, import_step(get_settings().base_currency), on_fail=fail_sync)


@app.task(name="cbe.hub.sync_due")
def sync_due() -> int:
    """Queue syncs for the accounts whose interval has passed."""
    return start_due_syncs(utcnow())


@app.task(name=PROCESS_TASK, bind=True, max_retries=5)
def process_webhook(self: Task, event_id: int) -> bool:
    """Apply a received webhook (idempotent); database hiccups are retried with backoff."""
    try:
        return process_event(event_id, get_settings().base_currency, utcnow())
    except Exception as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
