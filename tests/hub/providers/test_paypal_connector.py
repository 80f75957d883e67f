"""PayPal connector against its sandbox over real HTTP, on real databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.accounts import Account
from cbe_app.hub.orders import SalesOrder
from cbe_app.hub.payments import Payment
from cbe_app.hub.providers.base import AccountConfig
from cbe_app.hub.providers.paypal import client
from cbe_app.hub.providers.paypal.client import CONNECTOR, LISTING_DELAY, SLICE
from cbe_app.hub.runs import SyncRun
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread
from cbe_app.jobs.runner import JobFailed
from tests.conftest import Backend
from tests.hub.connectors import connect, sync


def stored_payments() -> dict[str, Payment]:
    with session_scope() as session:
        rows = session.scalars(select(Payment)).all()
        session.expunge_all()
    return {row.external_id: row for row in rows}


def test_a_sync_brings_every_payment_once_linked_to_its_order_and_a_second_finds_nothing_new(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    sync(connect(sandbox, "shopify"))  # the orders of one shop are in the hub, not the other's
    with session_scope() as session:
        shop_orders = dict(session.execute(select(SalesOrder.external_id, SalesOrder.id)).all())
    demo = sandbox_data.payments("paypal")
    code = connect(sandbox, "paypal")
    assert sync(code) == {"created": len(demo), "updated": 0, "unchanged": 0, "quarantined": 0}
    payments = stored_payments()
    assert sorted(payments) == sorted(p.external_id for p in demo)
    for expected in demo:
        order = expected.order.order
        row = payments[expected.external_id]
        assert (row.kind, row.amount_minor, row.currency, row.order_ref) == (
            expected.kind,
            expected.amount_minor,
            order.currency,
            order.external_id,
        )
        assert row.status == ("refunded" if expected.kind == "refund" else "paid")
        assert row.order_id == shop_orders.get(order.external_id)
        assert (row.order_id is not None) == (order.channel_code == "shopify")
    with session_scope() as session:
        cursor = session.scalars(select(Account.cursor).where(Account.code == code)).one()
    since = datetime.fromisoformat(cursor["since"])
    recent = [p for p in demo if p.created_at >= since - LISTING_DELAY]
    # The next sync asks only from its cursor (less PayPal's listing delay): nothing is new.
    assert sync(code) == {"created": 0, "updated": 0, "unchanged": len(recent), "quarantined": 0}


def test_paging_walks_every_page_of_every_31_day_slice(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client, "PAGE_SIZE", 7)
    code = connect(sandbox, "paypal")
    assert sync(code)["created"] == len(sandbox_data.payments("paypal"))
    with session_scope() as session:
        pages = session.scalars(select(SyncRun.pages)).one()
    slices = -(-client.HISTORY // SLICE)
    assert pages > slices  # a page for each slice, and more where a slice holds more than 7


def test_failures_are_retried(backend: Backend, sandbox_data: SandboxData) -> None:
    flaky = start_in_thread(sandbox_data, SandboxControl(fail_every=3))
    try:
        assert sync(connect(flaky, "paypal"))["created"] == len(sandbox_data.payments("paypal"))
    finally:
        flaky.stop()


def test_wrong_client_credentials_fail_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox
) -> None:
    wrong = {**DEMO_CREDENTIALS["paypal"], "client_secret": "not-the-secret"}
    code = connect(sandbox, "paypal", credentials=wrong)
    with pytest.raises(JobFailed, match=r"paypal refused the credentials \(401\).*invalid_client"):
        sync(code)


def test_an_expired_token_is_replaced_and_the_page_asked_again(sandbox_data: SandboxData) -> None:
    control = SandboxControl()
    running = start_in_thread(sandbox_data, control)
    account = AccountConfig(
        account_id=1,
        provider="paypal",
        base_url=f"{running.url}/paypal",
        credentials=DEMO_CREDENTIALS["paypal"],
        settings={"requests_per_second": 0},
    )
    try:
        with CONNECTOR.open(account) as http:
            state: dict[str, Any] = {}
            first = CONNECTOR.fetch(http, account, state, utcnow())
            control.tokens.clear()  # every token issued so far expires
            second = CONNECTOR.fetch(http, account, first.state, utcnow())
            assert second.payload["page"] == 1 and "transaction_details" in second.payload
            assert len(control.tokens) == 1  # one new token, now in use
            [token] = control.tokens
            assert http._http.headers["Authorization"] == f"Bearer {token}"
    finally:
        running.stop()


def test_a_first_sync_starts_three_years_back_and_later_ones_at_the_cursor() -> None:
    until = "2026-06-30T12:00:00.500000+00:00"
    assert client.first_slice_start(None, until) == "2023-07-01T12:00:00Z"
    cursor = "2026-06-29T08:00:00+00:00"
    assert client.first_slice_start(cursor, until) == "2026-06-29T05:00:00Z"
    assert datetime.fromisoformat("2026-06-29T05:00:00Z") == datetime.fromisoformat(
        cursor
    ) - timedelta(hours=3)
