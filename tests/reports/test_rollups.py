"""Rollups stay equal to a full recount through inserts, updates and deletes, on each database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from cbe_app.db import session_scope
from cbe_app.hub.imports import import_file
from cbe_app.reports import rollups
from cbe_app.reports.catalog import CUSTOMERS, ORDERS, SHIPMENTS
from cbe_app.reports.models import (
    COHORTS,
    CUSTOMER_FACTS,
    ORDERS_DAY,
    ORDERS_MONTH,
    SHIPMENTS_DAY,
    SHIPMENTS_MONTH,
)
from tests.conftest import Backend
from tests.reports.dataset import build, write

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "providers"
TABLES = (ORDERS_DAY, ORDERS_MONTH, SHIPMENTS_DAY, SHIPMENTS_MONTH, CUSTOMER_FACTS, COHORTS)


def snapshot() -> dict[str, set[tuple[Any, ...]]]:
    """Every rollup's sums after compaction (a key summed back to zero counts as absent)."""
    found = {}
    with session_scope() as session:
        rollups.compact(session.connection())
    with session_scope() as session:
        for table in TABLES:
            rows = session.execute(select(table)).all()
            keys = len(table.primary_key.columns)
            found[table.name] = {tuple(r) for r in rows if any(r[keys:])}
    return found


def recounted() -> dict[str, set[tuple[Any, ...]]]:
    with session_scope() as session:
        rollups.rebuild(session.connection())
    return snapshot()


def test_rollups_follow_every_change(backend: Backend) -> None:
    business = build(seed=8, orders=400)
    with session_scope() as session:
        write(session, business, NOW)
    after_insert = snapshot()
    assert after_insert["rollup_orders_day"]  # the triggers wrote something
    assert after_insert == recounted()

    rng = random.Random(4)
    ids = [o.id for o in business.orders]
    with session_scope() as session:
        for order_id in rng.sample(ids, 120):  # one statement per order, as webhooks do
            changes = rng.choice(
                [
                    {"status": "cancelled"},
                    {"refunded_base_minor": rng.randrange(0, 500)},
                    {"country": "JP"},
                    {"channel_id": 2},
                    {"placed_at": NOW - timedelta(days=rng.randrange(400), hours=3)},
                    {"external_id": f"X-{order_id}"},  # moves nothing
                    {"customer_id": rng.randrange(1, 121)},
                ]
            )
            session.execute(update(ORDERS).where(ORDERS.c.id == order_id).values(**changes))
        # And in bulk, as a sync step does.
        session.execute(update(ORDERS).where(ORDERS.c.id.in_(ids[:50])).values(status="delivered"))
        session.execute(
            update(SHIPMENTS)
            .where(SHIPMENTS.c.id.in_(list(range(1, 40))))
            .values(delivered_at=NOW, promised_on=NOW.date())
        )
        session.execute(update(SHIPMENTS).where(SHIPMENTS.c.id == 41).values(order_id=None))
        session.execute(delete(SHIPMENTS).where(SHIPMENTS.c.id.in_([42, 43, 44])))
        session.execute(
            update(SHIPMENTS).where(SHIPMENTS.c.order_id.in_(ids[300:310])).values(order_id=None)
        )
        session.execute(delete(ORDERS).where(ORDERS.c.id.in_(ids[300:310])))
        extra = [{**_order_row(n), "id": 10_000 + n, "customer_id": 1 + n} for n in range(30)]
        session.execute(insert(ORDERS), extra)
        session.execute(update(CUSTOMERS).where(CUSTOMERS.c.id.in_([1, 2, 3])).values(country="NZ"))
    assert snapshot() == recounted()


def test_the_hubs_upsert_path_feeds_the_rollups(backend: Backend) -> None:
    """Recorded channel pages loaded through the sync's upsert: the triggers count them."""
    for provider, name in [
        ("shopify", "orders.json"),
        ("ebay", "get_orders_page.json"),
        ("amazon", "v2026_search_orders_sandbox_jp.json"),
    ]:
        import_file(provider, FIXTURES / provider / name, "USD", NOW)
    counted = snapshot()
    assert sum(row[3] for row in counted["rollup_orders_day"]) == 5  # 1 + 3 + 1 orders
    assert counted == recounted()


def _insert_trigger(connection: Any) -> list[Any]:
    query = "SELECT sql FROM sqlite_master WHERE name = 'rollup_orders_insert'"
    return list(connection.exec_driver_sql(query).scalars())


def test_orders_inserted_together_are_logged_as_the_trigger_would(backend: Backend) -> None:
    """A sync's batch is logged by one statement (SQLite: the row trigger is lifted meanwhile).

    Other connections never see the table without its trigger; the trigger comes back even
    when the block fails, and what the block inserted before the failure is logged.
    """
    business = build(seed=3, orders=60)
    with session_scope() as session:
        write(session, business, NOW)
    sqlite = backend.name == "sqlite"
    if sqlite:
        with session_scope() as session:
            installed = _insert_trigger(session.connection())
        assert len(installed) == 1
    with session_scope() as session:
        connection = session.connection()
        with rollups.logged_together(connection, "orders"):
            connection.execute(insert(ORDERS), [_order_row(n) for n in range(40)])
            if sqlite:
                with session_scope() as other:  # a reader sees the committed schema
                    assert _insert_trigger(other.connection()) == installed
        if sqlite:  # a failed statement leaves a SQLite transaction usable (PostgreSQL's not)
            with pytest.raises(IntegrityError), rollups.logged_together(connection, "orders"):
                connection.execute(insert(ORDERS), [_order_row(n) for n in range(40, 45)])
                connection.execute(insert(ORDERS), [_order_row(44)])  # the same order again
            assert _insert_trigger(connection) == installed
        else:
            connection.execute(insert(ORDERS), [_order_row(n) for n in range(40, 45)])
        connection.execute(insert(ORDERS), [_order_row(n) for n in range(45, 50)])  # trigger
    counted = snapshot()
    assert sum(row[3] for row in counted["rollup_orders_day"]) == 60 + 50
    assert counted == recounted()


def _order_row(n: int) -> dict[str, Any]:
    return {
        "channel_id": 1 + n % 3,
        "external_id": f"NEW-{n}",
        "status": "pending",
        "provider_status": "",
        "payment_status": "paid",
        "placed_at": NOW - timedelta(days=n),
        "currency": "USD",
        "shipping_minor": 0,
        "total_minor": 1000 + n,
        "refunded_minor": 0,
        "base_currency": "USD",
        "total_base_minor": 1000 + n,
        "refunded_base_minor": 0,
        "fx_rate": "1",
        "fx_date": (NOW - timedelta(days=n)).date(),
        "fx_source": "ECB",
        "country": "DE",
        "content_hash": "",
        "created_at": NOW,
        "updated_at": NOW,
        "version": 1,
    }
