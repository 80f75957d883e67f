"""Orders into the canonical tables, a page at a time, with a fixed number of statements.

Per page: read what is stored for the page's ids, split into new / changed / unchanged (an
older copy never overwrites a newer one, and the UPDATE re-checks that in SQL in case a
webhook wrote meanwhile), resolve customers set-based, then insert and update in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, delete, or_, select, update
from sqlmodel import Session

from cbe_app.db import upsert
from cbe_app.db_bulk import bulk_write, select_rows
from cbe_app.dbtypes import UTCDateTime
from cbe_app.hub.catalog import Product
from cbe_app.hub.ingest.context import (
    IngestContext,
    IngestSummary,
    fingerprint,
    is_stale,
    newest_per_key,
)
from cbe_app.hub.ingest.customers import resolve_customers
from cbe_app.hub.normalise import Order
from cbe_app.hub.orders import OrderEvent, OrderLine, OrderTracking, SalesOrder, Shipment
from cbe_app.hub.payments import ExchangeRate
from cbe_app.reports import rollups

ORDERS: Table = SalesOrder.__table__  # type: ignore[attr-defined]
LINES: Table = OrderLine.__table__  # type: ignore[attr-defined]
EVENTS: Table = OrderEvent.__table__  # type: ignore[attr-defined]
TRACKING: Table = OrderTracking.__table__  # type: ignore[attr-defined]
SHIPMENTS: Table = Shipment.__table__  # type: ignore[attr-defined]
RATES: Table = ExchangeRate.__table__  # type: ignore[attr-defined]
PRODUCTS: Table = Product.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _Stored:
    id: int
    status: str
    source_updated_at: Any
    content_hash: str


def order_hash(order: Order) -> str:
    """What makes two copies of an order the same for the hub."""
    return fingerprint(
        order.status,
        order.payment_status,
        order.provider_status,
        order.provider_payment_status,
        order.currency,
        order.total_minor,
        order.shipping_minor,
        order.refunded_minor,
        order.country,
        order.customer_email,
        order.customer_name,
        order.customer_phone,
        order.lines,
        order.tracking,
        order.placed_at,
    )


def _newest_per_id(orders: Sequence[Order], digests: Sequence[str]) -> list[tuple[Order, str]]:
    copies = zip(orders, digests, strict=True)
    newest = newest_per_key(copies, lambda c: c[0].external_id, lambda c: c[0].source_updated_at)
    return list(newest.values())


# One expanding parameter for the id list: compiled once, not one literal per id per page.
_STORED = select(
    ORDERS.c.external_id,
    ORDERS.c.id,
    ORDERS.c.status,
    ORDERS.c.source_updated_at,
    ORDERS.c.content_hash,
).where(
    ORDERS.c.channel_id == bindparam("channel_id"),
    ORDERS.c.external_id.in_(bindparam("ids", expanding=True)),
)


_IDS = select(ORDERS.c.external_id, ORDERS.c.id).where(
    ORDERS.c.channel_id == bindparam("channel_id"),
    ORDERS.c.external_id.in_(bindparam("ids", expanding=True)),
)


def _stored(session: Session, channel_id: int, ids: list[str]) -> dict[str, _Stored]:
    rows = select_rows(session, _STORED, {"channel_id": channel_id, "ids": ids})
    return {row[0]: _Stored(row[1], row[2], row[3], row[4]) for row in rows}


def _row(
    order: Order, channel_id: int, customer_id: int | None, digest: str, ctx: IngestContext
) -> dict[str, Any]:
    return {
        "channel_id": channel_id,
        "external_id": order.external_id,
        "status": order.status.value,
        "provider_status": order.provider_status[:64],
        "payment_status": order.payment_status.value,
        "placed_at": order.placed_at,
        "currency": order.currency,
        "shipping_minor": order.shipping_minor,
        "total_minor": order.total_minor,
        "refunded_minor": order.refunded_minor,
        "base_currency": order.base_currency,
        "total_base_minor": order.total_base_minor,
        "refunded_base_minor": order.refunded_base_minor,
        "fx_rate": order.fx.rate,
        "fx_date": order.fx.rate_date,
        "fx_source": order.fx.provider,
        "country": order.country,
        "customer_id": customer_id,
        "source_updated_at": order.source_updated_at,
        "content_hash": digest,
        "updated_at": ctx.now,
    }


_UPDATE = (
    update(ORDERS)
    .where(
        ORDERS.c.id == bindparam("b_id"),
        or_(
            ORDERS.c.source_updated_at.is_(None),
            bindparam("b_since", type_=UTCDateTime()).is_(None),
            ORDERS.c.source_updated_at <= bindparam("b_since", type_=UTCDateTime()),
        ),
    )
    .values(version=ORDERS.c.version + 1)
)


def ingest_orders(
    session: Session,
    orders: Sequence[Order],
    ctx: IngestContext,
    digests: Sequence[str] | None = None,
) -> IngestSummary:
    """Create or update the page's orders, with lines, tracking numbers, events and rates.

    `digests` are the orders' `order_hash`es when the caller worked them out already.
    """
    summary = IngestSummary()
    channel_id = ctx.account.channel_id
    if not orders or channel_id is None:
        return summary
    batch = _newest_per_id(orders, digests or [order_hash(o) for o in orders])
    summary.unchanged = len(orders) - len(batch)  # the copies that lost to a newer one
    stored = _stored(session, channel_id, [o.external_id for o, _ in batch])
    fresh, changed = [], []
    for order, digest in batch:
        before = stored.get(order.external_id)
        if before is None:
            fresh.append((order, digest))
        elif (
            is_stale(order.source_updated_at, before.source_updated_at)
            or digest == before.content_hash
        ):
            summary.unchanged += 1
        else:
            changed.append((order, digest, before))
    customers = resolve_customers(session, [o for o, *_ in fresh + changed], ctx)
    ids = _insert(session, fresh, customers, ctx) | _update(session, changed, customers, ctx)
    summary.created, summary.updated = len(fresh), len(changed)
    if changed:  # a new order has no lines yet
        order_ids = [before.id for *_, before in changed]
        session.execute(delete(LINES).where(LINES.c.order_id.in_(order_ids)))
    _write_children(session, [o for o, *_ in fresh + changed], ids)
    _events(session, changed, ctx)
    _rates(session, [o for o, *_ in fresh + changed], ctx)
    return summary


def _insert(
    session: Session,
    fresh: list[tuple[Order, str]],
    customers: dict[str, int | None],
    ctx: IngestContext,
) -> dict[str, int]:
    if not fresh:
        return {}
    channel_id = ctx.account.channel_id or 0
    rows = [
        _row(o, channel_id, customers.get(o.external_id), d, ctx)
        | {"created_at": ctx.now, "version": 1}
        for o, d in fresh
    ]
    # Do nothing on a conflict: a webhook may have written the order meanwhile (its copy stays).
    with rollups.logged_together(session.connection(), "orders"):
        bulk_write(session, ORDERS, rows, keys=["channel_id", "external_id"])
    ids = [o.external_id for o, _ in fresh]
    return dict(select_rows(session, _IDS, {"channel_id": channel_id, "ids": ids}))


def _update(
    session: Session,
    changed: list[tuple[Order, str, _Stored]],
    customers: dict[str, int | None],
    ctx: IngestContext,
) -> dict[str, int]:
    if not changed:
        return {}
    channel_id = ctx.account.channel_id or 0
    rows = []
    for order, digest, before in changed:
        row = _row(order, channel_id, customers.get(order.external_id), digest, ctx)
        del row["channel_id"], row["external_id"]
        rows.append(row | {"b_id": before.id, "b_since": order.source_updated_at})
    session.execute(_UPDATE, rows)
    return {order.external_id: before.id for order, _, before in changed}


_PRODUCT_IDS = select(PRODUCTS.c.sku, PRODUCTS.c.id).where(
    PRODUCTS.c.sku.in_(bindparam("skus", expanding=True))
)


def _write_children(session: Session, orders: list[Order], ids: dict[str, int]) -> None:
    """Lines (products linked by SKU) and tracking numbers of orders whose old lines are gone."""
    if not orders:
        return
    skus = list({line.sku for o in orders for line in o.lines})
    products = dict(select_rows(session, _PRODUCT_IDS, {"skus": skus}))
    lines = [
        {
            "order_id": ids[o.external_id],
            "line_no": n,
            "sku": line.sku,
            "product_id": products.get(line.sku),
            "quantity": line.quantity,
            "unit_price_minor": line.unit_price_minor,
        }
        for o in orders
        for n, line in enumerate(o.lines, start=1)
    ]
    bulk_write(session, LINES, lines)
    tracking = [
        {"order_id": ids[o.external_id], "tracking_number": number[:64], "carrier": carrier}
        for o in orders
        for number, carrier in o.tracking
    ]
    bulk_write(
        session, TRACKING, tracking, keys=["order_id", "tracking_number"], update=["carrier"]
    )
    if tracking:
        _link_parcels(session, [number[:64] for o in orders for number, _ in o.tracking])


_LINK_PARCELS = (
    update(SHIPMENTS)
    .where(
        SHIPMENTS.c.order_id.is_(None),
        SHIPMENTS.c.tracking_number.in_(bindparam("numbers", expanding=True)),
    )
    .values(
        order_id=select(TRACKING.c.order_id)
        .where(TRACKING.c.tracking_number == SHIPMENTS.c.tracking_number)
        .limit(1)
        .scalar_subquery()
    )
)


def _link_parcels(session: Session, numbers: list[str]) -> None:
    """Parcels a carrier reported before any channel did get their order now, in one statement."""
    session.execute(_LINK_PARCELS, {"numbers": numbers})


def _events(
    session: Session, changed: list[tuple[Order, str, _Stored]], ctx: IngestContext
) -> None:
    """A timeline entry for each status change (placement is read from the order itself)."""
    rows = [
        {
            "order_id": before.id,
            "at": o.source_updated_at or ctx.now,
            "kind": "status",
            "status": o.status.value,
            "source": ctx.account.provider,
            "detail": o.provider_status[:300],
        }
        for o, _, before in changed
        if o.status.value != before.status
    ]
    bulk_write(session, EVENTS, rows)


def _rates(session: Session, orders: list[Order], ctx: IngestContext) -> None:
    # Each rate is written once per ingest context (one step's transaction), not once per page.
    seen = {
        key: o.fx
        for o in orders
        if (key := (o.placed_at.date(), o.currency, o.base_currency)) not in ctx.rates_written
    }
    ctx.rates_written.update(seen)
    rows = [
        {
            "day": day,
            "currency": cur,
            "base": base,
            "rate": fx.rate,
            "rate_date": fx.rate_date,
            "source": fx.provider,
        }
        for (day, cur, base), fx in seen.items()
    ]
    upsert(session, RATES, rows, keys=["day", "currency", "base"], update=())
