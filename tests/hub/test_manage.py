"""Retrying and dismissing quarantined records (editing status maps: test_statusmaps_store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from cbe_app.auth.models import AuditEvent
from cbe_app.auth.service import create_user
from cbe_app.core.errors import NotFound
from cbe_app.db import session_scope
from cbe_app.hub import views
from cbe_app.hub.connect import account_ref, file_import_account
from cbe_app.hub.ingest.context import IngestContext
from cbe_app.hub.ingest.page import ingest_page
from cbe_app.hub.manage import dismiss_held, retry_held, save_status_map, status_map_of
from cbe_app.hub.orders import SalesOrder
from cbe_app.hub.providers.csvfile.mapper import map_payload
from cbe_app.hub.runs import QuarantineItem
from cbe_app.hub.statusmaps_store import stored_status_maps
from tests.conftest import Backend

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
HEADER = "external_id,placed_at,currency,country,customer_email,sku,quantity,unit_price,status\n"
ON_HOLD = HEADER + "H-1,2026-11-01T10:00:00Z,EUR,DE,anna@example.com,CBE-1,2,19.99,On Hold\n"
BAD_QTY = HEADER + "Q-1,2026-11-02T10:00:00Z,USD,US,bo@example.com,CBE-2,lots,5.00,shipped\n"


def import_csv(content: str) -> dict[str, int]:
    with session_scope() as session:
        account = file_import_account(session, "csv", NOW)
        ctx = IngestContext(account_ref(account), stored_status_maps(session), "USD", NOW)
        return ingest_page(session, map_payload(content), ctx).as_dict()


def held_id(session: Session, external_id: str) -> int:
    item = session.scalars(
        select(QuarantineItem).where(col(QuarantineItem.external_id) == external_id)
    ).one()
    return item.id or 0


def retries(session: Session) -> list[tuple[str, str, dict[str, object]]]:
    events = session.scalars(
        select(AuditEvent)
        .where(col(AuditEvent.entity) == "quarantine")
        .order_by(col(AuditEvent.id))
    )
    return [(e.action, e.entity_id, e.detail) for e in events]


def admin(session: Session) -> int:
    user = create_user(
        session, email="ops@example.com", password="a long passphrase 1", roles=["admin"], now=NOW
    )
    return user.id or 0


def test_a_retry_before_the_map_is_fixed_keeps_the_record_held(backend: Backend) -> None:
    assert import_csv(ON_HOLD)["quarantined"] == 1
    with session_scope() as session:
        item = retry_held(session, held_id(session, "H-1"), "USD", LATER)
        assert (item.status, item.attempts, item.last_seen_at, item.resolved_at) == (
            "open",
            2,
            LATER,
            None,
        )
        assert "csv order status 'On Hold' has no mapping" in item.reason
    with session_scope() as session:
        assert session.scalars(select(SalesOrder)).all() == []
        assert session.scalars(select(col(QuarantineItem.status))).all() == ["open"]
        assert [(a, d) for a, _, d in retries(session)] == [
            ("quarantine.retry", {"outcome": "open"})
        ]


def test_a_retry_after_the_map_is_fixed_writes_the_order_and_releases_it(
    backend: Backend,
) -> None:
    import_csv(ON_HOLD)
    with session_scope() as session:
        actor = admin(session)
        orders = dict(status_map_of(session, "csv").order)
        save_status_map(session, "csv", "order", orders | {"on hold": "pending"}, now=NOW)
    with session_scope() as session:
        item_id = held_id(session, "H-1")
        item = retry_held(session, item_id, "USD", LATER, actor_id=actor)
        assert (item.status, item.resolved_at) == ("resolved", LATER)
    with session_scope() as session:
        order = session.scalars(select(SalesOrder)).one()
        assert (order.external_id, order.status, order.provider_status) == (
            "H-1",
            "pending",
            "On Hold",
        )
        event = session.scalars(
            select(AuditEvent).where(col(AuditEvent.action) == "quarantine.retry")
        ).one()
        assert (event.entity_id, event.actor_id, event.at, event.detail) == (
            str(item_id),
            actor,
            LATER,
            {"outcome": "resolved"},
        )


def test_a_record_the_mapper_still_cannot_read_stays_held_with_the_reason(
    backend: Backend,
) -> None:
    import_csv(BAD_QTY)
    with session_scope() as session:
        item = retry_held(session, held_id(session, "Q-1"), "USD", LATER)
    assert (item.status, item.attempts, item.last_seen_at) == ("open", 2, LATER)
    assert item.reason == "row 2: quantity must be a whole number above 0, not 'lots'"
    with session_scope() as session:
        stored = session.get(QuarantineItem, item.id)
        assert stored is not None and (stored.attempts, stored.status) == (2, "open")
        assert session.scalars(select(SalesOrder)).all() == []


def test_a_record_held_under_a_digest_is_released_once_accepted(backend: Backend) -> None:
    # Held without an id (the key is a digest of the payload); its mapped copy has one.
    rows = [
        {
            "external_id": "D-1",
            "placed_at": "2026-11-03T09:00:00Z",
            "currency": "USD",
            "country": "US",
            "customer_email": "cy@example.com",
            "sku": "CBE-3",
            "quantity": "1",
            "unit_price": "12.00",
            "status": "shipped",
            "_row": 2,
        }
    ]
    with session_scope() as session:
        account = file_import_account(session, "csv", NOW)
        item = QuarantineItem(
            account_id=account.id,
            provider="csv",
            kind="order",
            record_key="sha256:0123",
            reason="external_id was unreadable",
            raw=rows,
        )
        session.add(item)
    with session_scope() as session:
        again = retry_held(session, item.id or 0, "USD", LATER)
        assert (again.status, again.resolved_at, again.attempts) == ("resolved", LATER, 1)
    with session_scope() as session:
        assert session.scalars(select(col(SalesOrder.external_id))).all() == ["D-1"]
        assert session.scalars(select(col(QuarantineItem.status))).all() == ["resolved"]


def test_retrying_what_does_not_exist_or_has_no_account_is_not_found(backend: Backend) -> None:
    with session_scope() as session:
        orphan = QuarantineItem(provider="csv", kind="order", record_key="x", reason="r", raw=[])
        session.add(orphan)
    with session_scope() as session, pytest.raises(NotFound) as caught:
        retry_held(session, (orphan.id or 0) + 1, "USD", LATER)
    assert caught.value.text == "Quarantined record was not found."
    with session_scope() as session, pytest.raises(NotFound):
        retry_held(session, orphan.id or 0, "USD", LATER)
    with session_scope() as session, pytest.raises(NotFound):
        dismiss_held(session, (orphan.id or 0) + 1, LATER)


def test_dismissing_keeps_the_record_marked_and_audited(backend: Backend) -> None:
    import_csv(BAD_QTY)
    with session_scope() as session:
        actor = admin(session)
        item_id = held_id(session, "Q-1")
        dismiss_held(session, item_id, LATER, actor_id=actor)
    with session_scope() as session:
        item = session.get(QuarantineItem, item_id)
        assert item is not None
        assert (item.status, item.resolved_at, item.raw[0]["quantity"]) == (
            "dismissed",
            LATER,
            "lots",
        )
        assert retries(session) == [("quarantine.dismiss", str(item_id), {})]
        assert [q.external_id for q in views.quarantine(session)] == []
        assert [q.external_id for q in views.quarantine(session, "dismissed")] == ["Q-1"]
