"""Stripe connector against its sandbox over real HTTP, on real databases."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.accounts import Account
from cbe_app.hub.payments import Payment
from cbe_app.hub.providers.base import AccountConfig
from cbe_app.hub.providers.stripe import client as stripe_client
from cbe_app.hub.providers.stripe.client import API_VERSION, CONNECTOR
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl
from cbe_app.hub.sandbox.data import SandboxData, SandboxPayment
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread
from cbe_app.jobs.runner import JobFailed
from tests.conftest import Backend
from tests.hub.connectors import connect, sync

KEY = DEMO_CREDENTIALS["stripe"]["secret_key"]
# What the hub makes of a captured charge, by how much of it was refunded.
CHARGE_STATUS = {"none": "paid", "part": "partially_refunded", "all": "refunded"}


def demo_payments(data: SandboxData) -> list[SandboxPayment]:
    """The demo's Stripe payments the sandbox shows: captures done by now, and their refunds."""
    paid = {
        p.order.order.external_id
        for p in data.payments("stripe")
        if p.kind == "charge" and p.created_at <= data.now
    }
    return [p for p in data.payments("stripe") if p.order.order.external_id in paid]


def listed_created(data: SandboxData) -> dict[str, int]:
    """Each payment's `created` as Stripe lists it: a refund is never older than its charge."""
    charges = {
        p.order.order.external_id: int(p.created_at.timestamp())
        for p in demo_payments(data)
        if p.kind == "charge"
    }
    return {
        p.external_id: max(int(p.created_at.timestamp()), charges[p.order.order.external_id])
        for p in demo_payments(data)
    }


def stored(code: str) -> dict[str, Payment]:
    with session_scope() as session:
        account_id = session.scalar(select(Account.id).where(Account.code == code))
        rows = session.scalars(select(Payment).where(Payment.account_id == account_id)).all()
        session.expunge_all()
    assert len(rows) == len({r.external_id for r in rows})
    return {r.external_id: r for r in rows}


def account(url: str, **changes: Any) -> AccountConfig:
    values: dict[str, Any] = {
        "account_id": 1,
        "provider": "stripe",
        "base_url": f"{url}/stripe",
        "credentials": DEMO_CREDENTIALS["stripe"],
        "settings": {"requests_per_second": 0},
    }
    return AccountConfig(**(values | changes))


def listed_ids(config: AccountConfig, *, resume_every: int = 0) -> list[tuple[str, str]]:
    """(list, id) of every object the connector's pages list, in order; with `resume_every`,
    the state goes through JSON and a new client every so many pages, as a resumed sync."""
    state: dict[str, Any] = {}
    seen: list[tuple[str, str]] = []
    client = CONNECTOR.open(config)
    for number in range(1, 1000):
        page = CONNECTOR.fetch(client, config, state, utcnow())
        seen += [(item["object"], item["id"]) for item in page.payload["data"]]
        if page.done:
            break
        state = json.loads(json.dumps(page.state))
        if resume_every and number % resume_every == 0:
            client.close()
            client = CONNECTOR.open(config)
    client.close()
    return seen


def test_a_sync_brings_every_payment_once_and_a_second_finds_nothing_new(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    code = connect(sandbox, "stripe")
    first = sync(code)
    demo = demo_payments(sandbox_data)
    refunds = sum(p.kind == "refund" for p in demo)
    # Refund pages bring their (expanded) charge again: seen, and unchanged.
    assert first == {"created": len(demo), "updated": 0, "unchanged": refunds, "quarantined": 0}
    rows = stored(code)
    assert set(rows) == {p.external_id for p in demo}
    for payment in demo:
        row, order = rows[payment.external_id], payment.order.order
        assert (row.kind, row.amount_minor, row.currency, row.order_ref) == (
            payment.kind,
            payment.amount_minor,
            order.currency,
            order.external_id,
        ), payment
        if payment.kind == "charge":
            share = {0: "none", order.total_minor: "all"}.get(order.refunded_minor, "part")
            assert (row.status, row.refunded_minor) == (CHARGE_STATUS[share], order.refunded_minor)
        else:
            assert row.status == "refunded"
    second = sync(code)
    assert second["created"] == second["updated"] == second["quarantined"] == 0


def test_paging_follows_starting_after_with_a_small_page(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stripe_client, "PAGE_SIZE", 15)
    code = connect(sandbox, "stripe")
    assert sync(code)["created"] == len(demo_payments(sandbox_data))


def test_a_resumed_sync_lists_charges_then_refunds_newest_first_each_once(
    sandbox: RunningSandbox, sandbox_data: SandboxData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stripe_client, "PAGE_SIZE", 40)
    seen = listed_ids(account(sandbox.url), resume_every=3)
    demo, created = demo_payments(sandbox_data), listed_created(sandbox_data)
    assert sorted(i for _, i in seen) == sorted(p.external_id for p in demo)
    kinds = [kind for kind, _ in seen]
    assert kinds == sorted(kinds)  # every charge, then every refund
    for kind in ("charge", "refund"):
        times = [created[i] for k, i in seen if k == kind]
        assert times == sorted(times, reverse=True)


def test_an_incremental_sync_lists_only_what_was_created_since(
    sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    created = listed_created(sandbox_data)
    ordered = sorted(created.values())
    since = ordered[len(ordered) * 3 // 4]  # the newest quarter, refunds included
    config = account(sandbox.url, since=datetime.fromtimestamp(since, UTC).isoformat())
    seen = {i for _, i in listed_ids(config)}
    assert seen == {i for i, at in created.items() if at >= since}
    assert 0 < len(seen) < len(created)


def test_failures_are_retried(backend: Backend, sandbox_data: SandboxData) -> None:
    flaky = start_in_thread(sandbox_data, SandboxControl(fail_every=3))
    try:
        code = connect(flaky, "stripe")
        assert sync(code)["created"] == len(demo_payments(sandbox_data))
    finally:
        flaky.stop()


def test_a_wrong_key_fails_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox
) -> None:
    code = connect(sandbox, "stripe", credentials={"secret_key": "sk_test_wrong0000"})
    with pytest.raises(
        JobFailed, match=r"stripe refused the credentials \(401\).*Invalid API Key provided"
    ):
        sync(code)


class Recording(httpx.HTTPTransport):
    """A real transport that notes every answer: (monotonic time, status, body)."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[float, int, Any]] = []
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.read()
        self.requests.append(request)
        self.answers.append((time.monotonic(), response.status_code, response.json()))
        return response


def test_a_429_is_stripes_rate_limit_error_and_retry_after_is_honoured(
    sandbox_data: SandboxData,
) -> None:
    throttled = start_in_thread(sandbox_data, SandboxControl(requests_per_second=1, burst=1))
    recording = Recording()
    config = account(throttled.url)
    try:
        client = CONNECTOR.open(config, transport=recording)
        state: dict[str, Any] = {}
        for _ in range(2):
            CONNECTOR.fetch(client, config, state, utcnow())
        client.close()
    finally:
        throttled.stop()
    statuses = [status for _, status, _ in recording.answers]
    assert statuses == [200, 429, 200]
    (at_429, _, body), (at_retry, _, _) = recording.answers[1:]
    assert body["error"]["code"] == "rate_limit"
    assert body["error"]["type"] == "invalid_request_error"
    assert at_retry - at_429 >= 1.0  # the sandbox asked for Retry-After: 1
    sent = recording.requests[0]
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["stripe-version"] == API_VERSION


def test_the_pace_is_stripes_limit_for_the_keys_mode(sandbox: RunningSandbox) -> None:
    def rate(key: str, **settings: Any) -> float | None:
        config = account(sandbox.url, credentials={"secret_key": key}, settings=settings)
        with CONNECTOR.open(config) as client:
            return client.rate.per_second if client.rate else None

    assert rate("sk_test_x") == 25.0 and rate("rk_test_x") == 25.0
    assert rate("sk_live_x") == 100.0
    assert rate("sk_live_x", requests_per_second=5) == 5.0
    assert rate("sk_live_x", requests_per_second=0) is None


def test_the_sandbox_answers_as_stripe(sandbox: RunningSandbox, sandbox_data: SandboxData) -> None:
    base = f"{sandbox.url}/stripe/v1"
    auth = {"Authorization": f"Bearer {KEY}"}

    def error(path: str, expected: int, **params: Any) -> dict[str, Any]:
        response = httpx.get(f"{base}/{path}", params=params, headers=auth)
        assert response.status_code == expected, response.text
        return dict(response.json()["error"])

    missing = httpx.get(f"{base}/charges").json()["error"]
    assert missing["message"].startswith("You did not provide an API key")
    assert error("charges", 400, limit=101)["param"] == "limit"
    assert error("charges", 400, paid="true")["code"] == "parameter_unknown"
    assert error("charges", 404, starting_after="ch_unknown")["code"] == "resource_missing"
    newest = httpx.get(f"{base}/charges", params={"limit": 3}, headers=auth).json()
    assert newest["object"] == "list" and newest["has_more"] is True
    older = newest["data"][-1]["id"]
    back = httpx.get(f"{base}/charges", params={"limit": 2, "ending_before": older}, headers=auth)
    assert [c["id"] for c in back.json()["data"]] == [c["id"] for c in newest["data"][:2]]
    # Basic auth with the key as user name works too, as at Stripe.
    one = httpx.get(f"{base}/charges/{older}", auth=(KEY, "")).json()
    assert one == newest["data"][-1]
    assert (one["status"], one["captured"], one["livemode"]) == ("succeeded", True, False)
    assert one["currency"].islower() and isinstance(one["amount"], int)
    refund = next(p for p in demo_payments(sandbox_data) if p.kind == "refund")
    plain = httpx.get(f"{base}/refunds/{refund.external_id}", headers=auth).json()
    expanded = httpx.get(
        f"{base}/refunds/{refund.external_id}", params={"expand[]": "charge"}, headers=auth
    ).json()
    assert expanded["charge"]["id"] == plain["charge"] and plain["charge"].startswith("ch_")
    assert expanded["charge"]["metadata"] == {"order_id": refund.order.order.external_id}
    assert plain["amount"] == refund.amount_minor
    assert plain["created"] >= expanded["charge"]["created"]  # never before its charge
