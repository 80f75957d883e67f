"""The one vocabulary of the hub, and the records provider mappers produce.

A mapper turns a provider payload into `Mapped*` records: still in the provider's terms
(its status strings, its currency strings, its country spelling), but in one shape. The
normaliser (`hub/normalise.py`) then turns them into canonical records: statuses from the
admin-editable status maps, ISO countries, E.164 phones, minor units and base currency. A
record that cannot be mapped or normalised becomes a `Reject` with a reason and its raw
payload, for quarantine: nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class OrderStatus(StrEnum):
    """Where an order is, whatever the channel calls it."""

    PENDING = "pending"
    AWAITING_FULFILLMENT = "awaiting_fulfillment"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class PaymentStatus(StrEnum):
    """Where the money of an order or a payment is."""

    PENDING = "pending"
    AUTHORIZED = "authorized"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    FAILED = "failed"


class ShipmentStatus(StrEnum):
    """Where a parcel is, whatever the carrier calls it."""

    LABEL_CREATED = "label_created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    CUSTOMS = "customs"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED = "returned"


class RecordKind(StrEnum):
    """The kinds of record the hub syncs."""

    ORDER = "order"
    SHIPMENT = "shipment"
    PAYMENT = "payment"
    AD_SPEND = "ad_spend"


VOCABULARIES: dict[str, type[StrEnum]] = {
    "order": OrderStatus,
    "payment": PaymentStatus,
    "shipment": ShipmentStatus,
}


@dataclass(frozen=True, slots=True)
class MappedLine:
    """One order line as the channel reports it (price per unit, in the order's currency)."""

    sku: str
    quantity: int
    unit_price: Decimal
    title: str = ""


@dataclass(frozen=True, slots=True)
class MappedOrder:
    """An order in the channel's own terms, in the hub's shape.

    `provider_status` and `provider_payment_status` are the keys the status maps translate;
    a mapper that reads several provider fields (Shopify's fulfilment and cancellation) joins
    them into one documented key. `total` is None when the channel has not priced the order
    yet (Amazon's Pending orders).
    """

    provider: str
    external_id: str
    provider_status: str
    provider_payment_status: str
    placed_at: datetime
    updated_at: datetime | None
    currency: str | None
    total: Decimal | None
    country: str | None
    customer_email: str | None
    customer_name: str = ""
    customer_phone: str = ""
    customer_ref: str = ""
    shipping: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    lines: tuple[MappedLine, ...] = ()
    tracking_numbers: tuple[str, ...] = ()
    # The carrier of each tracking number as the channel wrote it ("FedEx", "DHL Express"),
    # aligned with `tracking_numbers`; "" (or a shorter tuple) where the channel does not say.
    tracking_carriers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MappedTrackingEvent:
    """One scan or status change of a parcel."""

    at: datetime
    provider_status: str
    description: str = ""
    location: str = ""


@dataclass(frozen=True, slots=True)
class MappedShipment:
    """A parcel as the carrier reports it; `provider_status` is its latest status."""

    provider: str
    tracking_number: str
    provider_status: str
    events: tuple[MappedTrackingEvent, ...] = ()
    order_ref: str = ""
    service: str = ""
    updated_at: datetime | None = None
    delivered_at: datetime | None = None
    promised_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MappedPayment:
    """A charge, capture, or refund as the payment provider reports it."""

    provider: str
    external_id: str
    provider_status: str
    currency: str
    amount: Decimal
    created_at: datetime
    updated_at: datetime | None = None
    order_ref: str = ""
    refunded: Decimal = Decimal(0)
    customer_email: str | None = None
    kind: str = "charge"  # charge | refund


@dataclass(frozen=True, slots=True)
class MappedAdSpend:
    """What one campaign cost on one day (in one country), as an ad platform's export says.

    Text fields are as the export wrote them (trimmed); the normaliser checks their lengths and
    turns the country and currency into ISO codes. `row` is the sheet row it came from (0 when
    unknown), so that every reason names it.
    """

    provider: str
    day: date
    platform: str
    campaign: str
    country: str
    currency: str
    spend: Decimal
    impressions: int | None = None
    clicks: int | None = None
    row: int = 0

    @property
    def key(self) -> str:
        """Its natural key as one string (day|platform|campaign|country), as quarantine names it."""
        names = (self.platform.strip(), self.campaign.strip(), self.country.strip())
        return ad_spend_key(self.day.isoformat(), *names)


def ad_spend_key(day: str, platform: str, campaign: str, country: str) -> str:
    """The quarantine's name of an ad-spend record: its natural key joined by `|`."""
    return f"{day}|{platform}|{campaign}|{country}"


Mapped = MappedOrder | MappedShipment | MappedPayment
# What a mapper's result holds: the records providers sync, and the rows of ad-spend exports.
MappedRecord = Mapped | MappedAdSpend


@dataclass(frozen=True, slots=True)
class Reject:
    """A record that could not be mapped: why, and the raw payload to fix and retry."""

    provider: str
    kind: RecordKind
    external_id: str
    reason: str
    raw: Any


@dataclass
class MapResult:
    """What a mapper made of one payload: the records, and the records it had to reject.

    `raws[i]` is the provider payload `records[i]` came from, kept so that a record the
    normaliser refuses can be quarantined with it. Add records with `add` (or `map_each`).
    """

    records: list[MappedRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    raws: list[Any] = field(default_factory=list)

    def add(self, record: MappedRecord, raw: Any) -> None:
        """Add a record with the payload it came from."""
        self.records.append(record)
        self.raws.append(raw)

    def raw_of(self, index: int) -> Any:
        """The payload of `records[index]` (None if a mapper added records without one)."""
        return self.raws[index] if len(self.raws) == len(self.records) else None

    def extend(self, other: MapResult) -> None:
        """Add another result's records and rejects to this one."""
        self.records.extend(other.records)
        self.rejects.extend(other.rejects)
        self.raws.extend(
            other.raws if len(other.raws) == len(other.records) else [None] * len(other.records)
        )
