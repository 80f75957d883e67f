"""eBay connector against its sandbox over real HTTP, on real databases."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select
from starlette.responses import Response

from cbe_app.db import session_scope
from cbe_app.demo.records import OrderRec
from cbe_app.hub.accounts import Account
from cbe_app.hub.orders import OrderTracking, SalesOrder
from cbe_app.hub.providers.base import AccountConfig
from cbe_app.hub.providers.ebay import client as ebay_client
from cbe_app.hub.providers.ebay.client import CONNECTOR, filter_time
from cbe_app.hub.providers.http import ProviderClient
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread
from cbe_app.jobs.runner import JobFailed
from tests.conftest import Backend
from tests.hub.connectors import assert_orders_match, connect, sync

CARRIER_CODES = {"fedex": "fedex", "dhl": "dhl", "4px": "4px"}


def STATUS_OF(order: OrderRec) -> str:  # noqa: N802 - reads like the table it stands for
    """What eBay can say of a demo order's status."""
    if order.status == "pending":  # unpaid (PENDING) orders are NOT_STARTED, like paid ones
        return "awaiting_fulfillment"
    if order.status == "delivered":  # eBay's order ends at FULFILLED: it knows no delivery
        return "shipped"
    if order.status == "returned" and order.payment_status != "refunded":
        return "shipped"  # a partial refund leaves the order FULFILLED (PARTIALLY_REFUNDED)
    return order.status


@pytest.fixture
def own_sandbox(sandbox_data: SandboxData) -> Iterator[tuple[RunningSandbox, SandboxControl]]:
    """A sandbox whose control the test holds (to revoke tokens)."""
    control = SandboxControl()
    running = start_in_thread(sandbox_data, control)
    yield running, control
    running.stop()


def test_a_sync_brings_every_order_once_and_a_second_finds_nothing_new(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    code = connect(sandbox, "ebay")
    first = sync(code)
    count = assert_orders_match(sandbox_data, "ebay", code, STATUS_OF)
    assert first == {"created": count, "updated": 0, "unchanged": 0, "quarantined": 0}
    second = sync(code)
    assert second["created"] == second["updated"] == second["quarantined"] == 0


def test_tracking_numbers_come_from_the_shipping_fulfillments(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    code = connect(sandbox, "ebay")
    sync(code)
    with session_scope() as session:
        rows = session.execute(
            select(
                SalesOrder.external_id, OrderTracking.tracking_number, OrderTracking.carrier
            ).join(OrderTracking, OrderTracking.order_id == SalesOrder.id)
        ).all()
    expected = {
        (i.order.external_id, i.order.shipment.tracking_number, i.order.shipment.carrier_code)
        for i in sandbox_data.orders("ebay")
        if i.order.shipment is not None and i.order.status not in ("pending", "cancelled")
    }
    assert expected and {tuple(r) for r in rows} == expected


def test_paging_follows_offsets_with_a_small_page(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ebay_client, "PAGE_SIZE", 7)
    code = connect(sandbox, "ebay", settings={"tracking": False})
    assert sync(code)["created"] == len(sandbox_data.orders("ebay"))


def test_the_incremental_filter_brings_only_what_changed(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    orders = sandbox_data.orders("ebay")
    since = orders[len(orders) * 3 // 4].updated_at
    code = connect(sandbox, "ebay", settings={"tracking": False})
    with session_scope() as session:
        account = session.scalars(select(Account).where(Account.code == code)).one()
        account.cursor = {"since": since.isoformat()}
    changed = [i for i in orders if i.updated_at >= since]  # eBay's range is inclusive
    assert 0 < sync(code)["created"] == len(changed) < len(orders)


def test_failures_are_retried(
    backend: Backend, sandbox_data: SandboxData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ebay_client, "PAGE_SIZE", 50)  # a few pages, every third call fails
    flaky = start_in_thread(sandbox_data, SandboxControl(fail_every=3))
    try:
        # Without tracking calls: each 503 costs a backoff of up to half a second.
        code = connect(flaky, "ebay", settings={"tracking": False})
        assert sync(code)["created"] == len(sandbox_data.orders("ebay"))
    finally:
        flaky.stop()


class CountingControl(SandboxControl):
    """Records the status of every refusal."""

    refusals: list[int]

    def refuse(self, key: str) -> Response | None:
        answer = super().refuse(key)
        if answer is not None:
            self.refusals.append(answer.status_code)
        return answer


def test_429_waits_for_retry_after(backend: Backend, sandbox_data: SandboxData) -> None:
    control = CountingControl(requests_per_second=1.0, burst=1)
    control.refusals = []
    throttled = start_in_thread(sandbox_data, control)
    try:
        code = connect(throttled, "ebay", settings={"tracking": False})
        started = time.monotonic()
        assert sync(code)["created"] == len(sandbox_data.orders("ebay"))
        assert 429 in control.refusals
        assert time.monotonic() - started >= 1.0  # Retry-After: 1, honoured
    finally:
        throttled.stop()


def test_an_expired_access_token_is_refreshed_mid_sync(
    own_sandbox: tuple[RunningSandbox, SandboxControl],
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ebay_client, "PAGE_SIZE", 100)
    running, control = own_sandbox
    settings = {"requests_per_second": 0}
    account = AccountConfig(1, "ebay", f"{running.url}/ebay", DEMO_CREDENTIALS["ebay"], settings)
    state: dict[str, Any] = {}
    with CONNECTOR.open(account) as client:
        first = CONNECTOR.fetch(client, account, state, datetime.now().astimezone())
        issued = set(control.tokens)
        control.tokens.clear()  # the access token expires between two pages
        second = CONNECTOR.fetch(client, account, state, datetime.now().astimezone())
    assert not first.done and state["offset"] == 200
    assert second.total == len(sandbox_data.orders("ebay"))
    assert len(control.tokens) == 1 and set(control.tokens) != issued  # one new token


def test_a_wrong_app_secret_fails_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox
) -> None:
    credentials = DEMO_CREDENTIALS["ebay"] | {"client_secret": "wrong"}
    code = connect(sandbox, "ebay", credentials=credentials)
    with pytest.raises(JobFailed, match=r"ebay refused the credentials \(401\).*invalid_client"):
        sync(code)


def test_a_revoked_refresh_token_fails_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox
) -> None:
    credentials = DEMO_CREDENTIALS["ebay"] | {"refresh_token": "v^1.1#revoked"}
    code = connect(sandbox, "ebay", credentials=credentials)
    with pytest.raises(JobFailed, match=r"ebay refused the credentials \(400\).*invalid_grant"):
        sync(code)


def _orders_body(total: int, offset: int, count: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "href": "…",
        "total": total,
        "limit": 5,
        "offset": offset,
        "orders": [{"orderId": f"01-00000-{offset + n:05d}"} for n in range(count)],
    }
    if offset + count < total:
        body["next"] = "…"
    return body


def test_a_shrinking_total_steps_the_offset_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """An order changed again during the sync leaves the window: nothing may be skipped."""
    monkeypatch.setattr(ebay_client, "PAGE_SIZE", 5)
    asked: list[int] = []
    totals = iter([12, 10, 10, 10])

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 7200})
        offset = int(request.url.params["offset"])
        asked.append(offset)
        total = next(totals)
        return httpx.Response(200, content=orjson.dumps(_orders_body(total, offset, 5)))

    account = AccountConfig(
        1, "ebay", "https://api.ebay.test", DEMO_CREDENTIALS["ebay"], {"tracking": False}
    )
    client: ProviderClient = CONNECTOR.open(account, httpx.MockTransport(answer))
    state: dict[str, Any] = {}
    now = datetime.now().astimezone()
    first = CONNECTOR.fetch(client, account, state, now)
    second = CONNECTOR.fetch(client, account, state, now)
    assert (first.total, second.total) == (12, 10)
    assert asked[:3] == [0, 5, 3]  # two orders left before offset 5: read again from 3
    assert state["offset"] == 8 and not second.done


def test_the_filter_times_are_in_ebays_syntax() -> None:
    moment = datetime(2026, 3, 1, 1, 0, 5, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert filter_time(moment.isoformat()) == "2026-02-28T23:00:05.123Z"


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """A client of the eBay sandbox holding a fresh user access token."""
    creds = DEMO_CREDENTIALS["ebay"]
    with httpx.Client(base_url=f"{sandbox.url}/ebay") as http:
        token = http.post(
            "/identity/v1/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": creds["refresh_token"]},
            auth=(creds["client_id"], creds["client_secret"]),
        ).json()
        assert (token["expires_in"], token["token_type"]) == (7200, "User Access Token")
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        yield http


def _error_id(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, response.json()["errors"][0]["errorId"]


def test_the_sandbox_answers_ebays_errors(api: httpx.Client) -> None:
    orders = "/sell/fulfillment/v1/order"
    now = datetime.now(UTC)

    def at(moment: datetime) -> str:
        return filter_time(moment.isoformat())

    cases = {
        "lastmodifieddate:[2026-01-01..]": 30810,
        f"lastmodifieddate:[{at(now + timedelta(hours=1))}..]": 30850,
        f"lastmodifieddate:[{at(now)}..{at(now - timedelta(days=1))}]": 30840,
        f"lastmodifieddate:[{at(now - timedelta(days=800))}..]": 30830,
        "lastmodifieddate:[..]": 30820,
        "buyername:[x]": 30700,
    }
    for criteria, error_id in cases.items():
        assert _error_id(api.get(orders, params={"filter": criteria})) == (400, error_id)
    assert _error_id(api.get(orders, params={"limit": 201})) == (400, 31100)
    assert _error_id(api.get(f"{orders}/99-99999-99999")) == (400, 32100)
    anonymous = httpx.get(str(api.base_url).rstrip("/") + orders)
    assert _error_id(anonymous) == (401, 1001)


def test_the_sandbox_filters_and_pages_like_ebay(
    api: httpx.Client, sandbox_data: SandboxData
) -> None:
    orders = sandbox_data.orders("ebay")
    first, last = orders[10], orders[20]
    start, end = (filter_time(i.updated_at.isoformat()) for i in (first, last))
    criteria = f"lastmodifieddate:[{start}..{end}]"
    body = api.get("/sell/fulfillment/v1/order", params={"filter": criteria, "limit": 4}).json()
    inside = [i for i in orders if first.updated_at <= i.updated_at <= last.updated_at]
    assert body["total"] == len(inside) >= 11  # both ends are inclusive
    assert [o["orderId"] for o in body["orders"]] == [i.order.external_id for i in inside[:4]]
    assert "offset=4" in body["next"] and "prev" not in body
    recent = api.get("/sell/fulfillment/v1/order").json()  # no filter: created in 90 days
    cutoff = datetime.now(UTC) - timedelta(days=90)
    assert recent["total"] == sum(1 for i in orders if i.order.placed_at >= cutoff)
    wanted = ",".join(i.order.external_id for i in orders[:3])
    assert api.get("/sell/fulfillment/v1/order", params={"orderIds": wanted}).json()["total"] == 3


def test_the_sandbox_serves_an_order_and_its_parcel(
    api: httpx.Client, sandbox_data: SandboxData
) -> None:
    item = next(i for i in sandbox_data.orders("ebay") if i.order.status == "delivered")
    order = api.get(f"/sell/fulfillment/v1/order/{item.order.external_id}").json()
    assert (order["orderFulfillmentStatus"], order["orderPaymentStatus"]) == ("FULFILLED", "PAID")
    assert order["creationDate"].endswith(".000Z") and len(order["orderId"]) == 14
    parcel = api.get(order["fulfillmentHrefs"][0].split("/ebay", 1)[1]).json()
    assert parcel["shipmentTrackingNumber"] == item.order.shipment.tracking_number
    listed = api.get(f"/sell/fulfillment/v1/order/{item.order.external_id}/shipping_fulfillment")
    assert listed.json()["fulfillments"] == [parcel]
