"""Syncing an account: a job whose every step fetches one page, maps it and writes it.

Each step commits the page's records, its quarantine entries, the sync run's counts and the
connector's paging state together (see `jobs.runner`), so a sync killed anywhere resumes at
the next page and never writes a record twice. The account's incremental cursor moves only
when the sync completes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, union
from sqlmodel import Session, col

from cbe_app.changes import FACTS
from cbe_app.core.errors import NotFound, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.db import session_scope
from cbe_app.hub import readahead
from cbe_app.hub.accounts import Account
from cbe_app.hub.ingest.context import IngestContext, IngestSummary
from cbe_app.hub.ingest.page import NormalisedPage, write_page
from cbe_app.hub.ingest.rules import ingest_context
from cbe_app.hub.memory import relaxed_gc
from cbe_app.hub.orders import OrderTracking, Shipment
from cbe_app.hub.providers.base import AccountConfig
from cbe_app.hub.providers.http import ProviderAuthError, ProviderClient, ProviderError
from cbe_app.hub.providers.registry import provider
from cbe_app.hub.readahead import PreparedPage, prepare_page
from cbe_app.hub.runs import SyncRun
from cbe_app.hub.secrets import unseal
from cbe_app.jobs.models import Job, JobStatus
from cbe_app.jobs.runner import JobFailed, JobView, Step, StepFn, run_inline
from cbe_app.jobs.service import enqueue

SYNC_TASK = "cbe.hub.sync"
SYNC_TITLE = N_("Sync account")
_CLIENT_TTL = 600.0
STEP_RECORDS = 2500  # records written per step (one transaction), when pages come fast
STEP_SECONDS = 2.0  # ... or as many as arrive in this time
_clients: dict[tuple[Any, ...], tuple[ProviderClient, float]] = {}


def account_config(account: Account) -> AccountConfig:
    """Where and how to reach an account, secrets decrypted."""
    return AccountConfig(
        account_id=account.id or 0,
        provider=account.provider,
        base_url=account.base_url,
        credentials=unseal(account.credentials),
        settings=dict(account.settings),
        since=account.cursor.get("since"),
    )


def _client(account: Account, config: AccountConfig) -> ProviderClient:
    # Reused across a sync's steps in this worker process: its access token stays valid. Any
    # change to the account (address, secrets) makes a new key, so a stale client is never used.
    key = (os.getpid(), account.id, account.version, account.base_url, account.credentials)
    cached = _clients.get(key)
    if cached and time.monotonic() - cached[1] < _CLIENT_TTL:
        return cached[0]
    client = provider(account.provider).connector().open(config)
    _clients[key] = (client, time.monotonic())
    return client


def find_account(session: Session, ref: str | int) -> Account:
    """An account by id or code."""
    text = str(ref).strip()
    query = (
        select(Account).where(col(Account.id) == int(text))
        if text.isdigit()
        else select(Account).where(col(Account.code) == text)
    )
    account = session.scalars(query).first()
    if account is None:
        raise NotFound(what=f"Account {text}")
    return account


def sync_step(base_currency: str) -> StepFn:
    """The job step of a sync (see the module docstring)."""

    def step(session: Session, job: JobView, now: datetime) -> Step:
        run = session.get(SyncRun, int(job.params["run_id"]))
        account = session.get(Account, int(job.params["account_id"]))
        if run is None or account is None:
            raise JobFailed("The account or its sync run no longer exists")
        config = account_config(account)
        connector = provider(account.provider).connector()
        state = dict(job.cursor)
        tracks_numbers = getattr(connector, "tracks_numbers", False)
        if tracks_numbers:
            batch = int(getattr(connector, "batch_size", 30))
            state["numbers"] = next_numbers(session, account, state.get("after"), batch)
            if not state["numbers"]:
                complete_run(account, run, None, now)
                return Step(
                    cursor=state,
                    done=run.seen,
                    total=run.seen,
                    message=N_("Synced"),
                    finished=True,
                    result=run_counts(run),
                )
            state["after"] = state["numbers"][-1]
        ctx = ingest_context(session, account, base_currency, now)
        before = run.created + run.updated
        target = _Target(run, account, config, ctx, reads_ahead=not tracks_numbers)
        with relaxed_gc():
            page = _write_pages(session, target, state, now)
        seen = run.seen
        if page is None:  # the next page is still on its way: nothing to write yet
            return Step(cursor=state, done=seen, total=0, message=N_("Syncing"))
        wrote = run.created + run.updated > before
        return Step(
            cursor=page.state,
            done=seen,
            total=max(page.total, seen) if page.total else 0,  # 0: the provider never said
            message=N_("Synced") if page.done else N_("Syncing"),
            finished=page.done,
            result=run_counts(run),
            changed=(FACTS,) if wrote else (),  # open dashboards refresh
        )

    return step


@dataclass(frozen=True, slots=True)
class _Target:
    """What a sync step writes into and with which rules."""

    run: SyncRun
    account: Account
    config: AccountConfig
    ctx: IngestContext
    # Carrier lookups choose their numbers from the database each step: one batch per step,
    # never read ahead (the next batch depends on what this one wrote).
    reads_ahead: bool


def _write_pages(
    session: Session, target: _Target, state: dict[str, Any], now: datetime
) -> PreparedPage | None:
    """Fetch pages until about STEP_RECORDS records are in, write them at once; the last page.

    None when the read-ahead helper is still fetching the first page after STEP_SECONDS: the
    step ends without writing, so that the job stays responsive to its runner (progress, time
    limits), and the next step takes the page.

    A few large writes cost the database and the driver much less than many small ones.
    Carrier lookups take one batch of numbers per step (the next batch depends on what this one
    wrote). A provider error after the first page ends the batch early: its pages are written,
    and the next step meets the error again, with the usual retries.
    """
    run, started = target.run, time.monotonic()
    batch: list[PreparedPage] = []
    records = 0
    while True:
        left = max(0.0, STEP_SECONDS - (time.monotonic() - started))
        try:
            page = _page(target, state, now, left)
        except readahead.NotReady:
            if not batch:
                return None
            break  # the provider is slow: write what came, show progress, then wait on
        except ProviderError as exc:  # from the step's own fetch (see `readahead`)
            if batch and exc.retryable:
                break
            if isinstance(exc, ProviderAuthError) or not exc.retryable:
                raise JobFailed(str(exc)) from exc
            raise
        batch.append(page)
        records += page.records.size
        if (
            page.done
            or not target.reads_ahead
            or records >= STEP_RECORDS
            or time.monotonic() - started >= STEP_SECONDS
        ):
            break
        state = dict(page.state)
    written = write_page(session, NormalisedPage.joined([p.records for p in batch]), target.ctx)
    count_page(run, written, pages=len(batch))
    last = batch[-1]
    if last.done:
        # The rollup logs are folded by a compaction task queued once the job is done (see
        # `tasks.hub.sync`), not here: the sync's last step would hold its job for it.
        complete_run(target.account, run, last.next_since, now)
    return last


def _page(target: _Target, state: dict[str, Any], now: datetime, wait: float) -> PreparedPage:
    """The page at `state`, prepared by the run's read-ahead helper if it has one.

    A page the step had to prepare itself (the first, or after the helper was given up) starts
    a helper at the page after it; a single-page sync never starts one. Raises
    `readahead.NotReady` if the helper has not brought the page within `wait` seconds.
    """
    run_id, account, config, ctx = target.run.id or 0, target.account, target.config, target.ctx
    page = readahead.take_prepared(run_id, config, state, ctx, wait) if target.reads_ahead else None
    if page is None:
        client = _client(account, config)
        page = prepare_page(config, client, state, now, ctx)
        if target.reads_ahead and not page.done:
            readahead.read_ahead(run_id, config, page.state, ctx, (now, client))
    if page.done:
        readahead.close(run_id)
    return page


def count_page(run: SyncRun, summary: IngestSummary, pages: int = 1) -> None:
    """Add the counts of a page (or of `pages` pages written together) to its run."""
    run.pages += pages
    run.created += summary.created
    run.updated += summary.updated
    run.unchanged += summary.unchanged
    run.quarantined += summary.quarantined


def next_numbers(session: Session, account: Account, after: str | None, limit: int) -> list[str]:
    """The next tracking numbers (in order, after `after`) a carrier account should look up.

    Parcels of this carrier that have not reached an end state, and numbers channels reported
    for this carrier that the hub has not tracked yet.
    """
    open_parcels = select(col(Shipment.tracking_number)).where(
        col(Shipment.carrier_id) == account.carrier_id,
        col(Shipment.status).not_in(["delivered", "returned"]),
    )
    tracked = select(col(Shipment.tracking_number)).where(
        col(Shipment.carrier_id) == account.carrier_id
    )
    reported = select(col(OrderTracking.tracking_number)).where(
        col(OrderTracking.carrier) == account.provider,
        col(OrderTracking.tracking_number).not_in(tracked),
    )
    numbers = union(open_parcels, reported).subquery()
    query = select(numbers.c.tracking_number).order_by(numbers.c.tracking_number).limit(limit)
    if after:
        query = query.where(numbers.c.tracking_number > after)
    return list(session.scalars(query))


def run_counts(run: SyncRun) -> dict[str, int]:
    """The run's counts, as `import` and `sync` print them."""
    return {
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "quarantined": run.quarantined,
    }


def complete_run(account: Account, run: SyncRun, next_since: str | None, now: datetime) -> None:
    """Mark the run succeeded; the account's cursor moves on to `next_since` when given."""
    if next_since:
        account.cursor = {**account.cursor, "since": next_since}
    account.last_synced_at = now
    account.updated_at = now
    run.status, run.finished_at, run.cursor_end = "succeeded", now, dict(account.cursor)


def new_run(session: Session, account: Account, trigger: str, now: datetime) -> SyncRun:
    """Record the start of a sync."""
    run = SyncRun(
        account_id=account.id or 0,
        trigger=trigger,
        started_at=now,
        cursor_start=dict(account.cursor),
    )
    session.add(run)
    session.flush()
    return run


def running_job(session: Session, account_id: int) -> int | None:
    """The job of a sync of this account that is still queued or running, if any."""
    query = (
        select(col(Job.id))
        .join(SyncRun, col(SyncRun.job_id) == col(Job.id))
        .where(
            col(SyncRun.account_id) == account_id,
            col(Job.status).in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        )
    )
    found = session.scalar(query)
    return int(found) if found is not None else None


def start_sync(
    account_ref_: str | int, trigger: str, now: datetime, user_id: int | None = None
) -> int:
    """Queue a sync of an account (or return the one already under way); returns the job id."""
    with session_scope() as session:
        account = find_account(session, account_ref_)
        if not provider(account.provider).pulls:
            raise ValidationFailed(
                {"account": account.code},
                N_("{name} receives uploaded files; import a file instead of syncing it."),
                name=account.name,
            )
        running = running_job(session, account.id or 0)
        if running is not None:
            return running
        run = new_run(session, account, trigger, now)
        params: dict[str, Any] = {"account_id": account.id, "run_id": run.id}
        run_id = run.id
    job_id = enqueue(
        SYNC_TASK, SYNC_TITLE, params, now=now, user_id=user_id, dedupe_key=f"sync-run:{run_id}"
    )
    with session_scope() as session:
        stored = session.get(SyncRun, run_id)
        if stored is not None:
            stored.job_id = job_id
    return job_id


def fail_sync(job_id: int, error: str, now: datetime) -> None:
    """Record on the sync run that its job failed for good."""
    with session_scope() as session:
        run = session.scalars(select(SyncRun).where(col(SyncRun.job_id) == job_id)).first()
        _mark_failed(run, error, now)


def _mark_failed(run: SyncRun | None, error: str, now: datetime) -> None:
    if run is not None and run.status == "running":
        run.status, run.finished_at, run.error = "failed", now, error[:2000]


def start_due_syncs(now: datetime) -> int:
    """Queue a sync for every enabled account whose interval has passed; returns how many."""
    with session_scope() as session:
        accounts = session.scalars(select(Account).where(col(Account.enabled).is_(True))).all()
        due = [
            a.id
            for a in accounts
            if provider(a.provider).pulls  # file imports arrive when someone uploads one
            and (
                a.last_synced_at is None
                or (now - a.last_synced_at).total_seconds() >= a.sync_every_minutes * 60
            )
        ]
    for account_id in due:
        start_sync(account_id or 0, "schedule", now)
    return len(due)


def sync_now(
    account_ref_: str | int,
    base_currency: str,
    clock: Callable[[], datetime],
    progress: Callable[[Step], None] | None = None,
) -> dict[str, int]:
    """Run a whole sync in this process (the CLI's `sync`): same steps as the background job."""
    with session_scope() as session:
        account = find_account(session, account_ref_)
        run = new_run(session, account, "cli", clock())
        params = {"account_id": account.id, "run_id": run.id}
        run_id = run.id
    try:
        step = run_inline(sync_step(base_currency), params, clock=clock, progress=progress)
    except Exception as exc:
        readahead.close(run_id or 0)
        # The history must not show a run "running" forever: it failed, and says why.
        with session_scope() as session:
            _mark_failed(session.get(SyncRun, run_id), str(exc), clock())
        raise
    return dict(step.result)
