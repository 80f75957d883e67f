"""The shared shell of job tasks: run steps, continue, retry with backoff, fail visibly."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime

from celery import Task
from celery.exceptions import MaxRetriesExceededError

from cbe_app.dbtypes import utcnow
from cbe_app.jobs.dispatch import dispatch
from cbe_app.jobs.runner import Outcome, StepFn, fail_job, run_job

log = logging.getLogger(__name__)
MAX_RETRIES = 5
BUSY_RETRY_SECONDS = 3


def backoff(retries: int, base: float = 2.0, cap: float = 600.0) -> float:
    """Exponential backoff with full jitter: spreads retries so they do not arrive together."""
    return random.uniform(0, min(cap, base * 2**retries))  # noqa: S311 - jitter, not secrecy


def run_job_task(
    task: Task,
    job_id: int,
    step_fn: StepFn,
    on_fail: Callable[[int, str, datetime], None] | None = None,
) -> str:
    """Run a job's steps; queue the continuation, or a retry, as the outcome says.

    `on_fail` lets the job's owner record a final failure on its own rows too (a sync run).
    """
    try:
        outcome = run_job(job_id, step_fn)
    except Exception as exc:  # noqa: BLE001 - every unexpected error is retried, then failed visibly
        try:
            raise task.retry(
                exc=exc, countdown=backoff(task.request.retries), max_retries=MAX_RETRIES
            )
        except MaxRetriesExceededError:
            error = f"{type(exc).__name__}: {exc}"
            fail_job(job_id, error, utcnow())
            if on_fail:
                on_fail(job_id, error, utcnow())
            return Outcome.FINISHED.value
    if outcome is Outcome.CONTINUE:
        dispatch(task.name, job_id)
    elif outcome is Outcome.BUSY:
        # Another copy is running it (a redelivery); check back once it may be done.
        dispatch(task.name, job_id, countdown=BUSY_RETRY_SECONDS)
    return outcome.value
