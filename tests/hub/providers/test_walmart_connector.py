"""Walmart connector against its sandbox over real HTTP, on real databases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.demo.records import OrderRec
from cbe_app.hub.accounts import Account
from cbe_app.hub.orders import OrderTracking, SalesOrder
from cbe_app.hub.providers.base import OVERLAP, AccountConfig, Page
from cbe_app.hub.providers.walmart import client
from cbe_app.hub.providers.walmart import sandbox as walmart_sandbox
from cbe_app.hub.providers.walmart.client import CONNECTOR, WalmartClient
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl
from cbe_app.hub.sandbox.data import SandboxData, SandboxOrder
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread
from cbe_app.jobs.runner import JobFailed
from tests.conftest import Backend
from tests.hub.connectors import assert_orders_match, connect, sync


def STATUS_OF(order: OrderRec) -> str:  # noqa: N802 - reads like the table it stands for
    """What Walmart's line statuses can say of a demo order's status.

    Walmart releases an order to the seller once it is paid (Created), so nothing is pending;
    a partial refund leaves the lines Delivered (only a refunded line says Refund); a single
    unit cannot ship in part.
    """
    if order.status == "pending":
        return "awaiting_fulfillment"
    if order.status == "returned" and order.payment_status != "refunded":
        return "delivered"
    if order.status == "partially_shipped" and sum(ln.quantity for ln in order.lines) == 1:
        return "shipped"
    return order.status


class AsSynced(SandboxData):
    """The demo's Walmart orders changed before the account's first sync's window ended (the
    window stops a little before the sync started), for `assert_orders_match`."""

    def __init__(self, data: SandboxData, account_code: str) -> None:
        super().__init__(data.dataset, data.now)
        self._source = data
        with session_scope() as session:
            stored = session.scalars(select(Account).where(Account.code == account_code)).one()
            self._until = datetime.fromisoformat(stored.cursor["since"]) + OVERLAP

    def orders(self, channel: str) -> list[SandboxOrder]:
        return [i for i in self._source.orders(channel) if i.updated_at <= self._until]


class FakeClock:
    """Monotonic seconds that pass only when told."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def account(running: RunningSandbox, since: str | None = None, **settings: Any) -> AccountConfig:
    return AccountConfig(
        account_id=1,
        provider="walmart",
        base_url=f"{running.url}/walmart",
        credentials=dict(DEMO_CREDENTIALS["walmart"]),
        settings={"requests_per_second": 0, **settings},
        since=since,
    )


def ids_of(pages: list[Page]) -> list[str]:
    return [
        o["purchaseOrderId"]
        for p in pages
        for o in p.payload["list"].get("elements", {}).get("order", [])
    ]


def fetch_all(walmart: WalmartClient, config: AccountConfig) -> list[Page]:
    pages, state = [], {}
    while True:
        page = CONNECTOR.fetch(walmart, config, state, utcnow())
        pages.append(page)
        if page.done:
            return pages
        state = page.state


def test_a_sync_brings_every_order_once_and_a_second_finds_nothing_new(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    code = connect(sandbox, "walmart")
    first = sync(code)
    count = assert_orders_match(AsSynced(sandbox_data, code), "walmart", code, STATUS_OF)
    assert first == {"created": count, "updated": 0, "unchanged": 0, "quarantined": 0}
    second = sync(code)  # nothing changed since: Walmart answers 404 CONTENT_NOT_FOUND
    assert second["created"] == second["updated"] == second["quarantined"] == 0


def test_tracking_numbers_arrive_with_their_carriers(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    code = connect(sandbox, "walmart")
    sync(code)
    expected = {
        (i.order.external_id, i.order.shipment.tracking_number, i.order.shipment.carrier_code)
        for i in AsSynced(sandbox_data, code).orders("walmart")
        if i.order.shipment is not None and i.order.status != "cancelled"
    }
    with session_scope() as session:
        rows = session.execute(
            select(
                SalesOrder.external_id, OrderTracking.tracking_number, OrderTracking.carrier
            ).join(OrderTracking, OrderTracking.order_id == SalesOrder.id)
        ).all()
    assert {tuple(r) for r in rows} == expected
    assert {carrier for *_, carrier in expected} >= {"fedex", "dhl"}


def test_paging_follows_next_cursor_with_a_small_page(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client, "PAGE_SIZE", 7)
    code = connect(sandbox, "walmart")
    created = sync(code)["created"]
    assert created == assert_orders_match(AsSynced(sandbox_data, code), "walmart", code, STATUS_OF)


def test_failures_and_throttling_are_retried(backend: Backend, sandbox_data: SandboxData) -> None:
    flaky = start_in_thread(sandbox_data, SandboxControl(fail_every=3))
    try:
        code = connect(flaky, "walmart")
        created = sync(code)["created"]
        assert created == len(AsSynced(sandbox_data, code).orders("walmart"))
    finally:
        flaky.stop()


def test_wrong_credentials_fail_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox
) -> None:
    wrong = {**DEMO_CREDENTIALS["walmart"], "client_secret": "not-the-secret"}
    code = connect(sandbox, "walmart", credentials=wrong)
    with pytest.raises(JobFailed, match=r"walmart refused the credentials \(401\).*UNAUTHORIZED"):
        sync(code)


def test_the_incremental_filter_returns_only_later_changes_and_reports_the_total(
    sandbox: RunningSandbox, sandbox_data: SandboxData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "PAGE_SIZE", 10)
    orders = sandbox_data.orders("walmart")
    since = orders[len(orders) // 2].updated_at
    expected = sorted(i.order.external_id for i in orders if i.updated_at >= since)
    config = account(sandbox, since=since.isoformat())
    with CONNECTOR.open(config) as walmart:
        pages = fetch_all(walmart, config)
    assert sorted(ids_of(pages)) == expected
    assert {p.total for p in pages} == {len(expected)}
    assert len(pages) == -(-len(expected) // 10)


def test_an_expired_token_is_renewed_and_the_call_retried(
    sandbox_data: SandboxData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "PAGE_SIZE", 5)
    clock = FakeClock()
    running = start_in_thread(sandbox_data, SandboxControl(clock=clock))
    try:
        config = account(running)
        with CONNECTOR.open(config) as walmart:
            first = CONNECTOR.fetch(walmart, config, {}, utcnow())
            clock.now += walmart_sandbox.TOKEN_SECONDS + 1  # Walmart now refuses the token
            second = CONNECTOR.fetch(walmart, config, first.state, utcnow())
            assert walmart.tokens_fetched == 2
        assert len(set(ids_of([first, second]))) == 10
    finally:
        running.stop()


def test_requests_without_walmarts_headers_or_token_are_refused_like_walmart(
    sandbox: RunningSandbox,
) -> None:
    url = f"{sandbox.url}/walmart/v3/orders"
    missing = httpx.get(url, headers={"WM_SEC.ACCESS_TOKEN": "x"})
    assert missing.status_code == 400
    assert missing.json()["errors"]["error"][0]["code"] == "INVALID_REQUEST_HEADER.GMP_GATEWAY_API"
    headers = {"WM_SVC.NAME": "Walmart Marketplace", "WM_QOS.CORRELATION_ID": "1"}
    refused = httpx.get(url, headers={**headers, "WM_SEC.ACCESS_TOKEN": "forged"})
    assert refused.status_code == 401
    assert refused.json()["errors"]["error"][0]["code"] == "UNAUTHORIZED.GMP_GATEWAY_API"
