"""Running a job in steps: each step commits its effects together with the job's cursor.

A task shell calls `run_job`. The runner takes a per-job Redis lock (so a redelivered copy
never runs beside the original), claims the job with a lease, then calls the job's step
function in a loop, one transaction per step, until it finishes or its time budget is spent;
then the shell dispatches a continuation. A worker killed mid-step loses only that
uncommitted step: the redelivered message finds the stale lease, counts a new attempt and
resumes from the last committed cursor. Every effect therefore happens exactly once, as
long as each step is idempotent for its cursor.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from redis.exceptions import LockError
from redis.lock import Lock
from sqlmodel import Session

from cbe_app import changes
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.jobs.models import FINISHED, Job, JobEvent, JobStatus
from cbe_app.redis_client import get_redis

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STEP_BUDGET_SECONDS = 5.0
LOCK_SECONDS = 12  # longer than any single step; refreshed before each step


@dataclass(frozen=True, slots=True)
class JobView:
    """What a step may read of its job."""

    id: int
    params: dict[str, Any]
    cursor: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Step:
    """What a step did: the cursor to resume from and the progress to show."""

    cursor: dict[str, Any]
    done: int
    total: int
    message: str = ""
    finished: bool = False
    result: dict[str, Any] = field(default_factory=dict)
    changed: tuple[str, ...] = ()  # topics of what the step's commit changed (`changes`)


StepFn = Callable[[Session, JobView, datetime], Step]


class Outcome(StrEnum):
    """How one run of a job ended."""

    FINISHED = "finished"  # succeeded or failed for good (now or earlier)
    CONTINUE = "continue"  # budget spent; dispatch a continuation
    BUSY = "busy"  # another runner holds the job; try again shortly


class JobFailed(Exception):
    """A final error: retrying cannot help, the job is marked failed with this message."""


def _event(session: Session, job_id: int, kind: str, now: datetime, **detail: Any) -> None:
    session.add(JobEvent(job_id=job_id, at=now, kind=kind, detail=detail))


@contextmanager
def _job_lock(job_id: int) -> Iterator[Lock | None]:
    lock = get_redis().lock(f"cbe:lock:job:{job_id}", timeout=LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        yield None
        return
    try:
        yield lock
    finally:
        try:
            lock.release()
        except LockError:
            log.warning("job %s: lock expired before release", job_id)


def _finish(session: Session, job: Job, now: datetime, status: JobStatus, **outcome: Any) -> None:
    job.status = status
    job.finished_at = job.updated_at = now
    job.lease = None
    job.error = str(outcome.get("error", ""))[:2000]
    job.result = dict(outcome.get("result", {}))
    _event(session, job.id or 0, status.value, now, **({"error": job.error} if job.error else {}))


def _claim(job_id: int, lease: str, now: datetime) -> bool:
    """Take the job; False when it is finished, gone, or has used up its attempts."""
    with session_scope() as session:
        job = session.get(Job, job_id)
        if job is None or job.status in FINISHED:
            return False
        if job.attempts == 0 or job.lease is not None:
            job.attempts += 1
            _event(
                session,
                job_id,
                "started" if job.attempts == 1 else "resumed",
                now,
                attempt=job.attempts,
            )
        if job.attempts > MAX_ATTEMPTS:
            _finish(
                session, job, now, JobStatus.FAILED, error=f"Gave up after {MAX_ATTEMPTS} attempts"
            )
            return False
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or now
        job.updated_at = now
        job.lease = lease
        return True


def _apply(session: Session, job_id: int, lease: str, step_fn: StepFn, now: datetime) -> Step:
    """One step and its bookkeeping, in the step's own transaction."""
    job = session.get(Job, job_id)
    if job is None or job.lease != lease:
        raise JobFailed("The job was taken over by another runner")
    step = step_fn(session, JobView(job_id, dict(job.params), dict(job.cursor)), now)
    job.cursor = dict(step.cursor)
    job.progress_done, job.progress_total = step.done, step.total
    job.message = step.message[:300]
    job.updated_at = now
    if step.finished:
        _finish(session, job, now, JobStatus.SUCCEEDED, result=step.result)
    return step


def _release(job_id: int, lease: str, now: datetime, error: str = "") -> None:
    """Hand the job back: cleanly for a continuation, or after an error (a new attempt)."""
    with session_scope() as session:
        job = session.get(Job, job_id)
        if job is None or job.lease != lease:
            return
        job.lease = None
        job.updated_at = now
        if error:
            job.attempts += 1
            job.error = error[:2000]
            _event(session, job_id, "retrying", now, error=job.error, attempt=job.attempts)


def run_job(
    job_id: int,
    step_fn: StepFn,
    *,
    budget_seconds: float = STEP_BUDGET_SECONDS,
    clock: Callable[[], datetime] = utcnow,
) -> Outcome:
    """Run steps of a job until it finishes or the budget is spent (see the module docstring).

    Raises:
        Exception: whatever a step raised other than `JobFailed`; the caller retries later.
    """
    with _job_lock(job_id) as lock:
        if lock is None:
            return Outcome.BUSY
        lease = uuid.uuid4().hex
        if not _claim(job_id, lease, clock()):
            changes.publish("jobs", [job_id])
            return Outcome.FINISHED
        started = time.monotonic()
        try:
            while True:
                lock.reacquire()
                with session_scope() as session:
                    step = _apply(session, job_id, lease, step_fn, clock())
                changes.publish("jobs", [job_id])
                for topic in step.changed:
                    changes.publish(topic)
                if step.finished:
                    return Outcome.FINISHED
                if time.monotonic() - started >= budget_seconds:
                    _release(job_id, lease, clock())
                    return Outcome.CONTINUE
        except JobFailed as exc:
            fail_job(job_id, str(exc), clock())
            return Outcome.FINISHED
        except Exception as exc:
            _release(job_id, lease, clock(), error=f"{type(exc).__name__}: {exc}")
            changes.publish("jobs", [job_id])
            raise


def fail_job(job_id: int, error: str, now: datetime) -> None:
    """Mark a job failed for good (final errors, or retries exhausted) and tell the app."""
    with session_scope() as session:
        job = session.get(Job, job_id)
        if job is not None and job.status not in FINISHED:
            _finish(session, job, now, JobStatus.FAILED, error=error)
    changes.publish("jobs", [job_id])


def run_inline(
    step_fn: StepFn,
    params: dict[str, Any],
    *,
    clock: Callable[[], datetime] = utcnow,
    progress: Callable[[Step], None] | None = None,
) -> Step:
    """Run a job's steps in this process without a job row (CLI, first start).

    Same steps and transactions as a background run, so both load exactly the same data.
    """
    cursor: dict[str, Any] = {}
    while True:
        with session_scope() as session:
            step = step_fn(session, JobView(0, params, cursor), clock())
        if progress:
            progress(step)
        if step.finished:
            return step
        cursor = dict(step.cursor)
