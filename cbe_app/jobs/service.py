"""Use cases for jobs: queue one, list them for the UI, and re-send work whose message was lost."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from cbe_app import changes
from cbe_app.db import session_scope
from cbe_app.jobs.dispatch import dispatch
from cbe_app.jobs.models import Job, JobEvent, JobStatus

log = logging.getLogger(__name__)
Dispatcher = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class JobSummary:
    """A job as the jobs page shows it."""

    id: int
    task: str
    title: str
    status: str
    done: int
    total: int
    message: str
    attempts: int
    error: str
    created_at: datetime
    finished_at: datetime | None

    @property
    def percent(self) -> int:
        """Progress in whole percent (100 once succeeded)."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


def _send(task: str, job_id: int) -> None:
    dispatch(task, job_id)


def enqueue(
    task: str,
    title: str,
    params: dict[str, Any],
    *,
    now: datetime,
    user_id: int | None = None,
    dedupe_key: str | None = None,
    send: Dispatcher = _send,
) -> int:
    """Record a job and queue it after the record is committed; returns the job id.

    With a `dedupe_key`, asking twice returns the first job instead of making a second.
    """
    with session_scope() as session:
        if dedupe_key is not None:
            existing = session.scalar(select(col(Job.id)).where(col(Job.dedupe_key) == dedupe_key))
            if existing is not None:
                return int(existing)
        job = Job(
            task=task,
            title=title,
            params=params,
            created_by=user_id,
            dedupe_key=dedupe_key,
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        session.flush()
        job_id = int(job.id or 0)
        session.add(JobEvent(job_id=job_id, at=now, kind="queued", detail={}))
    send(task, job_id)
    changes.publish("jobs", [job_id])
    return job_id


def list_jobs(session: Session, limit: int = 50) -> list[JobSummary]:
    """The most recent jobs, newest first."""
    jobs = session.scalars(select(Job).order_by(col(Job.id).desc()).limit(limit))
    return [
        JobSummary(
            id=j.id or 0,
            task=j.task,
            title=j.title,
            status=j.status,
            done=j.progress_done,
            total=j.progress_total,
            message=j.message,
            attempts=j.attempts,
            error=j.error,
            created_at=j.created_at,
            finished_at=j.finished_at,
        )
        for j in jobs
    ]


def redispatch_stalled(
    now: datetime, *, quiet_for: timedelta = timedelta(minutes=2), send: Dispatcher = _send
) -> int:
    """Queue again jobs that are unfinished and silent for a while (their message was lost).

    Safe to over-send: the runner's lock and lease make a duplicate a no-op.
    """
    with session_scope() as session:
        stalled = session.execute(
            select(col(Job.id), col(Job.task)).where(
                col(Job.status).in_([JobStatus.QUEUED, JobStatus.RUNNING]),
                col(Job.updated_at) < now - quiet_for,
            )
        ).all()
    for job_id, task in stalled:
        log.info("re-sending stalled job %s (%s)", job_id, task)
        send(task, job_id)
    return len(stalled)
