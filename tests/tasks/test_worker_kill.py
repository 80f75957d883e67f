"""A real Celery worker is killed with SIGKILL in the middle of a job; a new one finishes it, once.

This is the reliability property the job design exists for (late acknowledgement, rejection
on worker loss, a short visibility timeout, steps committed with their cursor, a lease and a
per-job lock). It runs on every backend: SQLite with the embedded Redis, and under CI the
PostgreSQL and Redis servers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.demo.generator import generate
from cbe_app.demo.service import LOAD_TASK, LOAD_TITLE, DemoParams
from cbe_app.hub.orders import SalesOrder
from cbe_app.jobs.models import JobEvent, JobStatus
from cbe_app.jobs.service import enqueue
from tests.conftest import Backend
from tests.tasks.workers import Worker, job_state, wait_for

pytestmark = pytest.mark.worker
PARAMS = DemoParams(orders=30_000, seed=3, end=date(2026, 10, 31))


def test_a_job_survives_kill_9_of_its_worker_and_completes_exactly_once(
    backend: Backend, workers: list[Worker], tmp_path: Path
) -> None:
    first = Worker("first", tmp_path)
    workers.append(first)
    first.wait_ready()
    job_id = enqueue(LOAD_TASK, LOAD_TITLE, PARAMS.to_json(), now=utcnow())
    wait_for(
        lambda: 0 < job_state(job_id).progress_done < PARAMS.orders, 60, "the job to be halfway"
    )
    first.kill_hard()
    interrupted_at = job_state(job_id).progress_done
    assert job_state(job_id).status == JobStatus.RUNNING and interrupted_at < PARAMS.orders

    second = Worker("second", tmp_path)
    workers.append(second)
    second.wait_ready()
    recovery = wait_for(
        lambda: job_state(job_id).status == JobStatus.SUCCEEDED, 120, "the job to finish"
    )
    print(
        f"\n[{backend.name}] killed at {interrupted_at:,} orders; "
        f"finished {recovery:.1f}s after the new worker started"
    )

    with session_scope() as session:
        kinds = list(
            session.scalars(select(col(JobEvent.kind)).where(col(JobEvent.job_id) == job_id))
        )
        count = session.scalar(select(func.count()).select_from(SalesOrder))
        distinct = session.scalar(select(func.count(func.distinct(SalesOrder.external_id))))
        total = session.scalar(select(func.sum(SalesOrder.total_minor)))
    expected = list(generate(end=PARAMS.end, orders=PARAMS.orders, seed=PARAMS.seed).orders())
    assert kinds.count("succeeded") == 1
    assert kinds.count("started") == 1 and kinds.count("resumed") >= 1
    assert count == distinct == PARAMS.orders  # every order, each exactly once
    assert total == sum(o.total_minor for o in expected)  # nothing lost or altered
    assert job_state(job_id).progress_done == PARAMS.orders
