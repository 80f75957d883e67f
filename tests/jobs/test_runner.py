from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from cbe_app.changes import CHANNEL, Change
from cbe_app.db import session_scope
from cbe_app.jobs.models import Job, JobEvent, JobStatus
from cbe_app.jobs.runner import MAX_ATTEMPTS, JobFailed, JobView, Outcome, Step, run_job
from cbe_app.jobs.service import enqueue, list_jobs, redispatch_stalled
from cbe_app.redis_client import get_redis
from tests.conftest import Backend

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


class Effect:
    """A step function that counts to `total` in steps of `size`, recording what it did."""

    def __init__(self, total: int = 10, size: int = 3) -> None:
        self.total, self.size = total, size
        self.calls: list[int] = []

    def __call__(self, session: Session, job: JobView, now: datetime) -> Step:
        start = int(job.cursor.get("next", 0))
        stop = min(start + self.size, self.total)
        self.calls.append(start)
        return Step(
            {"next": stop},
            stop,
            self.total,
            "counting",
            finished=stop >= self.total,
            result={"counted": stop},
        )


def new_job(sent: list[tuple[str, int]] | None = None, **kwargs: Any) -> int:
    record = sent if sent is not None else []
    return enqueue(
        "cbe.test.count",
        "Count",
        {"n": 1},
        now=NOW,
        send=lambda task, job_id: record.append((task, job_id)),
        **kwargs,
    )


def events(job_id: int) -> list[str]:
    with session_scope() as session:
        rows = session.scalars(
            select(JobEvent.kind).where(JobEvent.job_id == job_id).order_by(JobEvent.id)
        )
        return list(rows)


def job(job_id: int) -> Job:
    with session_scope() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found


def test_enqueue_records_then_sends_and_dedupes(backend: Backend) -> None:
    sent: list[tuple[str, int]] = []
    first = new_job(sent, dedupe_key="demo:first")
    again = new_job(sent, dedupe_key="demo:first")
    assert first == again
    assert sent == [("cbe.test.count", first)]
    assert job(first).status == JobStatus.QUEUED
    assert events(first) == ["queued"]


def test_a_job_runs_to_the_end_in_committed_steps(backend: Backend) -> None:
    job_id = new_job()
    effect = Effect()
    assert run_job(job_id, effect) is Outcome.FINISHED
    done = job(job_id)
    assert done.status == JobStatus.SUCCEEDED
    assert (done.progress_done, done.progress_total) == (10, 10)
    assert done.result == {"counted": 10} and done.lease is None
    assert effect.calls == [0, 3, 6, 9]
    assert events(job_id) == ["queued", "started", "succeeded"]
    with session_scope() as session:
        assert list_jobs(session)[0].percent == 100


def test_a_spent_budget_continues_without_counting_an_attempt(backend: Backend) -> None:
    job_id = new_job()
    effect = Effect()
    outcomes = [run_job(job_id, effect, budget_seconds=0) for _ in range(4)]
    assert outcomes == [Outcome.CONTINUE] * 3 + [Outcome.FINISHED]
    assert effect.calls == [0, 3, 6, 9]
    assert job(job_id).attempts == 1
    assert run_job(job_id, effect) is Outcome.FINISHED  # a late duplicate message does nothing
    assert effect.calls == [0, 3, 6, 9]


def test_a_runner_that_dies_mid_step_is_resumed_from_the_last_commit(backend: Backend) -> None:
    job_id = new_job()

    class Killed(BaseException):
        """Stands in for SIGKILL: nothing after it runs, not even `except Exception`."""

    effect = Effect()

    def dies_in_third_step(session: Session, view: JobView, now: datetime) -> Step:
        if view.cursor.get("next") == 6:
            raise Killed
        return effect(session, view, now)

    with pytest.raises(Killed):
        run_job(job_id, dies_in_third_step)
    assert job(job_id).lease is not None  # left behind, as by a killed process
    assert run_job(job_id, effect) is Outcome.FINISHED
    assert effect.calls == [0, 3, 6, 9]  # step 6 ran exactly once to completion
    assert events(job_id) == ["queued", "started", "resumed", "succeeded"]
    assert job(job_id).attempts == 2


def test_a_second_runner_is_turned_away_while_the_first_holds_the_job(backend: Backend) -> None:
    job_id = new_job()
    lock = get_redis().lock(f"cbe:lock:job:{job_id}", timeout=5)
    assert lock.acquire(blocking=False)
    try:
        assert run_job(job_id, Effect()) is Outcome.BUSY
    finally:
        lock.release()
    assert job(job_id).status == JobStatus.QUEUED


def test_errors_count_attempts_until_the_job_gives_up(backend: Backend) -> None:
    job_id = new_job()

    def broken(session: Session, view: JobView, now: datetime) -> Step:
        raise ConnectionError("provider unreachable")

    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(ConnectionError):
            run_job(job_id, broken)
    assert run_job(job_id, broken) is Outcome.FINISHED
    failed = job(job_id)
    assert failed.status == JobStatus.FAILED
    assert "Gave up" in failed.error
    assert events(job_id).count("retrying") == MAX_ATTEMPTS


def test_a_final_error_fails_the_job_with_its_message_and_keeps_no_partial_step(
    backend: Backend,
) -> None:
    job_id = new_job()

    def refuses(session: Session, view: JobView, now: datetime) -> Step:
        session.add(Job(task="x", title="should be rolled back", params={}))
        raise JobFailed("The file has no header row")

    assert run_job(job_id, refuses) is Outcome.FINISHED
    assert job(job_id).error == "The file has no header row"
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 1


def test_progress_is_published_for_live_pages(backend: Backend) -> None:
    pubsub = get_redis().pubsub()
    pubsub.subscribe(CHANNEL)
    pubsub.get_message(timeout=1)  # the subscription confirmation
    job_id = new_job()
    run_job(job_id, Effect(total=4, size=2))
    seen = []
    while (message := pubsub.get_message(timeout=0.5)) is not None:
        seen.append(Change.decode(message["data"]))
    pubsub.close()
    assert Change("jobs", (str(job_id),)) in seen
    assert len(seen) >= 3  # queued, and each of the two steps


def test_stalled_jobs_are_sent_again(backend: Backend) -> None:
    stalled, fresh = new_job(), new_job()
    with session_scope() as session:
        old = session.get(Job, stalled)
        assert old is not None
        old.updated_at = NOW - timedelta(minutes=10)
    sent: list[tuple[str, int]] = []
    assert redispatch_stalled(NOW, send=lambda t, i: sent.append((t, i))) == 1
    assert sent == [("cbe.test.count", stalled)]
    assert fresh != stalled
