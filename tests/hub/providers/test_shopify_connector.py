"""Shopify connector against its sandbox over real HTTP, on real databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cbe_app.db import session_scope
from cbe_app.demo.records import OrderRec
from cbe_app.hub.runs import SyncRun
from cbe_app.hub.sandbox.control import SandboxControl
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread
from cbe_app.jobs.runner import JobFailed
from tests.conftest import Backend
from tests.hub.connectors import assert_orders_match, connect, sync


def STATUS_OF(order: OrderRec) -> str:  # noqa: N802 - reads like the table it stands for
    """What Shopify can say of a demo order's status."""
    if order.status == "pending":  # no unpaid-order status: it is simply not fulfilled yet
        return "awaiting_fulfillment"
    if order.status == "returned" and order.payment_status != "refunded":
        return "delivered"  # a partial return leaves the order fulfilled (and delivered)
    return order.status


def test_a_sync_brings_every_order_once_and_a_second_finds_nothing_new(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    code = connect(sandbox, "shopify")
    first = sync(code)
    count = assert_orders_match(sandbox_data, "shopify", code, STATUS_OF)
    assert first == {"created": count, "updated": 0, "unchanged": 0, "quarantined": 0}
    second = sync(code)
    assert second["created"] == second["updated"] == second["quarantined"] == 0


def test_paging_follows_page_info_with_a_small_page(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cbe_app.hub.providers.shopify import client

    monkeypatch.setattr(client, "PAGE_SIZE", 7)
    code = connect(sandbox, "shopify")
    assert sync(code)["created"] == len(sandbox_data.orders("shopify"))


def test_failures_and_throttling_are_retried(backend: Backend, sandbox_data: SandboxData) -> None:
    flaky = start_in_thread(sandbox_data, SandboxControl(fail_every=3))
    try:
        code = connect(flaky, "shopify")
        assert sync(code)["created"] == len(sandbox_data.orders("shopify"))
    finally:
        flaky.stop()


def test_a_wrong_token_fails_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox
) -> None:
    code = connect(sandbox, "shopify", credentials={"access_token": "shpat_wrong"})
    with pytest.raises(JobFailed, match="shopify refused the credentials \\(401\\)"):
        sync(code)
    with session_scope() as session:  # the history says so too, instead of "running" forever
        run = session.scalars(select(SyncRun)).one()
        assert (run.status, run.finished_at is not None) == ("failed", True)
        assert "refused the credentials" in run.error
