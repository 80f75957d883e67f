"""Hand-built canonical rows for read-model tests: just the columns a test is about."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import Session

from cbe_app.hub.catalog import Carrier, Channel
from cbe_app.hub.orders import Customer, SalesOrder, Shipment, TrackingEvent
from cbe_app.hub.payments import Payment

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def channel(session: Session, code: str, provider: str = "shopify") -> Channel:
    row = Channel(code=code, name=f"{code.title()} store", provider=provider)
    session.add(row)
    session.flush()
    return row


def carrier(session: Session, code: str = "fedex") -> Carrier:
    row = Carrier(code=code, name=code.upper(), provider=code, services=[])
    session.add(row)
    session.flush()
    return row


def customer(session: Session, email: str | None, name: str = "", country: str = "DE") -> Customer:
    row = Customer(email=email, name=name, country=country)
    session.add(row)
    session.flush()
    return row


def order(
    session: Session,
    sold_on: Channel,
    external_id: str,
    placed_at: datetime,
    *,
    buyer: Customer | None = None,
    currency: str = "USD",
    total_minor: int = 1000,
    base_minor: int | None = None,
    status: str = "shipped",
    country: str = "US",
) -> SalesOrder:
    row = SalesOrder(
        channel_id=sold_on.id or 0,
        external_id=external_id,
        status=status,
        payment_status="paid",
        placed_at=placed_at,
        currency=currency,
        total_minor=total_minor,
        base_currency="USD",
        total_base_minor=total_minor if base_minor is None else base_minor,
        fx_rate=Decimal(1),
        fx_date=placed_at.date(),
        country=country,
        customer_id=buyer.id if buyer else None,
    )
    session.add(row)
    session.flush()
    return row


def parcel(
    session: Session,
    by: Carrier,
    number: str,
    scans: list[tuple[datetime, str, str, str]],
    order_id: int | None = None,
) -> Shipment:
    """A parcel with its scans as (at, status, description, location)."""
    row = Shipment(
        carrier_id=by.id or 0, tracking_number=number, status=scans[-1][1], order_id=order_id
    )
    session.add(row)
    session.flush()
    session.add_all(
        TrackingEvent(
            shipment_id=row.id or 0,
            at=at,
            status=status,
            provider_status=status.upper(),
            description=description,
            location=location,
        )
        for at, status, description, location in scans
    )
    return row


def payment(
    session: Session,
    account_id: int,
    external_id: str,
    at: datetime,
    *,
    order_id: int | None = None,
    order_ref: str = "",
    amount_minor: int = 1000,
    kind: str = "charge",
    status: str = "paid",
) -> Payment:
    row = Payment(
        account_id=account_id,
        provider="stripe",
        external_id=external_id,
        kind=kind,
        status=status,
        provider_status=f"{kind}:succeeded",
        currency="USD",
        amount_minor=amount_minor,
        base_currency="USD",
        amount_base_minor=amount_minor,
        fx_rate=Decimal(1),
        fx_date=at.date(),
        order_ref=order_ref,
        order_id=order_id,
        occurred_at=at,
    )
    session.add(row)
    session.flush()
    return row
