"""Amazon connector against its sandbox over real HTTP, on real databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.demo.records import OrderRec
from cbe_app.hub.accounts import Account
from cbe_app.hub.providers.amazon import client
from cbe_app.hub.providers.amazon import sandbox as amazon_sandbox
from cbe_app.hub.providers.amazon.client import CONNECTOR, STEP_SECONDS
from cbe_app.hub.providers.amazon.common import MARKETPLACES
from cbe_app.hub.providers.amazon.render import DEMO_MARKETPLACES, marketplace_of
from cbe_app.hub.providers.amazon.session import SpApiSession
from cbe_app.hub.providers.base import OVERLAP, AccountConfig, Page
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl
from cbe_app.hub.sandbox.data import SandboxData, SandboxOrder
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread
from cbe_app.jobs.runner import JobFailed
from tests.conftest import Backend
from tests.hub.connectors import assert_orders_match, connect, sync

EVERY_MARKETPLACE = {"marketplace_ids": list(DEMO_MARKETPLACES)}
US = "ATVPDKIKX0DER"


def STATUS_OF(order: OrderRec) -> str:  # noqa: N802 - reads like the table it stands for
    """What Orders API v0 can say of a demo order's status.

    v0 has no delivered or returned order status: a delivered parcel leaves the order
    Shipped, and returns and refunds live in the Returns and Finances APIs, not on the order.
    """
    if order.status in ("delivered", "returned"):
        return "shipped"
    return order.status


def as_amazon_reports(item: SandboxOrder) -> SandboxOrder:
    """A demo order as v0 reports it: a Pending order is not priced yet (no OrderTotal, items
    without prices), and Pending and Canceled orders have no ShippingAddress, so their country
    is their marketplace's."""
    order = item.order
    changes: dict[str, Any] = {}
    if order.status == "pending":
        unpriced = tuple(replace(line, unit_price_minor=0) for line in order.lines)
        changes |= {"lines": unpriced, "total_minor": 0, "shipping_minor": 0}
    if order.status in ("pending", "cancelled"):
        changes["country"] = MARKETPLACES[marketplace_of(item)][1]
    return replace(item, order=replace(order, **changes)) if changes else item


class AsAmazonReports(SandboxData):
    """The demo business as Amazon reported it to the account's first sync, for
    `assert_orders_match`: the sync's window ends at least two minutes before it ran (Amazon
    refuses a later LastUpdatedBefore), so an order changed after that waits for the next."""

    def __init__(
        self,
        data: SandboxData,
        account_code: str,
        marketplaces: tuple[str, ...] = DEMO_MARKETPLACES,
    ) -> None:
        super().__init__(data.dataset, data.now)
        self._source, self._marketplaces = data, marketplaces
        with session_scope() as session:
            cursor = session.scalars(select(Account).where(Account.code == account_code)).one()
            self._until = datetime.fromisoformat(cursor.cursor["since"]) + OVERLAP

    def orders(self, channel: str) -> list[SandboxOrder]:
        return [
            as_amazon_reports(item)
            for item in self._source.orders(channel)
            if item.updated_at <= self._until and marketplace_of(item) in self._marketplaces
        ]


class FakeClock:
    """Monotonic seconds that pass only when something sleeps."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def account(running: RunningSandbox, since: str | None = None, **settings: Any) -> AccountConfig:
    return AccountConfig(
        account_id=1,
        provider="amazon",
        base_url=f"{running.url}/amazon",
        credentials=dict(DEMO_CREDENTIALS["amazon"]),
        settings={"requests_per_second": 0, **EVERY_MARKETPLACE, **settings},
        since=since,
    )


def fetch_all(session: SpApiSession, config: AccountConfig) -> list[Page]:
    pages, state = [], {}
    while True:
        page = CONNECTOR.fetch(session, config, state, utcnow())
        pages.append(page)
        if page.done:
            return pages
        state = page.state


def ids_of(pages: list[Page]) -> list[str]:
    return [o["AmazonOrderId"] for p in pages for o in p.payload["payload"]["Orders"]]


def test_a_sync_brings_every_order_once_and_a_second_finds_nothing_new(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    code = connect(sandbox, "amazon", settings=EVERY_MARKETPLACE)
    first = sync(code)
    reported = AsAmazonReports(sandbox_data, code)
    count = assert_orders_match(reported, "amazon", code, STATUS_OF)
    assert first == {"created": count, "updated": 0, "unchanged": 0, "quarantined": 0}
    second = sync(code)
    assert second["created"] == second["updated"] == second["quarantined"] == 0


def test_paging_follows_both_next_tokens_and_reads_only_the_accounts_marketplaces(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client, "PAGE_SIZE", 7)
    monkeypatch.setattr(amazon_sandbox, "ITEMS_PAGE_SIZE", 1)  # multi-line orders page items
    code = connect(sandbox, "amazon")  # the demo credentials name amazon.com only
    created = sync(code)["created"]
    reported = AsAmazonReports(sandbox_data, code, (US,))
    assert created == assert_orders_match(reported, "amazon", code, STATUS_OF)
    assert 0 < created < len(sandbox_data.orders("amazon"))


def test_failures_are_retried(backend: Backend, sandbox_data: SandboxData) -> None:
    # A small business: every third request fails, and each retry waits a jittered backoff.
    small = SandboxData.demo(orders=60, seed=5, now=sandbox_data.now)
    flaky = start_in_thread(small, SandboxControl(fail_every=3))
    try:
        code = connect(flaky, "amazon", settings=EVERY_MARKETPLACE)
        created = sync(code)["created"]
        assert created == assert_orders_match(
            AsAmazonReports(small, code), "amazon", code, STATUS_OF
        )
        assert created > 0
    finally:
        flaky.stop()


def test_a_wrong_client_secret_fails_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox
) -> None:
    wrong = {**DEMO_CREDENTIALS["amazon"], "client_secret": "not-the-secret"}
    code = connect(sandbox, "amazon", credentials=wrong, settings=EVERY_MARKETPLACE)
    with pytest.raises(JobFailed, match=r"amazon refused the credentials \(401\).*invalid_client"):
        sync(code)


def test_a_revoked_refresh_token_fails_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox
) -> None:
    wrong = {**DEMO_CREDENTIALS["amazon"], "refresh_token": "Atzr|revoked"}
    code = connect(sandbox, "amazon", credentials=wrong, settings=EVERY_MARKETPLACE)
    with pytest.raises(JobFailed, match=r"amazon refused the credentials \(400\).*invalid_grant"):
        sync(code)


def test_the_incremental_filter_returns_only_later_changes(
    sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    orders = sandbox_data.orders("amazon")
    since = orders[len(orders) * 2 // 3].updated_at
    config = account(sandbox, since=since.isoformat())
    with CONNECTOR.open(config) as session:
        pages = fetch_all(session, config)
    # The window ends a little before now (Amazon serves nothing newer than two minutes ago),
    # to the second: an order the demo business updated since then waits for the next sync.
    until = datetime.fromisoformat(pages[0].state["until"]).replace(microsecond=0)
    expected = {i.order.external_id for i in orders if since <= i.updated_at <= until}
    assert sorted(ids_of(pages)) == sorted(expected)
    assert pages[-1].next_since is not None
    assert datetime.fromisoformat(pages[-1].next_since) < utcnow() - timedelta(minutes=2)


def test_an_expired_access_token_is_refreshed_and_the_call_retried(
    sandbox_data: SandboxData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "PAGE_SIZE", 5)
    clock = FakeClock()
    running = start_in_thread(sandbox_data, SandboxControl(clock=clock))
    try:
        config = account(running)
        with CONNECTOR.open(config) as session:
            first = CONNECTOR.fetch(session, config, {}, utcnow())
            clock.now += amazon_sandbox.TOKEN_SECONDS + 1  # Amazon now refuses the token
            second = CONNECTOR.fetch(session, config, first.state, utcnow())
            assert session.tokens_fetched == 2
        assert len(ids_of([first, second])) == 10
    finally:
        running.stop()


def test_a_429_is_answered_like_amazon_and_retried_after_retry_after(
    sandbox_data: SandboxData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "PAGE_SIZE", 6)
    clock = FakeClock()
    running = start_in_thread(
        sandbox_data, SandboxControl(requests_per_second=0.5, burst=2, clock=clock)
    )
    try:
        config = account(running)
        with CONNECTOR.open(config) as session:
            session._clock, session._sleep = clock, clock.sleep
            pages = [CONNECTOR.fetch(session, config, {}, utcnow())]
            while pages[-1].state["pending"]:  # each refusal costs 2 s of the step's budget
                pages.append(CONNECTOR.fetch(session, config, pages[-1].state, utcnow()))
            token = session._http.headers["x-amz-access-token"]
        assert len(ids_of(pages)) == len(set(ids_of(pages))) == 6
        assert len(pages) > 1
        # 1 getOrders + 6 getOrderItems through buckets of 2: the refused calls waited ≥ 2 s.
        assert clock.sleeps and min(clock.sleeps) >= 2.0
        refused = httpx.get(
            f"{running.url}/amazon/orders/v0/orders/x/orderItems",
            headers={"x-amz-access-token": token},
        )
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "2"
        assert refused.json()["errors"][0]["code"] == "QuotaExceeded"
    finally:
        running.stop()


def test_usage_plans_pace_each_operation_and_keep_every_step_short(
    sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    # Amazon's default plans (getOrderItems 0.5/s after a burst of 30), amazon.com only.
    config = account(sandbox, requests_per_second=0.0167, marketplace_ids=[US])
    clock = FakeClock()
    with CONNECTOR.open(config) as session:
        session._clock, session._sleep = clock, clock.sleep
        start, steps, state, ids = clock.now, 0, {}, []
        while True:
            before = clock.now
            page = CONNECTOR.fetch(session, config, state, utcnow())
            assert clock.now - before <= STEP_SECONDS + 2.0  # one paced call may overrun
            ids += ids_of([page])
            steps, state = steps + 1, page.state
            if page.done:
                break
    expected = [i for i in sandbox_data.orders("amazon") if marketplace_of(i) == US]
    assert sorted(ids) == sorted(i.order.external_id for i in expected)
    assert clock.now - start >= (len(expected) - 30) / 0.5 - 1
    assert steps > len(expected) // 3  # the budget split the pages over many steps


def test_requests_amazon_would_refuse_are_refused_like_amazon(sandbox: RunningSandbox) -> None:
    config = account(sandbox)
    with CONNECTOR.open(config) as session:
        token = session._http.headers["x-amz-access-token"]
    url = f"{sandbox.url}/amazon/orders/v0/orders"
    recent = (utcnow() - timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    cases = [
        ({}, {"MarketplaceIds": US, "LastUpdatedAfter": "2025-01-01T00:00:00Z"}, 403),
        ({"x-amz-access-token": token}, {"LastUpdatedAfter": "2025-01-01T00:00:00Z"}, 400),
        ({"x-amz-access-token": token}, {"MarketplaceIds": US}, 400),
        (
            {"x-amz-access-token": token},
            {
                "MarketplaceIds": US,
                "LastUpdatedAfter": "2025-01-01T00:00:00Z",
                "LastUpdatedBefore": recent,
            },
            400,
        ),
        ({"x-amz-access-token": token}, {"MarketplaceIds": US, "NextToken": "forged"}, 400),
    ]
    for headers, params, status in cases:
        answer = httpx.get(url, params=params, headers=headers)
        assert answer.status_code == status, (params, answer.text)
        code = answer.json()["errors"][0]["code"]
        assert code == ("Unauthorized" if status == 403 else "InvalidInput")
