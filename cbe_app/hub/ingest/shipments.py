"""Carrier parcels and their tracking events, matched to orders by tracking number or order ref."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, or_, select, update
from sqlmodel import Session

from cbe_app.db import upsert
from cbe_app.dbtypes import UTCDateTime
from cbe_app.hub.ingest.context import IngestContext, IngestSummary, is_stale, newest_per_key
from cbe_app.hub.normalise import Shipment
from cbe_app.hub.orders import OrderTracking, SalesOrder, TrackingEvent
from cbe_app.hub.orders import Shipment as ShipmentRow

SHIPMENTS: Table = ShipmentRow.__table__  # type: ignore[attr-defined]
EVENTS: Table = TrackingEvent.__table__  # type: ignore[attr-defined]
TRACKING: Table = OrderTracking.__table__  # type: ignore[attr-defined]
ORDERS: Table = SalesOrder.__table__  # type: ignore[attr-defined]

_UPDATE = update(SHIPMENTS).where(
    SHIPMENTS.c.id == bindparam("b_id"),
    or_(
        SHIPMENTS.c.source_updated_at.is_(None),
        bindparam("b_since", type_=UTCDateTime()).is_(None),
        SHIPMENTS.c.source_updated_at <= bindparam("b_since", type_=UTCDateTime()),
    ),
)


def _orders_for(session: Session, shipments: Sequence[Shipment]) -> dict[str, int]:
    numbers = [s.tracking_number for s in shipments]
    found = dict(
        session.execute(
            select(TRACKING.c.tracking_number, TRACKING.c.order_id).where(
                TRACKING.c.tracking_number.in_(numbers)
            )
        ).all()
    )
    refs = {s.order_ref for s in shipments if s.order_ref and s.tracking_number not in found}
    if refs:
        by_ref = dict(
            session.execute(
                select(ORDERS.c.external_id, ORDERS.c.id).where(ORDERS.c.external_id.in_(refs))
            ).all()
        )
        for s in shipments:
            if s.tracking_number not in found and s.order_ref in by_ref:
                found[s.tracking_number] = by_ref[s.order_ref]
    return found


def _row(s: Shipment, order_id: int | None, ctx: IngestContext) -> dict[str, Any]:
    delivered = s.delivered_at or next(
        (e.at for e in reversed(s.events) if e.status == "delivered"), None
    )
    return {
        "order_id": order_id,
        "status": s.status.value,
        "provider_status": s.provider_status[:64],
        "service": s.service[:64],
        "order_ref": s.order_ref[:64],
        "shipped_at": s.events[0].at if s.events else None,
        "promised_on": s.promised_at.date() if s.promised_at else None,
        "delivered_at": delivered,
        "source_updated_at": s.source_updated_at,
        "updated_at": ctx.now,
    }


def ingest_shipments(
    session: Session, shipments: Sequence[Shipment], ctx: IngestContext
) -> IngestSummary:
    """Create or update parcels (newer wins) and add their new tracking events."""
    summary = IngestSummary()
    carrier_id = ctx.account.carrier_id
    if not shipments or carrier_id is None:
        return summary
    batch = newest_per_key(shipments, lambda s: s.tracking_number, lambda s: s.source_updated_at)
    summary.unchanged = len(shipments) - len(batch)  # the copies that lost to a newer one
    stored = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                SHIPMENTS.c.tracking_number,
                SHIPMENTS.c.id,
                SHIPMENTS.c.source_updated_at,
                SHIPMENTS.c.status,
            ).where(SHIPMENTS.c.carrier_id == carrier_id, SHIPMENTS.c.tracking_number.in_(batch))
        )
    }
    orders = _orders_for(session, list(batch.values()))
    fresh, changed = [], []
    for number, s in batch.items():
        before = stored.get(number)
        row = _row(s, orders.get(number), ctx)
        if before is None:
            fresh.append(row | {"carrier_id": carrier_id, "tracking_number": number})
        elif is_stale(s.source_updated_at, before[1]) or (
            s.source_updated_at == before[1] and s.status.value == before[2]
        ):
            summary.unchanged += 1
        else:
            changed.append(row | {"b_id": before[0], "b_since": s.source_updated_at})
    written = upsert(
        session,
        SHIPMENTS,
        fresh,
        keys=["carrier_id", "tracking_number"],
        update=["status"],
        returning=("id", "tracking_number"),
    )
    ids = {r.tracking_number: r.id for r in written} | {n: v[0] for n, v in stored.items()}
    if changed:
        session.execute(_UPDATE, changed)
    events = [
        {
            "shipment_id": ids[s.tracking_number],
            "at": e.at,
            "status": e.status.value,
            "provider_status": e.provider_status[:64],
            "description": e.description[:300],
            "location": e.location[:200],
        }
        for s in batch.values()
        for e in s.events
    ]
    upsert(session, EVENTS, events, keys=["shipment_id", "at", "provider_status"], update=())
    summary.created, summary.updated = len(fresh), len(changed)
    return summary
