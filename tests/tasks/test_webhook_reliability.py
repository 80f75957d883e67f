"""Webhooks end to end: real HTTP to the endpoint, real Redis, a real Celery worker.

The same delivery five times at once has one effect; an older event processed after a newer
one never regresses the order; a bad signature gets 401 and nothing is written or queued.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from cbe_app.api.app import routes
from cbe_app.db import session_scope
from cbe_app.hub.orders import SalesOrder
from cbe_app.hub.runs import WebhookEvent
from cbe_app.hub.sandbox.server import RunningSandbox
from tests.conftest import Backend
from tests.hub.test_webhooks import connect_shop, newer_and_older, order_body, signed
from tests.tasks.sandbox_tap import serve
from tests.tasks.workers import Worker, wait_for


@pytest.fixture
def endpoint(backend: Backend) -> Iterator[str]:
    """The webhook endpoint served over HTTP, for the account `shop`."""
    connect_shop()
    running: RunningSandbox = serve(routes())
    yield f"{running.url}/webhooks/shopify/shop"
    running.stop()


@pytest.fixture
def worker(workers: list[Worker], tmp_path: Path) -> Worker:
    started = Worker("webhooks", tmp_path)
    workers.append(started)
    started.wait_ready()
    return started


def events() -> list[WebhookEvent]:
    with session_scope() as session:
        return list(session.scalars(select(WebhookEvent).order_by(col(WebhookEvent.id))))


def orders() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(SalesOrder)) or 0)


def deliver(url: str, payload: dict[str, Any] | bytes, event_id: str) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return httpx.post(url, content=body, headers=signed(body, event_id), timeout=30)


def processed(count: int) -> bool:
    found = events()
    return len(found) == count and all(e.status == "processed" for e in found)


@pytest.mark.worker
def test_five_concurrent_deliveries_have_one_effect(endpoint: str, worker: Worker) -> None:
    body = order_body()
    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(lambda _: deliver(endpoint, body, "evt-1"), range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    assert sorted(a.json()["duplicate"] for a in answers) == [False, True, True, True, True]
    wait_for(lambda: processed(1), 60, "the worker to process the event")
    assert orders() == 1, worker.log.read_text()
    assert len(events()) == 1


@pytest.mark.worker
def test_an_older_event_after_a_newer_one_never_regresses_the_order(
    endpoint: str, worker: Worker
) -> None:
    newer, older = newer_and_older()
    assert deliver(endpoint, newer, "new").status_code == 200
    wait_for(lambda: processed(1), 60, "the newer event to be processed")
    assert deliver(endpoint, older, "old").status_code == 200
    wait_for(lambda: processed(2), 60, "the older event to be processed")
    with session_scope() as session:
        order = session.scalars(select(SalesOrder)).one()
    assert order.status == "cancelled"
    assert order.source_updated_at == datetime(2030, 1, 2, 10, tzinfo=UTC)


@pytest.mark.worker
def test_a_bad_signature_gets_401_and_nothing_is_written(endpoint: str, worker: Worker) -> None:
    body = order_body()
    forged = {**signed(body, "evt-2", secret="wrong"), "Content-Type": "application/json"}
    answer = httpx.post(endpoint, content=body, headers=forged, timeout=30)
    assert answer.status_code == 401
    good = deliver(endpoint, order_body(id=424242), "evt-3")  # a real one, to know when
    assert good.status_code == 200
    wait_for(lambda: processed(1), 60, "the authentic event to be processed")
    assert [e.event_id for e in events()] == ["evt-3"]  # the forged one left no trace
    assert orders() == 1
