"""Ingest on real databases: idempotent, newer wins, nothing dropped, one customer per person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from cbe_app.db import session_scope
from cbe_app.hub.canonical import (
    MappedLine,
    MappedOrder,
    MappedPayment,
    MappedShipment,
    MappedTrackingEvent,
    MapResult,
)
from cbe_app.hub.catalog import ChannelSku, Product
from cbe_app.hub.connect import account_ref, connect_account, file_import_account
from cbe_app.hub.ingest.context import IngestContext
from cbe_app.hub.ingest.page import NormalisedPage, ingest_page, normalise_page, write_page
from cbe_app.hub.ingest.rules import ingest_context
from cbe_app.hub.orders import Customer, OrderEvent, OrderLine, SalesOrder, TrackingEvent
from cbe_app.hub.orders import Shipment as ShipmentRow
from cbe_app.hub.payments import Payment
from cbe_app.hub.providers.csvfile.mapper import map_payload
from cbe_app.hub.runs import QuarantineItem
from cbe_app.hub.statusmap import StatusMapDefinition, StatusMaps, pack_status_maps
from tests.conftest import Backend

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CSV = """external_id,placed_at,currency,country,customer_email,sku,quantity,unit_price,status
A-1,2026-11-01T10:00:00Z,EUR,DE,Anna@Example.com,CBE-EL-0001,2,19.99,shipped
A-1,2026-11-01T10:00:00Z,EUR,DE,Anna@Example.com,CBE-HK-0002,1,5.50,shipped
A-2,2026-11-02T11:30:00+08:00,USD,United States,bo@example.com,CBE-EL-0003,1,49.00,pending
A-3,2026-11-03T09:00:00Z,GBP,GB,cy@example.com,CBE-EL-0004,lots,12.00,delivered
"""


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def context(
    session: Session,
    provider: str = "csv",
    maps: StatusMaps | None = None,
    account: str | None = None,
) -> IngestContext:
    if account:
        acc = connect_account(
            session,
            code=account,
            name=account,
            provider_name=provider,
            base_url="https://api.example",
            credentials={"token": "t"},
            now=NOW,
        )
    else:
        acc = file_import_account(session, provider, NOW)
    return IngestContext(account_ref(acc), maps or pack_status_maps(), "USD", NOW)


def ingest(result: MapResult, **kwargs: object) -> dict[str, int]:
    with session_scope() as session:
        return ingest_page(session, result, context(session, **kwargs)).as_dict()  # type: ignore[arg-type]


def order(
    external_id: str,
    status: str = "shipped",
    updated: datetime | None = None,
    email: str | None = "dee@example.com",
    total: str = "30.00",
) -> MappedOrder:
    return MappedOrder(
        provider="csv",
        external_id=external_id,
        provider_status=status,
        provider_payment_status="paid",
        placed_at=NOW - timedelta(days=3),
        updated_at=updated,
        currency="USD",
        total=Decimal(total),
        country="US",
        customer_email=email,
        lines=(MappedLine("CBE-EL-0001", 1, Decimal(total)),),
        tracking_numbers=("794612345678",),
    )


def test_a_file_imports_once_and_keeps_the_bad_order_with_its_reason(backend: Backend) -> None:
    assert ingest(map_payload(CSV)) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 1,
    }
    assert ingest(map_payload(CSV)) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "quarantined": 1,
    }
    with session_scope() as session:
        assert count(session, SalesOrder) == 2 and count(session, OrderLine) == 3
        held = session.scalars(select(QuarantineItem)).all()
        first = session.scalar(select(SalesOrder).where(SalesOrder.external_id == "A-1"))
        second = session.scalar(select(SalesOrder).where(SalesOrder.external_id == "A-2"))
    assert len(held) == 1 and held[0].attempts == 2 and held[0].status == "open"
    assert (
        held[0].external_id == "A-3" and "row 5: quantity must be a whole number" in held[0].reason
    )
    assert held[0].raw[0]["quantity"] == "lots"  # the raw rows are kept to fix and retry
    assert first.total_minor == 4548 and first.currency == "EUR" and first.status == "shipped"
    assert first.base_currency == "USD" and first.total_base_minor > 0 and first.fx_source == "ECB"
    assert second.country == "US" and second.placed_at == datetime(2026, 11, 2, 3, 30, tzinfo=UTC)


def test_newer_data_wins_and_older_never_overwrites(backend: Backend) -> None:
    assert ingest(MapResult([order("N-1", "shipped", NOW)]))["created"] == 1
    assert ingest(MapResult([order("N-1", "delivered", NOW + timedelta(hours=1))]))["updated"] == 1
    late = ingest(MapResult([order("N-1", "pending", NOW - timedelta(days=1))]))
    assert late == {"created": 0, "updated": 0, "unchanged": 1, "quarantined": 0}
    with session_scope() as session:
        stored = session.scalar(select(SalesOrder).where(SalesOrder.external_id == "N-1"))
        kinds = session.scalars(
            select(OrderEvent.status).where(OrderEvent.order_id == stored.id)
        ).all()
    assert stored.status == "delivered" and stored.version == 2
    assert "delivered" in kinds and "pending" not in kinds


def test_the_newest_copy_in_a_page_counts_once(backend: Backend) -> None:
    page = MapResult([order("D-1", "shipped", NOW), order("D-1", "delivered", NOW + timedelta(1))])
    assert ingest(page)["created"] == 1
    with session_scope() as session:
        assert (
            session.scalar(select(SalesOrder.status).where(SalesOrder.external_id == "D-1"))
            == "delivered"
        )


def test_an_unmapped_status_waits_in_quarantine_until_the_map_knows_it(backend: Backend) -> None:
    record = order("Q-1", "on hold by fraud team")
    result = MapResult()
    result.add(record, {"id": "Q-1", "status": "on hold by fraud team"})
    assert ingest(result)["quarantined"] == 1
    with session_scope() as session:
        item = session.scalars(select(QuarantineItem)).one()
    assert "csv order status 'on hold by fraud team' has no mapping" in item.reason
    base = pack_status_maps().by_provider["csv"]
    fixed = StatusMaps.of(
        [
            StatusMapDefinition(
                **(
                    base.model_dump()
                    | {"order": {**base.order, "on hold by fraud team": "pending"}}
                )
            )
        ]
    )
    assert ingest(result, maps=fixed)["created"] == 1
    with session_scope() as session:
        assert session.scalars(select(QuarantineItem.status)).one() == "resolved"


def test_one_customer_across_channels(backend: Backend) -> None:
    ingest(MapResult([order("X-1", email="Same.Person@Example.com ")]), account="shop-a")
    ingest(MapResult([order("X-1", email="same.person@example.com")]), account="shop-b")
    with session_scope() as session:
        assert count(session, SalesOrder) == 2 and count(session, Customer) == 1


def test_parcels_link_to_orders_and_never_regress(backend: Backend) -> None:
    ingest(MapResult([order("S-1")]))
    scans = (
        MappedTrackingEvent(NOW - timedelta(days=2), "PU", "Picked up", "Shenzhen CN"),
        MappedTrackingEvent(NOW - timedelta(days=1), "IT", "In transit", "Memphis TN"),
    )
    parcel = MappedShipment("fedex", "794612345678", "IT", scans)
    with session_scope() as session:
        ctx = context(session, "fedex", account="fedex-main", maps=_carrier_maps())
        assert ingest_page(session, MapResult([parcel]), ctx).created == 1
    with session_scope() as session:
        ctx = context(session, "fedex", maps=_carrier_maps())
        ctx.account = _ref(session, "fedex-main")
        assert ingest_page(session, MapResult([parcel]), ctx).unchanged == 1
        stale = MappedShipment("fedex", "794612345678", "PU", scans[:1])
        assert ingest_page(session, MapResult([stale]), ctx).unchanged == 1
    with session_scope() as session:
        row = session.scalars(select(ShipmentRow)).one()
        order_id = session.scalar(select(SalesOrder.id).where(SalesOrder.external_id == "S-1"))
        assert row.order_id == order_id and row.status == "in_transit"
        assert count(session, TrackingEvent) == 2


def test_payments_link_to_their_order(backend: Backend) -> None:
    ingest(MapResult([order("P-1")]))
    charge = MappedPayment(
        "stripe",
        "ch_1",
        "charge:succeeded",
        "USD",
        Decimal("30.00"),
        NOW - timedelta(days=3),
        order_ref="P-1",
        customer_email="dee@example.com",
    )
    with session_scope() as session:
        ctx = context(session, "stripe", account="stripe-main", maps=_payment_maps())
        assert ingest_page(session, MapResult([charge]), ctx).created == 1
        assert ingest_page(session, MapResult([charge]), ctx).unchanged == 1
    with session_scope() as session:
        payment = session.scalars(select(Payment)).one()
        assert payment.order_id is not None and payment.customer_id is not None
        assert payment.amount_minor == 3000 and payment.status == "paid"


def _carrier_maps() -> StatusMaps:
    return StatusMaps.of(
        [
            StatusMapDefinition(
                kind="status_map",
                key="fedex",
                provider="fedex",
                shipment={"PU": "picked_up", "IT": "in_transit"},
            )
        ]
    )


def _payment_maps() -> StatusMaps:
    return StatusMaps.of(
        [
            StatusMapDefinition(
                kind="status_map",
                key="stripe",
                provider="stripe",
                payment={"charge:succeeded": "paid"},
            )
        ]
    )


def _ref(session: Session, code: str):  # type: ignore[no-untyped-def]
    from cbe_app.hub.accounts import Account

    return account_ref(session.scalars(select(Account).where(Account.code == code)).one())


@pytest.fixture(autouse=True)
def _catalogue(backend: Backend) -> None:
    """A product so that lines resolve to it."""
    from cbe_app.hub.catalog import Product

    with session_scope() as session:
        session.add(Product(sku="CBE-EL-0001", name="USB-C cable", cost_currency="CNY"))


def test_a_channels_own_skus_become_ours(backend: Backend) -> None:
    with session_scope() as session:
        account = connect_account(
            session,
            code="amz",
            name="Amazon",
            provider_name="amazon",
            base_url="https://api.example",
            credentials={},
            now=NOW,
        )
        mug = Product(sku="CBE-HK-0002", name="Mug", category="home", cost_currency="USD")
        session.add(mug)
        session.flush()
        session.add(
            ChannelSku(
                channel_id=account.channel_id or 0, channel_sku="AMZ-MUG-1", product_id=mug.id or 0
            )
        )
        session.flush()
        ctx = ingest_context(session, account, "USD", NOW, pack_status_maps())
        record = MappedOrder(
            provider="amazon",
            external_id="111-1",
            provider_status="Unshipped",
            provider_payment_status="Unshipped",
            placed_at=NOW,
            updated_at=NOW,
            currency="USD",
            total=Decimal("12.00"),
            country="US",
            customer_email="a@example.com",
            lines=(MappedLine("AMZ-MUG-1", 2, Decimal("6.00")), MappedLine("OTHER", 1, Decimal(0))),
        )
        result = MapResult()
        result.add(record, {})
        assert ingest_page(session, result, ctx).created == 1
        lines = session.execute(
            select(OrderLine.sku, OrderLine.product_id).order_by(OrderLine.line_no)
        ).all()
    assert [tuple(line) for line in lines] == [("CBE-HK-0002", mug.id), ("OTHER", None)]


def test_pages_written_as_one_batch_quarantine_as_if_written_one_by_one(backend: Backend) -> None:
    # "A" is good on page 1 and broken (an unknown status) on page 2: written, and held.
    # "B" is broken on page 1 and good on page 2: held, then released.
    with session_scope() as session:
        ctx = context(session)
        pages = [
            normalise_page(MapResult([order("A"), order("B", status="lost in space")]), ctx),
            normalise_page(MapResult([order("A", status="lost in space"), order("B")]), ctx),
        ]
        batch = NormalisedPage.joined(pages)
        assert batch.still_held == {("order", "A")}
        assert write_page(session, batch, ctx).as_dict() == {
            "created": 2,
            "updated": 0,
            "unchanged": 0,
            "quarantined": 2,
        }
    with session_scope() as session:
        held = {i.external_id: i.status for i in session.scalars(select(QuarantineItem))}
        assert held == {"A": "open", "B": "resolved"}
        assert count(session, SalesOrder) == 2
