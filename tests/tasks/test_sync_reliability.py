"""The data hub's sync under failure: real workers, Redis, databases and a sandbox over HTTP.

1. A worker killed with SIGKILL while it waits for a page: a new worker resumes the sync at
   that page (the message comes back after the visibility timeout; the lease says the run was
   interrupted) and every order ends up in the hub exactly once.
2. One record the hub cannot accept (in a sync a worker runs): it is quarantined with its
   reason and raw payload, the rest of its page and of the channel syncs, and once the cause
   is fixed (the status mapped, or the order corrected in the shop) the record is accepted.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.accounts import Account
from cbe_app.hub.catalog import Channel
from cbe_app.hub.manage import retry_held, save_status_map, status_map_of
from cbe_app.hub.orders import SalesOrder
from cbe_app.hub.providers.shopify.client import PAGE_SIZE as PAGE
from cbe_app.hub.runs import QuarantineItem, SyncRun
from cbe_app.hub.sandbox.app import build_app
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox
from cbe_app.hub.sync import run_counts, start_sync
from cbe_app.jobs.models import FINISHED, JobEvent, JobStatus
from cbe_app.reports.models import CUSTOMER_FACTS, CUSTOMERS_LOG, ORDERS_DAY, ORDERS_LOG
from tests.conftest import Backend
from tests.hub.connectors import assert_orders_match, connect, sync
from tests.hub.providers.test_shopify_connector import STATUS_OF
from tests.tasks.sandbox_tap import Order, OrdersTap, serve
from tests.tasks.workers import Worker, job_state, wait_for

Tapped = Callable[..., tuple[OrdersTap, RunningSandbox]]


@pytest.fixture
def data() -> SandboxData:
    """A fresh demo business (tests corrupt it): 680 Shopify orders, three pages."""
    return SandboxData.demo(orders=3_000, seed=11, now=utcnow())


@pytest.fixture
def tapped(data: SandboxData) -> Iterator[Tapped]:
    """Serve the sandbox of `data` behind an `OrdersTap` made with the given options."""
    running: list[tuple[OrdersTap, RunningSandbox]] = []

    def start(
        hold: int = 0, alter: Callable[[Order], None] | None = None
    ) -> tuple[OrdersTap, RunningSandbox]:
        tap = OrdersTap(build_app(data), hold=hold, alter=alter)
        running.append((tap, serve(tap)))
        return running[-1]

    yield start
    for tap, sandbox in running:
        tap.release()
        sandbox.stop()


def hub_order_ids(code: str) -> Counter[str]:
    """How many times each external id of the account's channel is in the hub."""
    with session_scope() as session:
        channel_id = session.scalar(select(col(Channel.id)).where(col(Channel.code) == code))
        ids = session.scalars(
            select(col(SalesOrder.external_id)).where(col(SalesOrder.channel_id) == channel_id)
        )
        return Counter(ids)


def held(code: str) -> list[QuarantineItem]:
    """The account's quarantined records, whatever their status."""
    with session_scope() as session:
        query = select(QuarantineItem).join(
            Account, col(Account.id) == col(QuarantineItem.account_id)
        )
        return list(session.scalars(query.where(col(Account.code) == code)))


def runs(code: str) -> list[SyncRun]:
    """The account's sync runs, oldest first."""
    with session_scope() as session:
        query = select(SyncRun).join(Account, col(Account.id) == col(SyncRun.account_id))
        query = query.where(col(Account.code) == code).order_by(col(SyncRun.id))
        return list(session.scalars(query))


def assert_rest_synced(data: SandboxData, code: str, missing: str) -> None:
    """Every order of the channel but `missing` is in the hub, exactly once."""
    expected = {item.order.external_id for item in data.orders("shopify")} - {missing}
    found = hub_order_ids(code)
    assert set(found) == expected and set(found.values()) == {1}


@pytest.mark.worker
def test_kill_9_of_a_worker_mid_page_leaves_every_order_exactly_once(
    backend: Backend, data: SandboxData, tapped: Tapped, workers: list[Worker], tmp_path: Path
) -> None:
    orders = len(data.orders("shopify"))
    assert orders > 2 * PAGE  # a page before the kill, and one after the resumed page
    tap, sandbox = tapped(hold=2)  # page 2's request waits until the worker is dead
    code = connect(sandbox, "shopify")
    first = Worker("first", tmp_path)
    workers.append(first)
    first.wait_ready()
    job_id = start_sync(code, "manual", utcnow())
    assert tap.held.wait(60), first.log.read_text()

    # Mid-sync: page 2 is being fetched. A step writes the pages it has once the next one is
    # slow to come (STEP_SECONDS), so page 1 gets committed with its cursor meanwhile.
    wait_for(lambda: job_state(job_id).progress_done == PAGE, 30, "page 1 to be committed")
    job = job_state(job_id)
    assert (job.status, job.progress_done, runs(code)[0].pages) == (JobStatus.RUNNING, PAGE, 1)
    assert hub_order_ids(code).total() == PAGE
    first.kill_hard()
    tap.release()  # its answer goes to a dead socket
    assert job_state(job_id).lease is not None  # the dead runner never handed the job back

    second = Worker("second", tmp_path)
    workers.append(second)
    second.wait_ready()
    recovery = wait_for(lambda: job_state(job_id).status in FINISHED, 90, "the sync to finish")
    print(f"\n[{backend.name}] sync finished {recovery:.1f}s after the new worker was ready")

    assert job_state(job_id).status == JobStatus.SUCCEEDED, second.log.read_text()
    assert assert_orders_match(data, "shopify", code, STATUS_OF) == orders
    [run] = runs(code)
    assert (run.status, run.created, run.updated, run.unchanged, run.quarantined) == (
        "succeeded",
        orders,
        0,
        0,
        0,
    )
    assert run.pages == -(-orders // PAGE)  # the interrupted page counted once
    assert held(code) == []
    with session_scope() as session:
        kinds = Counter(
            session.scalars(select(col(JobEvent.kind)).where(col(JobEvent.job_id) == job_id))
        )
        total = session.scalar(select(func.count()).select_from(SalesOrder))
    assert kinds["started"] == kinds["succeeded"] == 1 and kinds["resumed"] >= 1
    assert total == orders
    assert job_state(job_id).progress_done == orders
    # The compaction the finished sync queued (these workers run no beat) folds its orders.
    wait_for(lambda: logged_rows() == 0, 30, "the compaction the sync queued")
    with session_scope() as session:
        folded = session.scalar(select(func.sum(ORDERS_DAY.c.orders)))
        buyers = session.scalar(select(func.count()).select_from(CUSTOMER_FACTS))
    assert folded == orders and buyers


def logged_rows() -> int:
    """Rows in the rollup logs not folded into their sums yet."""
    with session_scope() as session:
        return sum(
            session.scalar(select(func.count()).select_from(log)) or 0
            for log in (ORDERS_LOG, CUSTOMERS_LOG)
        )


def sync_in_worker(code: str, workers: list[Worker], tmp_path: Path) -> dict[str, int]:
    """One sync of the account run by a real Celery worker; returns its run's counts."""
    worker = Worker("sync", tmp_path)
    workers.append(worker)
    worker.wait_ready()
    job_id = start_sync(code, "manual", utcnow())
    wait_for(lambda: job_state(job_id).status in FINISHED, 90, "the sync to finish")
    assert job_state(job_id).status == JobStatus.SUCCEEDED, worker.log.read_text()
    return run_counts(runs(code)[-1])


@pytest.mark.worker
def test_an_unmapped_status_is_quarantined_the_rest_syncs_and_mapping_it_accepts_the_order(
    backend: Backend, data: SandboxData, tapped: Tapped, workers: list[Worker], tmp_path: Path
) -> None:
    shopify = data.orders("shopify")
    # An order awaiting fulfilment, in the middle of page 2, arrives with a status Shopify
    # shows in its admin but the hub's map has never seen.
    bad = next(
        i.order.external_id
        for i in shopify[PAGE + 50 :]
        if STATUS_OF(i.order) == "awaiting_fulfillment"
    )

    def on_hold(order: Order) -> None:
        if str(order["id"]) == bad:
            order["fulfillment_status"] = "on_hold"

    _, sandbox = tapped(alter=on_hold)
    code = connect(sandbox, "shopify")

    result = sync_in_worker(code, workers, tmp_path)

    assert result == {"created": len(shopify) - 1, "updated": 0, "unchanged": 0, "quarantined": 1}
    assert_rest_synced(data, code, missing=bad)
    [item] = held(code)
    assert (item.kind, item.external_id, item.status) == ("order", bad, "open")
    assert item.reason == (
        "shopify order status 'on_hold' has no mapping; add it under Data hub › Status maps"
    )
    assert str(item.raw["id"]) == bad and item.raw["fulfillment_status"] == "on_hold"
    assert item.raw["line_items"] and item.raw["customer"]  # the whole payload, as received
    [run] = runs(code)
    assert (run.status, run.quarantined, run.created) == ("succeeded", 1, len(shopify) - 1)

    # The fix the hub offers: map the status, then retry the held record.
    with session_scope() as session:
        order_map = {k: v.value for k, v in status_map_of(session, "shopify").order.items()}
        order_map["on_hold"] = "awaiting_fulfillment"
        save_status_map(session, "shopify", "order", order_map, now=utcnow())
    with session_scope() as session:
        assert retry_held(session, item.id or 0, "USD", utcnow()).status == "resolved"

    assert assert_orders_match(data, "shopify", code, STATUS_OF) == len(shopify)
    with session_scope() as session:
        stored = session.scalars(select(SalesOrder).where(col(SalesOrder.external_id) == bad)).one()
    assert (stored.status, stored.provider_status) == ("awaiting_fulfillment", "on_hold")
    assert [i.status for i in held(code)] == ["resolved"]


def test_an_unreadable_order_is_quarantined_and_accepted_once_the_shop_corrects_it(
    backend: Backend, data: SandboxData, tapped: Tapped
) -> None:
    shopify = data.orders("shopify")  # the sandbox's own list: changing it changes the shop
    index = PAGE // 2
    good = shopify[index]
    lines = (dataclasses.replace(good.order.lines[0], sku=""), *good.order.lines[1:])
    shopify[index] = dataclasses.replace(good, order=dataclasses.replace(good.order, lines=lines))
    tap, sandbox = tapped()
    code = connect(sandbox, "shopify")

    result = sync(code)

    bad = good.order.external_id
    assert result == {"created": len(shopify) - 1, "updated": 0, "unchanged": 0, "quarantined": 1}
    assert_rest_synced(data, code, missing=bad)
    [item] = held(code)
    first_line = item.raw["line_items"][0]
    assert (item.kind, item.external_id, item.status) == ("order", bad, "open")
    assert item.reason == f"line item {first_line['id']} has no sku, variant_id or product_id"
    assert str(item.raw["id"]) == bad and first_line["sku"] == ""
    assert runs(code)[0].quarantined == 1

    # The hub cannot invent a SKU: the merchant fixes the order in Shopify, which marks it
    # updated; the next (incremental) sync brings the good copy and releases the held one.
    # (A sandbox renders each order once, so the shop after the fix is a new sandbox app.)
    shopify[index] = dataclasses.replace(good, updated_at=utcnow() - timedelta(seconds=31))
    shopify.sort(key=lambda i: (i.updated_at, i.index))
    tap.app = build_app(data)

    again = sync(code)

    assert (again["created"], again["updated"], again["quarantined"]) == (1, 0, 0)
    assert assert_orders_match(data, "shopify", code, STATUS_OF) == len(shopify)
    [item] = held(code)
    assert item.status == "resolved" and item.resolved_at is not None
    assert [r.status for r in runs(code)] == ["succeeded", "succeeded"]
