"""Status maps in the database: stored maps override the pack's, and each save is a version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from cbe_app.auth.models import AuditEvent
from cbe_app.core.errors import NotFound, ValidationFailed
from cbe_app.db import session_scope
from cbe_app.hub.canonical import OrderStatus, PaymentStatus
from cbe_app.hub.manage import save_status_map, status_map_of
from cbe_app.hub.statusmap import StatusMapDefinition, UnmappedStatus, pack_status_maps
from cbe_app.hub.statusmaps_store import stored_status_maps
from cbe_app.packs.models import DefinitionVersion, StoredDefinition
from cbe_app.packs.service import load_pack
from tests.conftest import Backend

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def save(provider: str, kind: str, mapping: dict[str, str], at: datetime = NOW) -> None:
    with session_scope() as session:
        save_status_map(session, provider, kind, mapping, now=at)


def history(key: str) -> list[tuple[int, str, datetime]]:
    with session_scope() as session:
        return [
            (v.version, v.source, v.at)
            for v in session.scalars(
                select(DefinitionVersion)
                .join(
                    StoredDefinition,
                    col(StoredDefinition.id) == col(DefinitionVersion.definition_id),
                )
                .where(col(StoredDefinition.key) == key)
                .order_by(col(DefinitionVersion.version))
            )
        ]


def test_without_stored_maps_the_packs_are_in_effect(backend: Backend) -> None:
    with session_scope() as session:
        maps = stored_status_maps(session)
    assert maps.by_provider == pack_status_maps().by_provider
    assert {"csv", "shopify", "stripe", "fedex"} <= set(maps.by_provider)
    assert maps.order("csv", " Awaiting  Fulfillment ") is OrderStatus.AWAITING_FULFILLMENT


def test_a_stored_map_overrides_the_pack_for_its_provider_only(backend: Backend) -> None:
    save("csv", "order", {"pending": "pending", "On Hold": "pending"})
    with session_scope() as session:
        maps = stored_status_maps(session)
    assert maps.order("csv", "on  hold") is OrderStatus.PENDING
    with pytest.raises(UnmappedStatus):  # the new map is the whole order map now
        maps.order("csv", "shipped")
    assert maps.payment("csv", "paid") is PaymentStatus.PAID  # other kinds are kept
    assert maps.by_provider["stripe"] == pack_status_maps().by_provider["stripe"]
    assert pack_status_maps().order("csv", "shipped") is OrderStatus.SHIPPED  # pack unchanged


def test_a_stored_map_of_a_provider_the_pack_lacks_is_used(backend: Backend) -> None:
    acme = StatusMapDefinition(
        kind="status_map", key="acme", provider="acme", order={"ok": "shipped"}
    )
    body = acme.model_dump(mode="json")
    with session_scope() as session:
        session.add(
            StoredDefinition(kind="status_map", key="acme", body=body, checksum="c", origin="user")
        )
    with session_scope() as session:
        maps = stored_status_maps(session)
        assert status_map_of(session, "acme") == acme
    assert maps.order("acme", "OK") is OrderStatus.SHIPPED and "csv" in maps.by_provider


def test_each_save_is_a_new_version_with_its_history_and_audit(backend: Backend) -> None:
    save("shopify", "order", {"open": "pending"})
    save("shopify", "order", {"open": "awaiting_fulfillment"}, NOW + timedelta(hours=1))
    with session_scope() as session:
        row = session.scalars(
            select(StoredDefinition).where(col(StoredDefinition.key) == "shopify")
        ).one()
        effective = status_map_of(session, "shopify")
        audit = session.scalars(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert (row.version, row.origin, row.updated_at) == (2, "user", NOW + timedelta(hours=1))
    assert row.body["order"] == {"open": "awaiting_fulfillment"}
    assert (
        row.body["payment"]
        == pack_status_maps().by_provider["shopify"].model_dump(mode="json")["payment"]
    )
    assert effective.order == {"open": OrderStatus.AWAITING_FULFILLMENT}
    assert history("shopify") == [(1, "user", NOW), (2, "user", NOW + timedelta(hours=1))]
    assert [(e.action, e.entity_id, e.detail) for e in audit] == [
        ("status_map.save", str(row.id), {"provider": "shopify", "kind": "order"})
    ] * 2


def test_a_save_over_the_packs_copy_is_kept_when_the_pack_loads_again(backend: Backend) -> None:
    with session_scope() as session:
        assert "status_map:csv" in load_pack(session, NOW).created
    fixed = dict(pack_status_maps().by_provider["csv"].order) | {"on hold": "pending"}
    save("csv", "order", fixed, NOW + timedelta(days=1))
    assert [v for v, _, _ in history("csv")] == [1, 2]
    with session_scope() as session:
        assert "status_map:csv" in load_pack(session, NOW + timedelta(days=2)).kept
        assert stored_status_maps(session).order("csv", "On hold") is OrderStatus.PENDING


def test_the_empty_status_a_pack_maps_can_be_saved_back(backend: Backend) -> None:
    # The csv pack maps an empty payment status to paid; editing that map keeps the row.
    payments = {k: v.value for k, v in pack_status_maps().by_provider["csv"].payment.items()}
    assert payments[""] == "paid"
    save("csv", "payment", payments | {"settled": "paid"})
    with session_scope() as session:
        maps = stored_status_maps(session)
    assert maps.payment("csv", "") is PaymentStatus.PAID
    assert maps.payment("csv", "Settled") is PaymentStatus.PAID


REFUSED = [  # (provider, kind, mapping) and the field errors it gets
    (("csv", "refund", {"a": "paid"}), {"kind": "Choose orders, payments or shipments."}),
    (
        ("csv", "order", {"new": "pending", "held": "on_hold", "gone": "lost"}),
        {"held": "Choose a status from the list.", "gone": "Choose a status from the list."},
    ),
    (("csv", "order", {"  ": "pending"}), {"status": "A provider status cannot be empty."}),
    (("shopify", "order", {"": "pending"}), {"status": "A provider status cannot be empty."}),
    (("fedex", "shipment", {"PU": "paid"}), {"PU": "Choose a status from the list."}),
]


def test_a_map_that_does_not_fit_the_vocabulary_is_refused(backend: Backend) -> None:
    for (provider, kind, mapping), errors in REFUSED:
        with pytest.raises(ValidationFailed) as caught:
            save(provider, kind, mapping)
        assert caught.value.field_errors == errors, (provider, kind, mapping)
    with session_scope() as session:
        assert session.scalars(select(StoredDefinition)).all() == []


def test_a_provider_without_any_map_is_not_found(backend: Backend) -> None:
    with pytest.raises(NotFound) as caught:
        save("etsy", "order", {"paid": "pending"})
    assert caught.value.text == "Status map of etsy was not found."
