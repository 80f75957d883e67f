"""One page of mapped records into the hub: normalise, quarantine what fails, write the rest.

Everything happens in the caller's transaction, so a sync commits a page's records, its
quarantine entries and the cursor after it together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlmodel import Session

from cbe_app.hub.canonical import MappedOrder, MappedPayment, MappedShipment, MapResult, RecordKind
from cbe_app.hub.ingest.context import IngestContext, IngestSummary
from cbe_app.hub.ingest.orders import ingest_orders
from cbe_app.hub.ingest.payments import ingest_payments
from cbe_app.hub.ingest.quarantine import hold, release
from cbe_app.hub.ingest.shipments import ingest_shipments
from cbe_app.hub.normalise import (
    NormalisationError,
    Order,
    Payment,
    Shipment,
    normalise_order,
    normalise_payment,
    normalise_shipment,
)
from cbe_app.hub.runs import QuarantineItem

_QUARANTINE = QuarantineItem.__table__  # type: ignore[attr-defined]


def _identity(record: Any) -> tuple[RecordKind, str]:
    if isinstance(record, MappedOrder):
        return RecordKind.ORDER, record.external_id
    if isinstance(record, MappedShipment):
        return RecordKind.SHIPMENT, record.tracking_number
    return RecordKind.PAYMENT, record.external_id


def normalise_all(
    result: MapResult, ctx: IngestContext
) -> tuple[list[Order], list[Shipment], list[Payment], list[tuple[RecordKind, str, str, Any]]]:
    """Canonical records by kind, and (kind, id, reason, raw) for each one that failed."""
    orders: list[Order] = []
    shipments: list[Shipment] = []
    payments: list[Payment] = []
    failed: list[tuple[RecordKind, str, str, Any]] = []
    for index, record in enumerate(result.records):
        try:
            if isinstance(record, MappedOrder):
                orders.append(
                    normalise_order(record, ctx.maps, ctx.fx, ctx.base_currency, ctx.skus)
                )
            elif isinstance(record, MappedShipment):
                shipments.append(normalise_shipment(record, ctx.maps))
            elif isinstance(record, MappedPayment):
                payments.append(normalise_payment(record, ctx.maps, ctx.fx, ctx.base_currency))
        except NormalisationError as exc:
            kind, external_id = _identity(record)
            failed.append((kind, external_id, str(exc), result.raw_of(index)))
    return orders, shipments, payments, failed


def ingest_page(session: Session, result: MapResult, ctx: IngestContext) -> IngestSummary:
    """Write a page; returns its counts (rejected and unnormalisable records are quarantined)."""
    orders, shipments, payments, failed = normalise_all(result, ctx)
    account = ctx.account
    for reject in result.rejects:
        failed.append((reject.kind, reject.external_id, reject.reason, reject.raw))
    for kind, external_id, reason, raw in failed:
        hold(
            session,
            account_id=account.id,
            provider=account.provider,
            kind=kind.value,
            external_id=external_id,
            reason=reason,
            raw=raw,
            now=ctx.now,
        )
    summary = IngestSummary(quarantined=len(failed))
    summary.add(ingest_orders(session, orders, ctx))
    summary.add(ingest_shipments(session, shipments, ctx))
    summary.add(ingest_payments(session, payments, ctx))
    if _has_open_quarantine(session, account.id):
        release(session, account.id, "order", (o.external_id for o in orders), ctx.now)
        release(session, account.id, "shipment", (s.tracking_number for s in shipments), ctx.now)
        release(session, account.id, "payment", (p.external_id for p in payments), ctx.now)
    return summary


def _has_open_quarantine(session: Session, account_id: int) -> bool:
    # Checked first because releasing costs an UPDATE over the page's ids, rarely needed.
    query = select(
        exists().where(_QUARANTINE.c.account_id == account_id, _QUARANTINE.c.status == "open")
    )
    return bool(session.scalar(query))
