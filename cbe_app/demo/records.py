"""The demo business as plain records, independent of any table or provider format.

The generator produces these; the loader writes them into the canonical tables, and the
provider sandboxes render the same records in each provider's wire format. Money is in
integer minor units of the named currency; times are timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ChannelRec:
    """A sales channel account (one marketplace or shop)."""

    code: str  # stable key, e.g. "amazon"
    name: str  # shown to users, e.g. "Amazon"
    provider: str  # amazon | shopify | ebay | walmart | woocommerce


@dataclass(frozen=True, slots=True)
class WarehouseRec:
    """A place stock is kept and shipped from."""

    code: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    city: str


@dataclass(frozen=True, slots=True)
class CarrierRec:
    """A parcel carrier and the services used with it."""

    code: str
    name: str
    provider: str  # fedex | dhl | 4px
    services: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SupplierRec:
    """A manufacturer or trader the company buys from."""

    code: str
    name: str
    country: str
    currency: str
    lead_time_days: int
    email: str


@dataclass(frozen=True, slots=True)
class ProductRec:
    """A sellable item, one SKU across every channel."""

    sku: str
    name: str
    category: str
    hs_code: str  # 6-digit Harmonized System code
    origin_country: str
    weight_g: int
    unit_cost_minor: int  # purchase cost in `cost_currency`
    cost_currency: str
    list_price_minor: int  # selling price in USD before local rounding
    supplier_code: str
    moq: int  # supplier's minimum order quantity
    case_pack: int  # units per carton


@dataclass(frozen=True, slots=True)
class CustomerRec:
    """A buyer; the same person may order on several channels."""

    key: str  # stable id, e.g. "C000123"
    email: str
    name: str
    phone: str  # E.164
    country: str


@dataclass(frozen=True, slots=True)
class StockRec:
    """Units of a SKU on hand in a warehouse."""

    warehouse_code: str
    sku: str
    on_hand: int


@dataclass(frozen=True, slots=True)
class OrderLineRec:
    """One line of an order."""

    sku: str
    quantity: int
    unit_price_minor: int  # in the order's currency


@dataclass(frozen=True, slots=True)
class ShipmentRec:
    """The parcel that carried an order."""

    carrier_code: str
    service: str
    tracking_number: str
    # label_created | picked_up | in_transit | customs | out_for_delivery | delivered | exception
    # | returned
    status: str
    shipped_at: datetime
    promised_on: date
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class OrderRec:
    """An order as the channel reports it, with its shipment when it has one."""

    channel_code: str
    external_id: str
    placed_at: datetime
    # pending | awaiting_fulfillment | partially_shipped | shipped | delivered | cancelled
    # | returned
    status: str
    payment_status: (
        str  # pending | authorized | paid | partially_refunded | refunded | voided | failed
    )
    currency: str
    country: str
    customer_key: str
    warehouse_code: str
    lines: tuple[OrderLineRec, ...]
    shipping_minor: int
    total_minor: int  # lines + shipping, in `currency`
    refunded_minor: int
    shipment: ShipmentRec | None


class DemoDataset(Protocol):
    """A generated business: reference records up front, orders on demand by index range."""

    seed: int
    end: date
    order_count: int
    channels: tuple[ChannelRec, ...]
    warehouses: tuple[WarehouseRec, ...]
    carriers: tuple[CarrierRec, ...]
    suppliers: tuple[SupplierRec, ...]
    products: tuple[ProductRec, ...]
    customers: tuple[CustomerRec, ...]
    stock: tuple[StockRec, ...]

    def orders(self, start: int = 0, stop: int | None = None) -> Iterator[OrderRec]:
        """Orders `start`..`stop` (exclusive) in order of `placed_at`; the same on every call."""
        ...

    def expected_orders(self) -> dict[date, float]:
        """Orders expected on each day of the period (the volume curve the orders follow)."""
        ...

    def popularity(self) -> tuple[float, ...]:
        """Each product's share of the units sold, in the order of `products`."""
        ...
