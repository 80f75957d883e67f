"""Webhooks through the real endpoint: signatures, dedupe under concurrency, order of arrival."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from cbe_app.api.app import routes
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub import webhooks
from cbe_app.hub.connect import connect_account
from cbe_app.hub.orders import SalesOrder
from cbe_app.hub.runs import WebhookEvent
from tests.conftest import Backend

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "providers"
SECRET = "shopify-webhook-secret"


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Webhook events queued for processing (instead of a Celery worker)."""
    sent: list[int] = []
    monkeypatch.setattr(webhooks, "dispatch", lambda task, event_id: sent.append(event_id))
    return sent


def connect_shop() -> None:
    """The Shopify account `shop`, whose webhooks are signed with SECRET."""
    with session_scope() as session:
        connect_account(
            session,
            code="shop",
            name="Shop",
            provider_name="shopify",
            base_url="https://acme.myshopify.com",
            now=utcnow(),
            credentials={"access_token": "x", "webhook_secret": SECRET},
        )


@pytest.fixture
def shop(backend: Backend) -> TestClient:
    connect_shop()
    return TestClient(routes())


def order_body(**changes: Any) -> bytes:
    order = json.loads((FIXTURES / "shopify" / "webhook_orders_create.json").read_text())
    order.update(changes)
    return json.dumps(order).encode()


def signed(body: bytes, event_id: str, secret: str = SECRET) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {
        "X-Shopify-Hmac-Sha256": digest,
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Topic": "orders/updated",
        "Content-Type": "application/json",
    }


def process_all(queued: list[int]) -> None:
    for event_id in queued:
        webhooks.process_event(event_id, "USD", utcnow())


def counts() -> tuple[int, int]:
    with session_scope() as session:
        events = session.scalar(select(func.count()).select_from(WebhookEvent))
        orders = session.scalar(select(func.count()).select_from(SalesOrder))
    return int(events or 0), int(orders or 0)


def test_five_concurrent_deliveries_of_one_event_have_one_effect(
    shop: TestClient, queued: list[int]
) -> None:
    body = order_body()
    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(
            pool.map(
                lambda _: shop.post(
                    "/webhooks/shopify/shop", content=body, headers=signed(body, "evt-1")
                ),
                range(5),
            )
        )
    assert [a.status_code for a in answers] == [200] * 5
    assert sorted(a.json()["duplicate"] for a in answers) == [False, True, True, True, True]
    process_all(queued)
    process_all(queued)  # a redelivered task changes nothing either
    assert counts() == (1, 1)


def test_a_bad_signature_gets_401_and_writes_nothing(shop: TestClient, queued: list[int]) -> None:
    body = order_body()
    wrong_secret = signed(body, "evt-2", secret="wrong")
    no_signature = {**signed(body, "evt-2"), "X-Shopify-Hmac-Sha256": ""}
    other_body = signed(body + b" ", "evt-2")  # signed, then changed in transit
    for headers in (wrong_secret, no_signature, other_body):
        assert shop.post("/webhooks/shopify/shop", content=body, headers=headers).status_code == 401
    assert counts() == (0, 0) and queued == []


def test_an_unknown_account_is_404(shop: TestClient) -> None:
    body = order_body()
    assert (
        shop.post("/webhooks/shopify/nobody", content=body, headers=signed(body, "e")).status_code
        == 404
    )


def newer_and_older() -> tuple[dict[str, Any], dict[str, Any]]:
    """The same order twice: cancelled on 2 January 2030, and as it was a day before."""
    base = json.loads(order_body())
    newer = copy.deepcopy(base) | {
        "updated_at": "2030-01-02T10:00:00Z",
        "cancelled_at": "2030-01-02T10:00:00Z",
    }
    return newer, copy.deepcopy(base) | {"updated_at": "2030-01-01T10:00:00Z", "cancelled_at": None}


def test_an_older_event_after_a_newer_one_never_regresses_the_order(
    shop: TestClient, queued: list[int]
) -> None:
    newer, older = newer_and_older()
    for event_id, payload in (("new", newer), ("old", older)):
        body = json.dumps(payload).encode()
        assert (
            shop.post(
                "/webhooks/shopify/shop", content=body, headers=signed(body, event_id)
            ).status_code
            == 200
        )
    process_all(queued)
    with session_scope() as session:
        order = session.scalars(select(SalesOrder)).one()
    assert order.status == "cancelled"
    assert order.source_updated_at == datetime(2030, 1, 2, 10, tzinfo=UTC)


def test_a_secret_rotation_accepts_the_previous_secret(backend: Backend, queued: list[int]) -> None:
    with session_scope() as session:
        connect_account(
            session,
            code="shop2",
            name="Shop",
            provider_name="shopify",
            base_url="https://b.example",
            now=utcnow(),
            credentials={"webhook_secret": "new", "webhook_secret_previous": "old"},
        )
    body = order_body()
    client = TestClient(routes())
    assert (
        client.post(
            "/webhooks/shopify/shop2", content=body, headers=signed(body, "r1", "old")
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/webhooks/shopify/shop2", content=body, headers=signed(body, "r2", "new")
        ).status_code
        == 200
    )
