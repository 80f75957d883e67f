"""Payments and refunds, linked to orders by the shop's order reference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlmodel import Session

from cbe_app.db import upsert
from cbe_app.dbtypes import UTCDateTime
from cbe_app.hub.ingest.context import (
    IngestContext,
    IngestSummary,
    fingerprint,
    is_stale,
    newest_per_key,
)
from cbe_app.hub.normalise import Payment
from cbe_app.hub.orders import Customer, SalesOrder
from cbe_app.hub.payments import Payment as PaymentRow

PAYMENTS: Table = PaymentRow.__table__  # type: ignore[attr-defined]
ORDERS: Table = SalesOrder.__table__  # type: ignore[attr-defined]
CUSTOMERS: Table = Customer.__table__  # type: ignore[attr-defined]

_UPDATE = update(PAYMENTS).where(
    PAYMENTS.c.id == bindparam("b_id"),
    or_(
        PAYMENTS.c.source_updated_at.is_(None),
        bindparam("b_since", type_=UTCDateTime()).is_(None),
        PAYMENTS.c.source_updated_at <= bindparam("b_since", type_=UTCDateTime()),
    ),
)


def payment_hash(p: Payment) -> str:
    """What makes two copies of a payment the same."""
    return fingerprint(
        p.status,
        p.provider_status,
        p.currency,
        p.amount_minor,
        p.refunded_minor,
        p.order_ref,
        p.customer_email,
        p.kind,
    )


def _links(session: Session, payments: Sequence[Payment]) -> tuple[dict[str, int], dict[str, int]]:
    refs = {p.order_ref for p in payments if p.order_ref}
    emails = {p.customer_email for p in payments if p.customer_email}
    # Order numbers repeat across channels (#1001 on Shopify and on WooCommerce): a payment is
    # linked only to an order its reference names unambiguously, and otherwise keeps the
    # reference alone rather than a guess.
    orders = (
        dict(
            session.execute(
                select(ORDERS.c.external_id, func.min(ORDERS.c.id))
                .where(ORDERS.c.external_id.in_(refs))
                .group_by(ORDERS.c.external_id)
                .having(func.count() == 1)
            ).all()
        )
        if refs
        else {}
    )
    customers = (
        dict(
            session.execute(
                select(CUSTOMERS.c.email, CUSTOMERS.c.id).where(CUSTOMERS.c.email.in_(emails))
            ).all()
        )
        if emails
        else {}
    )
    return orders, customers


def _row(
    p: Payment, orders: dict[str, int], customers: dict[str, int], ctx: IngestContext
) -> dict[str, Any]:
    return {
        "provider": p.provider,
        "kind": p.kind,
        "status": p.status.value,
        "provider_status": p.provider_status[:64],
        "currency": p.currency,
        "amount_minor": p.amount_minor,
        "refunded_minor": p.refunded_minor,
        "base_currency": p.base_currency,
        "amount_base_minor": p.amount_base_minor,
        "fx_rate": p.fx.rate,
        "fx_date": p.fx.rate_date,
        "order_ref": p.order_ref[:128],
        "order_id": orders.get(p.order_ref),
        "customer_id": customers.get(p.customer_email or ""),
        "occurred_at": p.created_at,
        "source_updated_at": p.source_updated_at,
        "content_hash": payment_hash(p),
        "updated_at": ctx.now,
    }


def ingest_payments(
    session: Session, payments: Sequence[Payment], ctx: IngestContext
) -> IngestSummary:
    """Create or update payments (newer wins), linked to their order and customer when known."""
    summary = IngestSummary()
    if not payments:
        return summary
    account_id = ctx.account.id
    batch = newest_per_key(payments, lambda p: p.external_id, lambda p: p.source_updated_at)
    summary.unchanged = len(payments) - len(batch)  # the copies that lost to a newer one
    stored = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                PAYMENTS.c.external_id,
                PAYMENTS.c.id,
                PAYMENTS.c.source_updated_at,
                PAYMENTS.c.content_hash,
            ).where(PAYMENTS.c.account_id == account_id, PAYMENTS.c.external_id.in_(batch))
        )
    }
    orders, customers = _links(session, list(batch.values()))
    fresh, changed = [], []
    for external_id, p in batch.items():
        row = _row(p, orders, customers, ctx)
        before = stored.get(external_id)
        if before is None:
            fresh.append(row | {"account_id": account_id, "external_id": external_id})
        elif is_stale(p.source_updated_at, before[1]) or row["content_hash"] == before[2]:
            summary.unchanged += 1
        else:
            changed.append(row | {"b_id": before[0], "b_since": p.source_updated_at})
    upsert(session, PAYMENTS, fresh, keys=["account_id", "external_id"], update=["status"])
    if changed:
        session.execute(_UPDATE, changed)
    summary.created, summary.updated = len(fresh), len(changed)
    return summary
