"""Order 360 and Customer 360: everything that happened, from every source, as one timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from cbe_app.core.errors import NotFound
from cbe_app.core.money import from_minor
from cbe_app.hub.catalog import Carrier, Channel
from cbe_app.hub.orders import (
    Customer,
    OrderEvent,
    OrderLine,
    OrderTracking,
    SalesOrder,
    Shipment,
    TrackingEvent,
)
from cbe_app.hub.payments import Payment
from cbe_app.hub.search import OrderRow, find_orders


@dataclass(frozen=True, slots=True)
class Moment:
    """One entry of a timeline."""

    at: datetime
    source: str  # shopify, fedex, stripe, …
    kind: str  # order | shipment | payment
    status: str  # in the hub's vocabulary
    title: str  # a carrier's own words, or a code the UI translates (placed, charge, …)
    detail: str
    ref: str  # the order, tracking number or payment it belongs to
    amount: str = ""  # money the moment moved, as "34.98 USD"


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order's header, lines and timeline."""

    id: int
    channel: str
    provider: str
    external_id: str
    status: str
    payment_status: str
    placed_at: datetime
    currency: str
    total: Decimal
    base_currency: str
    total_base: Decimal
    fx_rate: Decimal
    fx_date: str
    fx_source: str
    country: str
    customer_id: int | None
    customer_email: str
    lines: list[tuple[str, int, Decimal]]
    timeline: list[Moment]


def _shipment_moments(session: Session, order_ids: list[int]) -> list[Moment]:
    numbers = select(col(OrderTracking.tracking_number)).where(
        col(OrderTracking.order_id).in_(order_ids)
    )
    query = (
        select(TrackingEvent, Shipment, col(Carrier.code))
        .join(Shipment, col(Shipment.id) == col(TrackingEvent.shipment_id))
        .join(Carrier, col(Carrier.id) == col(Shipment.carrier_id))
        .where(
            or_(col(Shipment.order_id).in_(order_ids), col(Shipment.tracking_number).in_(numbers))
        )
    )
    return [
        Moment(
            e.at,
            code,
            "shipment",
            e.status,
            e.description or e.status,
            e.location,
            s.tracking_number,
        )
        for e, s, code in session.execute(query).all()
    ]


def _payment_moments(session: Session, order_ids: list[int], refs: list[str]) -> list[Moment]:
    # The reference only for payments linked to no order: order numbers repeat across channels
    # (Shopify #1001 and WooCommerce #1001), and a payment linked to one is not the other's.
    query = select(Payment).where(
        or_(
            col(Payment.order_id).in_(order_ids),
            and_(col(Payment.order_id).is_(None), col(Payment.order_ref).in_(refs)),
        )
    )
    return [
        Moment(
            p.occurred_at,
            p.provider,
            "payment",
            p.status,
            p.kind,
            p.provider_status,
            p.external_id,
            f"{from_minor(p.amount_minor, p.currency)} {p.currency}",
        )
        for p in session.scalars(query)
    ]


def _order_moments(session: Session, orders: dict[int, tuple[str, str]]) -> list[Moment]:
    placed = select(
        col(SalesOrder.id),
        col(SalesOrder.placed_at),
        col(SalesOrder.currency),
        col(SalesOrder.total_minor),
    ).where(col(SalesOrder.id).in_(list(orders)))
    moments = [
        Moment(
            at,
            orders[oid][1],
            "order",
            "placed",
            "placed",
            "",
            orders[oid][0],
            f"{from_minor(total, currency)} {currency}",
        )
        for oid, at, currency, total in session.execute(placed).all()
    ]
    query = select(OrderEvent).where(col(OrderEvent.order_id).in_(list(orders)))
    return moments + [
        Moment(e.at, e.source, "order", e.status or e.kind, e.kind, e.detail, orders[e.order_id][0])
        for e in session.scalars(query)
    ]


def timeline(session: Session, orders: dict[int, tuple[str, str]]) -> list[Moment]:
    """Every moment of the given orders (id → (external id, provider)), oldest first."""
    ids, refs = list(orders), [ref for ref, _ in orders.values()]
    moments = (
        _order_moments(session, orders)
        + _shipment_moments(session, ids)
        + _payment_moments(session, ids, refs)
    )
    return sorted(moments, key=lambda m: m.at)


def order_view(session: Session, order_id: int) -> OrderView:
    """Order 360."""
    row = session.execute(
        select(SalesOrder, Channel)
        .join(Channel, col(Channel.id) == col(SalesOrder.channel_id))
        .where(col(SalesOrder.id) == order_id)
    ).first()
    if row is None:
        raise NotFound(what="Order")
    order, channel = row
    customer = session.get(Customer, order.customer_id) if order.customer_id else None
    lines = [
        (ln.sku, ln.quantity, from_minor(ln.unit_price_minor, order.currency))
        for ln in session.scalars(
            select(OrderLine)
            .where(col(OrderLine.order_id) == order_id)
            .order_by(col(OrderLine.line_no))
        )
    ]
    return OrderView(
        id=order_id,
        channel=channel.name,
        provider=channel.provider,
        external_id=order.external_id,
        status=order.status,
        payment_status=order.payment_status,
        placed_at=order.placed_at,
        currency=order.currency,
        total=from_minor(order.total_minor, order.currency),
        base_currency=order.base_currency,
        total_base=from_minor(order.total_base_minor, order.base_currency),
        fx_rate=order.fx_rate,
        fx_date=order.fx_date.isoformat(),
        fx_source=order.fx_source,
        country=order.country,
        customer_id=order.customer_id,
        customer_email=(customer.email or "") if customer else "",
        lines=lines,
        timeline=timeline(session, {order_id: (order.external_id, channel.provider)}),
    )


@dataclass(frozen=True, slots=True)
class CustomerView:
    """Customer 360: who, across channels, and everything that happened."""

    id: int
    email: str
    name: str
    phone: str
    country: str
    orders: list[OrderRow]
    order_count: int
    lifetime_base: str
    timeline: list[Moment]


def customer_view(session: Session, customer_id: int, base_currency: str) -> CustomerView:
    """Customer 360 (the 200 most recent orders feed the timeline)."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(what="Customer")
    rows, count = find_orders(session, customer_id=customer_id)
    recent = session.execute(
        select(col(SalesOrder.id), col(SalesOrder.external_id), col(Channel.provider))
        .join(Channel, col(Channel.id) == col(SalesOrder.channel_id))
        .where(col(SalesOrder.customer_id) == customer_id)
        .order_by(col(SalesOrder.placed_at).desc())
        .limit(200)
    ).all()
    spent = session.scalar(
        select(func.coalesce(func.sum(col(SalesOrder.total_base_minor)), 0)).where(
            col(SalesOrder.customer_id) == customer_id
        )
    )
    return CustomerView(
        id=customer_id,
        email=customer.email or "",
        name=customer.name,
        phone=customer.phone,
        country=customer.country,
        orders=rows,
        order_count=count,
        lifetime_base=f"{from_minor(int(spent or 0), base_currency)} {base_currency}",
        timeline=timeline(session, {oid: (ext, prov) for oid, ext, prov in recent}),
    )
