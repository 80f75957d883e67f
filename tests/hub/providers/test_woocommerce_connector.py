"""WooCommerce connector against its sandbox over real HTTP, on real databases."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
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
from cbe_app.hub.providers.woocommerce import client as woo_client
from cbe_app.hub.providers.woocommerce.client import CONNECTOR
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread
from cbe_app.jobs.runner import JobFailed
from tests.conftest import Backend
from tests.hub.connectors import assert_orders_match, connect, sync


def STATUS_OF(order: OrderRec) -> str:  # noqa: N802 - reads like the table it stands for
    """What WooCommerce can say of a demo order's status."""
    if order.status == "partially_shipped":  # no such status: still `processing`
        return "awaiting_fulfillment"
    if order.status == "delivered":  # `completed` is all WooCommerce knows of a sent order
        return "shipped"
    if order.status == "returned" and order.payment_status != "refunded":
        return "shipped"  # a partial refund leaves the order `completed`
    return order.status


def test_a_sync_brings_every_order_once_and_a_second_finds_nothing_new(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    code = connect(sandbox, "woocommerce")
    first = sync(code)
    count = assert_orders_match(sandbox_data, "woocommerce", code, STATUS_OF)
    assert first == {"created": count, "updated": 0, "unchanged": 0, "quarantined": 0}
    second = sync(code)
    assert second["created"] == second["updated"] == second["quarantined"] == 0


def test_tracking_numbers_and_carriers_come_from_the_shipment_tracking_meta(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    code = connect(sandbox, "woocommerce")
    sync(code)
    with session_scope() as session:
        rows = session.execute(
            select(
                SalesOrder.external_id, OrderTracking.tracking_number, OrderTracking.carrier
            ).join(OrderTracking, OrderTracking.order_id == SalesOrder.id)
        ).all()
    expected = {
        (i.order.external_id, i.order.shipment.tracking_number, i.order.shipment.carrier_code)
        for i in sandbox_data.orders("woocommerce")
        if i.order.shipment is not None and i.order.status not in ("pending", "cancelled")
    }
    assert expected and {tuple(r) for r in rows} == expected


def test_paging_follows_pages_with_a_small_page(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(woo_client, "PAGE_SIZE", 30)
    code = connect(sandbox, "woocommerce")
    assert sync(code)["created"] == len(sandbox_data.orders("woocommerce"))


def test_the_incremental_filter_brings_only_what_changed(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    orders = sandbox_data.orders("woocommerce")
    since = orders[len(orders) * 3 // 4].updated_at
    code = connect(sandbox, "woocommerce")
    with session_scope() as session:
        account = session.scalars(select(Account).where(Account.code == code)).one()
        account.cursor = {"since": since.isoformat()}
    changed = [i for i in orders if i.updated_at > since]  # modified_after is exclusive
    assert 0 < sync(code)["created"] == len(changed) < len(orders)


def test_the_key_can_go_in_the_query_string(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    code = connect(sandbox, "woocommerce", settings={"query_string_auth": True})
    assert sync(code)["created"] == len(sandbox_data.orders("woocommerce"))


def test_failures_are_retried(
    backend: Backend, sandbox_data: SandboxData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(woo_client, "PAGE_SIZE", 25)  # a dozen pages, every third call fails
    flaky = start_in_thread(sandbox_data, SandboxControl(fail_every=3))
    try:
        code = connect(flaky, "woocommerce")
        assert sync(code)["created"] == len(sandbox_data.orders("woocommerce"))
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


def test_429_waits_for_retry_after(
    backend: Backend, sandbox_data: SandboxData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(woo_client, "PAGE_SIZE", 100)  # four pages: the fourth is refused
    control = CountingControl(requests_per_second=1.0, burst=3)
    control.refusals = []
    throttled = start_in_thread(sandbox_data, control)
    try:
        code = connect(throttled, "woocommerce")
        started = time.monotonic()
        assert sync(code)["created"] == len(sandbox_data.orders("woocommerce"))
        assert 429 in control.refusals
        assert time.monotonic() - started >= 1.0  # Retry-After: 1, honoured
    finally:
        throttled.stop()


@pytest.mark.parametrize(
    ("credentials", "code"),
    [
        ({"consumer_key": "ck_unknown"}, "woocommerce_rest_cannot_view"),
        ({"consumer_secret": "cs_wrong"}, "woocommerce_rest_authentication_error"),
    ],
)
def test_a_wrong_key_fails_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox, credentials: dict[str, str], code: str
) -> None:
    account = connect(
        sandbox, "woocommerce", credentials=DEMO_CREDENTIALS["woocommerce"] | credentials
    )
    with pytest.raises(JobFailed, match=rf"woocommerce refused the credentials \(401\).*{code}"):
        sync(account)


def test_a_shrinking_total_steps_back_with_an_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    """An order changed again during the sync leaves the window: nothing may be skipped."""
    monkeypatch.setattr(woo_client, "PAGE_SIZE", 5)
    asked: list[tuple[str | None, str | None]] = []
    totals = iter([12, 10, 10])

    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        asked.append((params.get("page"), params.get("offset")))
        body = orjson.dumps([{"id": n} for n in range(5)])
        return httpx.Response(200, content=body, headers={"X-WP-Total": str(next(totals))})

    account = AccountConfig(1, "woocommerce", "https://shop.test", DEMO_CREDENTIALS["woocommerce"])
    client = CONNECTOR.open(account, httpx.MockTransport(answer))
    state: dict[str, Any] = {}
    now = datetime.now().astimezone()
    assert CONNECTOR.fetch(client, account, state, now).total == 12
    second = CONNECTOR.fetch(client, account, state, now)
    assert asked == [("1", None), ("2", None), (None, "3")]  # two orders left: read from 3
    assert (second.total, state["position"], second.done) == (10, 8, False)


@pytest.fixture
def shop(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """A client of the WooCommerce sandbox sending the demo REST API key."""
    creds = DEMO_CREDENTIALS["woocommerce"]
    auth = (creds["consumer_key"], creds["consumer_secret"])
    with httpx.Client(base_url=f"{sandbox.url}/woocommerce/wp-json/wc/v3", auth=auth) as http:
        yield http


def test_the_sandbox_answers_woocommerces_errors(shop: httpx.Client) -> None:
    anonymous = httpx.get(str(shop.base_url).rstrip("/") + "/orders")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }
    too_many = shop.get("/orders", params={"per_page": 101})
    assert (too_many.status_code, too_many.json()["code"]) == (400, "rest_invalid_param")
    assert shop.get("/orders", params={"modified_after": "yesterday"}).status_code == 400
    missing = shop.get("/orders/1")
    assert (missing.status_code, missing.json()["code"]) == (
        404,
        "woocommerce_rest_shop_order_invalid_id",
    )


def test_the_sandbox_lists_like_woocommerce(shop: httpx.Client, sandbox_data: SandboxData) -> None:
    orders = sandbox_data.orders("woocommerce")
    newest = shop.get("/orders", params={"per_page": 3, "page": 2})  # default: date, desc
    by_date = sorted(orders, key=lambda i: (i.order.placed_at, i.index), reverse=True)
    assert [o["id"] for o in newest.json()] == [int(i.order.external_id) for i in by_date[3:6]]
    assert newest.headers["X-WP-Total"] == str(len(orders))
    assert newest.headers["X-WP-TotalPages"] == str(-(-len(orders) // 3))
    assert 'rel="prev"' in newest.headers["Link"] and 'rel="next"' in newest.headers["Link"]
    pivot = orders[len(orders) // 2].updated_at
    local = (pivot + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")  # the shop's UTC+1
    after = shop.get("/orders", params={"modified_after": local, "per_page": 1})
    assert after.headers["X-WP-Total"] == str(sum(1 for i in orders if i.updated_at > pivot))
    refunded = shop.get("/orders", params={"status": "refunded", "per_page": 100}).json()
    assert refunded and {o["status"] for o in refunded} == {"refunded"}
    assert all(float(o["refunds"][0]["total"]) < 0 for o in refunded)
