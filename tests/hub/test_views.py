"""Data hub read models: accounts with their latest run and open quarantine, runs, quarantine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from cbe_app.db import session_scope
from cbe_app.hub import views
from cbe_app.hub.accounts import Account
from cbe_app.hub.connect import connect_account
from cbe_app.hub.runs import QuarantineItem, SyncRun, WebhookEvent
from cbe_app.jobs.models import Job
from tests.conftest import Backend

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def account(session: Session, code: str, name: str, provider: str) -> int:
    return (
        connect_account(
            session,
            code=code,
            name=name,
            provider_name=provider,
            base_url=f"https://{code}.example/",
            credentials={},
            now=NOW,
        ).id
        or 0
    )


def run(session: Session, account_id: int, job: Job | None = None, **fields: Any) -> int:
    if job is not None:
        session.add(job)
        session.flush()
    row = SyncRun(account_id=account_id, job_id=job.id if job else None, trigger="schedule")
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return row.id or 0


def job(status: str, error: str = "", done: int = 0, total: int = 0) -> Job:
    return Job(
        task="cbe.hub.sync",
        title="Sync",
        status=status,
        error=error,
        progress_done=done,
        progress_total=total,
    )


def held(
    session: Session, account_id: int | None, key: str, status: str = "open", age: int = 0
) -> None:
    session.add(
        QuarantineItem(
            account_id=account_id,
            provider="shopify",
            kind="order",
            record_key=key,
            external_id=key,
            reason=f"{key} is bad",
            raw={"id": key},
            status=status,
            attempts=2,
            last_seen_at=NOW - timedelta(minutes=age),
        )
    )


@pytest.fixture
def hub(backend: Backend) -> dict[str, int]:
    """Five accounts: two shops, a carrier, a payment provider; each in a different state."""
    with session_scope() as session:
        ids = {
            "stripe": account(session, "stripe", "Stripe", "stripe"),
            "fedex": account(session, "fedex", "FedEx", "fedex"),
            "zeta": account(session, "zeta", "zeta shop", "shopify"),
            "alpha": account(session, "alpha", "Alpha Store", "woocommerce"),
            "beta": account(session, "beta", "Beta Market", "ebay"),
        }
        # Alpha: an old failed run, then a newer successful one (only the newest counts).
        run(session, ids["alpha"], status="failed", error="old failure")
        run(session, ids["alpha"], job("succeeded", done=4, total=4), status="succeeded", pages=4)
        # Zeta: its run still says running but its job failed (the worker died).
        run(session, ids["zeta"], job("failed", "x" * 400, 2, 9), status="running", error="ignored")
        # FedEx: a sync in progress.
        run(session, ids["fedex"], job("running", done=3, total=10), status="running")
        # Stripe: a run without a job (started from the CLI) that failed.
        run(session, ids["stripe"], status="failed", error="401 Unauthorized")
        held(session, ids["zeta"], "Z-1")
        held(session, ids["zeta"], "Z-2", age=5)
        held(session, ids["zeta"], "Z-3", status="resolved")
        held(session, ids["alpha"], "A-1", status="dismissed")
        held(session, ids["fedex"], "F-1", age=1)
        held(session, None, "ORPHAN", age=2)  # its account was deleted
    return ids


def test_accounts_sales_first_then_carriers_then_payments_by_name(hub: dict[str, int]) -> None:
    with session_scope() as session:
        rows = views.accounts(session)
    assert [(r.kind, r.name) for r in rows] == [
        ("sales", "Alpha Store"),
        ("sales", "Beta Market"),
        ("sales", "zeta shop"),
        ("carrier", "FedEx"),
        ("payment", "Stripe"),
    ]
    alpha = rows[0]
    assert (alpha.id, alpha.code, alpha.provider, alpha.base_url, alpha.enabled) == (
        hub["alpha"],
        "alpha",
        "woocommerce",
        "https://alpha.example",
        True,
    )


def test_each_account_shows_its_newest_run_and_its_job(hub: dict[str, int]) -> None:
    with session_scope() as session:
        rows = {r.code: r for r in views.accounts(session)}
    health = {
        code: (r.last_status, r.last_error, r.running_job, r.progress_done, r.progress_total)
        for code, r in rows.items()
        if code != "zeta"
    }
    fedex_job = rows["fedex"].running_job
    assert fedex_job is not None
    assert health == {
        "alpha": ("succeeded", "", None, 4, 4),
        "beta": ("never", "", None, 0, 0),
        "fedex": ("running", "", fedex_job, 3, 10),
        "stripe": ("failed", "401 Unauthorized", None, 0, 0),
    }
    zeta = rows["zeta"]  # the job's failure wins over the run's stale "running"
    assert (zeta.last_status, zeta.last_error, zeta.running_job) == ("failed", "x" * 300, None)
    assert rows["beta"].last_synced_at is None


def test_open_quarantine_is_counted_per_account(hub: dict[str, int]) -> None:
    with session_scope() as session:
        counts = {r.code: r.open_quarantine for r in views.accounts(session)}
    assert counts == {"alpha": 0, "beta": 0, "zeta": 2, "fedex": 1, "stripe": 0}


def test_a_queued_job_is_running_and_an_account_without_runs_has_none(backend: Backend) -> None:
    with session_scope() as session:
        shop = account(session, "shop", "Shop", "shopify")
        run(session, shop, job("queued"))
    with session_scope() as session:
        (row,) = views.accounts(session)
        assert row.last_status == "running" and row.running_job is not None
    with session_scope() as session:
        session.add(Account(code="bare", name="Bare", provider="x", kind="other", base_url=""))
    with session_scope() as session:
        assert [r.code for r in views.accounts(session)] == ["shop", "bare"]  # unknown kind last


def test_runs_newest_first_with_the_jobs_state(hub: dict[str, int]) -> None:
    with session_scope() as session:
        rows = views.runs(session)
    assert [(r.account, r.status) for r in rows] == [
        ("Stripe", "failed"),
        ("FedEx", "running"),
        ("zeta shop", "failed"),
        ("Alpha Store", "succeeded"),
        ("Alpha Store", "failed"),
    ]
    stripe, fedex, zeta, alpha, _ = rows
    assert (stripe.error, stripe.provider, stripe.trigger) == (
        "401 Unauthorized",
        "stripe",
        "schedule",
    )
    assert (fedex.progress_done, fedex.progress_total, fedex.finished_at) == (3, 10, None)
    assert zeta.error == "x" * 400  # up to 500 characters here
    assert (alpha.pages, alpha.created, alpha.quarantined) == (4, 0, 0)
    assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True)


def test_runs_of_one_account_and_a_limit(hub: dict[str, int]) -> None:
    with session_scope() as session:
        alpha = views.runs(session, account_id=hub["alpha"])
        newest = views.runs(session, limit=2)
        beta = views.runs(session, account_id=hub["beta"])
    assert [(r.account, r.status, r.error) for r in alpha] == [
        ("Alpha Store", "succeeded", ""),
        ("Alpha Store", "failed", "old failure"),
    ]
    assert [r.account for r in newest] == ["Stripe", "FedEx"] and beta == []


def test_quarantine_lists_one_status_most_recently_seen_first(hub: dict[str, int]) -> None:
    with session_scope() as session:
        open_items = views.quarantine(session)
        resolved = views.quarantine(session, status="resolved")
        two = views.quarantine(session, limit=2)
    assert [(q.external_id, q.account) for q in open_items] == [
        ("Z-1", "zeta shop"),
        ("F-1", "FedEx"),
        ("ORPHAN", ""),
        ("Z-2", "zeta shop"),
    ]
    first = open_items[0]
    assert (first.provider, first.kind, first.reason, first.attempts, first.status) == (
        "shopify",
        "order",
        "Z-1 is bad",
        2,
        "open",
    )
    assert (first.raw, first.last_seen_at) == ({"id": "Z-1"}, NOW)
    assert [q.external_id for q in resolved] == ["Z-3"]
    assert [q.external_id for q in two] == ["Z-1", "F-1"]


def test_webhook_counts_by_status(backend: Backend) -> None:
    with session_scope() as session:
        assert views.webhook_counts(session) == {}
        for n, status in enumerate(["received", "processed", "processed", "failed", "processed"]):
            session.add(WebhookEvent(provider="shopify", event_id=f"e{n}", status=status))
    with session_scope() as session:
        assert views.webhook_counts(session) == {"received": 1, "processed": 3, "failed": 1}


def test_a_run_without_a_job_shows_what_it_brought_as_its_progress(backend: Backend) -> None:
    with session_scope() as session:
        shop = account(session, "shop", "Shop", "shopify")
        run(session, shop, status="succeeded", created=7, updated=2, unchanged=3, quarantined=1)
    with session_scope() as session:
        (row,) = views.runs(session)
    assert (row.progress_done, row.progress_total) == (13, 0)  # `python -m cbe_app sync`
