"""One page of mapped records into the hub: normalise, quarantine what fails, write the rest.

Everything happens in the caller's transaction, so a sync commits a page's records, its
quarantine entries and the cursor after it together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, select
from sqlmodel import Session

from cbe_app.hub.canonical import (
    MappedAdSpend,
    MappedOrder,
    MappedPayment,
    MappedShipment,
    MapResult,
    RecordKind,
)
from cbe_app.hub.ingest.adspend import ingest_ad_spend
from cbe_app.hub.ingest.context import IngestContext, IngestSummary
from cbe_app.hub.ingest.orders import ingest_orders, order_hash
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
from cbe_app.hub.normalise_adspend import AdSpend, normalise_ad_spend
from cbe_app.hub.runs import QuarantineItem

_QUARANTINE = QuarantineItem.__table__  # type: ignore[attr-defined]


def _identity(record: Any) -> tuple[RecordKind, str]:
    if isinstance(record, MappedOrder):
        return RecordKind.ORDER, record.external_id
    if isinstance(record, MappedShipment):
        return RecordKind.SHIPMENT, record.tracking_number
    if isinstance(record, MappedAdSpend):
        return RecordKind.AD_SPEND, record.key
    return RecordKind.PAYMENT, record.external_id


@dataclass(slots=True)
class NormalisedPage:
    """A page's canonical records by kind, and (kind, id, reason, raw) of each that failed.

    Everything a write needs and nothing tied to a database, so that a page can be prepared in
    another process while the previous one is written (see `hub.readahead`).
    """

    orders: list[Order] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    failed: list[tuple[RecordKind, str, str, Any]] = field(default_factory=list)
    order_digests: list[str] | None = None  # order_hash of each order, when worked out ahead
    # (kind, id) of records whose last copy in a batch of pages failed: a good earlier copy
    # is written, but must not release what the later copy put in quarantine.
    still_held: set[tuple[str, str]] = field(default_factory=set)
    ad_spend: list[AdSpend] = field(default_factory=list)  # days of spend (file imports only)

    @property
    def size(self) -> int:
        """How many records the page brought, failed ones included."""
        kept = len(self.orders) + len(self.shipments) + len(self.payments) + len(self.ad_spend)
        return kept + len(self.failed)

    @classmethod
    def joined(cls, pages: list[NormalisedPage]) -> NormalisedPage:
        """Several pages as one, in order (a later copy of a record stays the later one)."""
        if len(pages) == 1:
            return pages[0]
        digests = [page.order_digests for page in pages]
        last_good: dict[tuple[str, str], int] = {}
        for n, page in enumerate(pages):
            for kind, key in page.accepted_keys():
                last_good[kind, key] = n
        return cls(
            orders=[o for page in pages for o in page.orders],
            shipments=[s for page in pages for s in page.shipments],
            payments=[p for page in pages for p in page.payments],
            failed=[f for page in pages for f in page.failed],
            order_digests=None if None in digests else [d for ds in digests if ds for d in ds],
            still_held={
                (kind.value, key)
                for n, page in enumerate(pages)
                for kind, key, *_ in page.failed
                if last_good.get((kind.value, key), n) < n
            },
            ad_spend=[a for page in pages for a in page.ad_spend],
        )

    def accepted_keys(self) -> list[tuple[str, str]]:
        """(kind, id) of every record normalised, as the quarantine names them."""
        return (
            [("order", o.external_id) for o in self.orders]
            + [("shipment", s.tracking_number) for s in self.shipments]
            + [("payment", p.external_id) for p in self.payments]
            + [("ad_spend", a.ref) for a in self.ad_spend]
        )


def normalise_records(result: MapResult, ctx: IngestContext) -> NormalisedPage:
    """Canonical records by kind, and (kind, id, reason, raw) of each one that failed; the
    mapper's rejects are left out (`normalise_page` adds them)."""
    page = NormalisedPage()
    for index, record in enumerate(result.records):
        try:
            if isinstance(record, MappedOrder):
                page.orders.append(
                    normalise_order(record, ctx.maps, ctx.fx, ctx.base_currency, ctx.skus)
                )
            elif isinstance(record, MappedShipment):
                page.shipments.append(normalise_shipment(record, ctx.maps))
            elif isinstance(record, MappedPayment):
                page.payments.append(normalise_payment(record, ctx.maps, ctx.fx, ctx.base_currency))
            elif isinstance(record, MappedAdSpend):
                page.ad_spend.append(normalise_ad_spend(record, ctx.fx, ctx.base_currency))
        except NormalisationError as exc:
            kind, external_id = _identity(record)
            page.failed.append((kind, external_id, str(exc), result.raw_of(index)))
    return page


def normalise_page(result: MapResult, ctx: IngestContext) -> NormalisedPage:
    """The page ready to write: its records normalised, the mapper's rejects among the failed."""
    page = normalise_records(result, ctx)
    for reject in result.rejects:
        page.failed.append((reject.kind, reject.external_id, reject.reason, reject.raw))
    page.order_digests = [order_hash(order) for order in page.orders]
    return page


def ingest_page(session: Session, result: MapResult, ctx: IngestContext) -> IngestSummary:
    """Write a page; returns its counts (rejected and unnormalisable records are quarantined)."""
    return write_page(session, normalise_page(result, ctx), ctx)


def write_page(session: Session, page: NormalisedPage, ctx: IngestContext) -> IngestSummary:
    """Write a normalised page: quarantine what failed, upsert the rest, release what now fits."""
    account = ctx.account
    for kind, external_id, reason, raw in page.failed:
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
    summary = IngestSummary(quarantined=len(page.failed))
    summary.add(ingest_orders(session, page.orders, ctx, page.order_digests))
    summary.add(ingest_shipments(session, page.shipments, ctx))
    summary.add(ingest_payments(session, page.payments, ctx))
    summary.add(ingest_ad_spend(session, page.ad_spend, ctx))
    if _has_open_quarantine(session, account.id):
        accepted: dict[str, list[str]] = {
            "order": [],
            "shipment": [],
            "payment": [],
            "ad_spend": [],
        }
        for name, key in page.accepted_keys():
            if (name, key) not in page.still_held:
                accepted[name].append(key)
        for name, keys in accepted.items():
            release(session, account.id, name, keys, ctx.now)
    return summary


def _has_open_quarantine(session: Session, account_id: int) -> bool:
    # Checked first because releasing costs an UPDATE over the page's ids, rarely needed.
    query = select(
        exists().where(_QUARANTINE.c.account_id == account_id, _QUARANTINE.c.status == "open")
    )
    return bool(session.scalar(query))
