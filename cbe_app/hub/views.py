"""Read models of the data hub for its pages: accounts with their health, runs, quarantine.

Plain dataclasses out, so the UI never holds ORM objects. Each query reads a bounded amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from cbe_app.hub.accounts import Account
from cbe_app.hub.runs import QuarantineItem, SyncRun, WebhookEvent
from cbe_app.jobs.models import Job

# Where the money comes from first, then how goods travel, then how money arrives.
_KIND_ORDER = {"sales": 0, "carrier": 1, "payment": 2}


@dataclass(frozen=True, slots=True)
class AccountRow:
    """An account with how its syncs are doing."""

    id: int
    code: str
    name: str
    provider: str
    kind: str
    base_url: str
    enabled: bool
    last_synced_at: datetime | None
    last_status: str  # succeeded | failed | running | never
    last_error: str
    running_job: int | None
    progress_done: int
    progress_total: int
    open_quarantine: int


@dataclass(frozen=True, slots=True)
class RunRow:
    """One sync run."""

    id: int
    account: str
    provider: str
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    pages: int
    created: int
    updated: int
    unchanged: int
    quarantined: int
    error: str
    progress_done: int
    progress_total: int


@dataclass(frozen=True, slots=True)
class HeldRecord:
    """A quarantined record."""

    id: int
    account: str
    provider: str
    kind: str
    external_id: str
    reason: str
    attempts: int
    status: str
    last_seen_at: datetime
    raw: Any


def _latest_runs(session: Session) -> dict[int, tuple[SyncRun, Job | None]]:
    newest = (
        select(col(SyncRun.account_id), func.max(col(SyncRun.id)).label("run_id"))
        .group_by(col(SyncRun.account_id))
        .subquery()
    )
    rows = session.execute(
        select(SyncRun, Job)
        .join(newest, col(SyncRun.id) == newest.c.run_id)
        .outerjoin(Job, col(Job.id) == col(SyncRun.job_id))
    ).all()
    return {run.account_id: (run, job) for run, job in rows}


def _status(run: SyncRun | None, job: Job | None) -> str:
    if run is None:
        return "never"
    if job is not None and job.status == "failed":
        return "failed"
    return run.status


def accounts(session: Session) -> list[AccountRow]:
    """Every account, with its latest run and open quarantine count."""
    runs = _latest_runs(session)
    held: dict[int | None, int] = dict(
        session.execute(
            select(col(QuarantineItem.account_id), func.count())
            .where(col(QuarantineItem.status) == "open")
            .group_by(col(QuarantineItem.account_id))
        ).all()
    )
    out = []
    accounts = sorted(
        session.scalars(select(Account)), key=lambda a: (_KIND_ORDER.get(a.kind, 9), a.name.lower())
    )
    for a in accounts:
        run, job = runs.get(a.id or 0, (None, None))
        running = job.id if job is not None and job.status in ("queued", "running") else None
        out.append(
            AccountRow(
                id=a.id or 0,
                code=a.code,
                name=a.name,
                provider=a.provider,
                kind=a.kind,
                base_url=a.base_url,
                enabled=a.enabled,
                last_synced_at=a.last_synced_at,
                last_status=_status(run, job),
                last_error=(
                    job.error
                    if job is not None and job.status == "failed"
                    else (run.error if run else "")
                )[:300],
                running_job=running,
                progress_done=job.progress_done if job else 0,
                progress_total=job.progress_total if job else 0,
                open_quarantine=int(held.get(a.id, 0)),
            )
        )
    return out


def runs(session: Session, limit: int = 100, account_id: int | None = None) -> list[RunRow]:
    """The latest sync runs, newest first."""
    query = (
        select(SyncRun, Account, Job)
        .join(Account, col(Account.id) == col(SyncRun.account_id))
        .outerjoin(Job, col(Job.id) == col(SyncRun.job_id))
        .order_by(col(SyncRun.id).desc())
        .limit(limit)
    )
    if account_id is not None:
        query = query.where(col(SyncRun.account_id) == account_id)
    return [
        RunRow(
            id=r.id or 0,
            account=a.name,
            provider=a.provider,
            trigger=r.trigger,
            status=_status(r, j),
            started_at=r.started_at,
            finished_at=r.finished_at,
            pages=r.pages,
            created=r.created,
            updated=r.updated,
            unchanged=r.unchanged,
            quarantined=r.quarantined,
            error=(j.error if j is not None and j.status == "failed" else r.error)[:500],
            # A run from the command line has no job: what it brought is its progress.
            progress_done=j.progress_done if j else r.seen,
            progress_total=j.progress_total if j else 0,
        )
        for r, a, j in session.execute(query).all()
    ]


def quarantine(session: Session, status: str = "open", limit: int = 200) -> list[HeldRecord]:
    """Quarantined records, most recently seen first."""
    query = (
        select(QuarantineItem, col(Account.name))
        .outerjoin(Account, col(Account.id) == col(QuarantineItem.account_id))
        .where(col(QuarantineItem.status) == status)
        .order_by(col(QuarantineItem.last_seen_at).desc())
        .limit(limit)
    )
    return [
        HeldRecord(
            id=q.id or 0,
            account=name or "",
            provider=q.provider,
            kind=q.kind,
            external_id=q.external_id,
            reason=q.reason,
            attempts=q.attempts,
            status=q.status,
            last_seen_at=q.last_seen_at,
            raw=q.raw,
        )
        for q, name in session.execute(query).all()
    ]


def webhook_counts(session: Session) -> dict[str, int]:
    """Received webhook events by status (received, processed, failed)."""
    return dict(
        session.execute(
            select(col(WebhookEvent.status), func.count()).group_by(col(WebhookEvent.status))
        ).all()
    )
