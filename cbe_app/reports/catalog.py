"""The allow-list reports are built from: each source, its fields, and how to reach them.

A spec can name only what is listed here. Each field knows its type (which decides the
operators and aggregates that apply), the SQL expression behind it and the joins it needs.
Money fields are integers of the base currency's minor units; results turn them into amounts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Integer,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from cbe_app.core.i18n import N_
from cbe_app.hub.accounts import Account
from cbe_app.hub.catalog import Carrier, Channel, Product, Warehouse
from cbe_app.hub.inventory import StockDay
from cbe_app.hub.marketing import AdSpend
from cbe_app.hub.orders import Customer, SalesOrder, Shipment
from cbe_app.hub.payments import Payment
from cbe_app.reports.models import COHORTS, ProductSalesDay
from cbe_app.reports.regions import OTHER
from cbe_app.reports.sqlfunc import UtcDate

FieldType = Literal["text", "number", "money", "date", "time", "bool", "id"]

ORDERS: Table = SalesOrder.__table__  # type: ignore[attr-defined]
CHANNELS: Table = Channel.__table__  # type: ignore[attr-defined]
CUSTOMERS: Table = Customer.__table__  # type: ignore[attr-defined]
WAREHOUSES: Table = Warehouse.__table__  # type: ignore[attr-defined]
SHIPMENTS: Table = Shipment.__table__  # type: ignore[attr-defined]
CARRIERS: Table = Carrier.__table__  # type: ignore[attr-defined]
PAYMENTS: Table = Payment.__table__  # type: ignore[attr-defined]
ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
PRODUCTS: Table = Product.__table__  # type: ignore[attr-defined]
STOCK_DAYS: Table = StockDay.__table__  # type: ignore[attr-defined]
SALES_DAYS: Table = ProductSalesDay.__table__  # type: ignore[attr-defined]
AD_SPEND: Table = AdSpend.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class CompileContext:
    """What field expressions depend on besides the tables: the region map and the day."""

    region_of: Mapping[str, str] = field(default_factory=dict)
    today: date = date(1970, 1, 1)  # the UTC day of the run's `now` (for "late")

    @property
    def key(self) -> tuple[Any, ...]:
        """Equal for contexts that make the same statements."""
        return (tuple(sorted(self.region_of.items())), self.today)


Expr = Callable[[CompileContext], ColumnElement[Any]]


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field a spec may use."""

    label: str  # message id
    type: FieldType
    expr: Expr
    joins: tuple[str, ...] = ()  # in the order they must be joined

    @property
    def numeric(self) -> bool:
        """Whether sums and averages apply."""
        return self.type in ("number", "money")


@dataclass(frozen=True, slots=True)
class Source:
    """A table (with optional joins) reports can read."""

    label: str
    table: FromClause
    time_field: str  # what a period filters by default
    fields: Mapping[str, FieldInfo]
    joins: Mapping[str, tuple[FromClause, ColumnElement[bool]]] = field(default_factory=dict)
    # What orders its rows the same way every time (listings page by it): the table's primary
    # key, or these columns of a source that is a union of tables.
    row_key: tuple[str, ...] = ()

    @property
    def ordering(self) -> list[ColumnElement[Any]]:
        """The columns that break ties between rows, always in the same way."""
        if self.row_key:
            return [self.table.c[name] for name in self.row_key]
        return list(self.table.primary_key)


def _col(column: ColumnElement[Any]) -> Expr:
    return lambda _ctx: column


def region_expr(country: ColumnElement[Any], ctx: CompileContext) -> ColumnElement[Any]:
    """The region of a country column, by the admin's region map."""
    if not ctx.region_of:
        return literal(OTHER)
    # One IN list per region (SQLite looks each up in a small index, not one WHEN per
    # country); codes and names are bound as parameters like any other value.
    regions: dict[str, list[str]] = {}
    for code, region in sorted(ctx.region_of.items()):
        regions.setdefault(region, []).append(code)
    whens = [(country.in_(codes), literal(region)) for region, codes in regions.items()]
    return case(*whens, else_=literal(OTHER))


def _region(country: ColumnElement[Any]) -> Expr:
    return lambda ctx: region_expr(country, ctx)


def _text(label: str, column: ColumnElement[Any], *joins: str) -> FieldInfo:
    return FieldInfo(label, "text", _col(column), joins)


_NET_MINOR = case(
    (ORDERS.c.status == "cancelled", 0),
    else_=ORDERS.c.total_base_minor - ORDERS.c.refunded_base_minor,
)

_ORDER_FIELDS: dict[str, FieldInfo] = {
    "id": FieldInfo(N_("Order"), "id", _col(ORDERS.c.id)),
    "external_id": _text(N_("Order number"), ORDERS.c.external_id),
    "status": _text(N_("Status"), ORDERS.c.status),
    "payment_status": _text(N_("Payment status"), ORDERS.c.payment_status),
    "provider_status": _text(N_("Channel status"), ORDERS.c.provider_status),
    "placed_at": FieldInfo(N_("Placed"), "time", _col(ORDERS.c.placed_at)),
    "currency": _text(N_("Currency"), ORDERS.c.currency),
    "country": _text(N_("Country"), ORDERS.c.country),
    "region": FieldInfo(N_("Region"), "text", _region(ORDERS.c.country)),
    "channel": _text(N_("Channel"), CHANNELS.c.name, "channel"),
    "channel_code": _text(N_("Channel code"), CHANNELS.c.code, "channel"),
    "provider": _text(N_("Platform"), CHANNELS.c.provider, "channel"),
    "warehouse": _text(N_("Warehouse"), WAREHOUSES.c.code, "warehouse"),
    "customer_id": FieldInfo(N_("Customer"), "id", _col(ORDERS.c.customer_id)),
    "customer_email": _text(N_("Customer e-mail"), CUSTOMERS.c.email, "customer"),
    "total_base": FieldInfo(N_("Order total"), "money", _col(ORDERS.c.total_base_minor)),
    "refunded_base": FieldInfo(N_("Refunded"), "money", _col(ORDERS.c.refunded_base_minor)),
    "net_base": FieldInfo(N_("Net of cancellations and refunds"), "money", _col(_NET_MINOR)),
    "cancelled": FieldInfo(N_("Cancelled"), "bool", _col(ORDERS.c.status == "cancelled")),
    "refunded": FieldInfo(N_("Refunded"), "bool", _col(ORDERS.c.refunded_base_minor > 0)),
    "fx_source": _text(N_("Rate source"), ORDERS.c.fx_source),
}

_ORDER_JOINS: dict[str, tuple[FromClause, ColumnElement[bool]]] = {
    "channel": (CHANNELS, CHANNELS.c.id == ORDERS.c.channel_id),
    "warehouse": (WAREHOUSES, WAREHOUSES.c.id == ORDERS.c.warehouse_id),
    "customer": (CUSTOMERS, CUSTOMERS.c.id == ORDERS.c.customer_id),
}

_DELIVERED_DAY = UtcDate(SHIPMENTS.c.delivered_at)
_ON_TIME = and_(
    SHIPMENTS.c.delivered_at.is_not(None),
    SHIPMENTS.c.promised_on.is_not(None),
    SHIPMENTS.c.promised_on >= _DELIVERED_DAY,
)


def _late(ctx: CompileContext) -> ColumnElement[Any]:
    """Past its promised day: delivered after it, or still on the way when it has gone by."""
    return and_(
        SHIPMENTS.c.promised_on.is_not(None),
        or_(
            and_(SHIPMENTS.c.delivered_at.is_not(None), SHIPMENTS.c.promised_on < _DELIVERED_DAY),
            and_(SHIPMENTS.c.delivered_at.is_(None), SHIPMENTS.c.promised_on < ctx.today),
        ),
    )


_SHIPMENT_FIELDS: dict[str, FieldInfo] = {
    "id": FieldInfo(N_("Shipment"), "id", _col(SHIPMENTS.c.id)),
    "tracking_number": _text(N_("Tracking number"), SHIPMENTS.c.tracking_number),
    "status": _text(N_("Status"), SHIPMENTS.c.status),
    "carrier": _text(N_("Carrier"), CARRIERS.c.name, "carrier"),
    "carrier_code": _text(N_("Carrier code"), CARRIERS.c.code, "carrier"),
    "service": _text(N_("Service"), SHIPMENTS.c.service),
    "shipped_at": FieldInfo(N_("Shipped"), "time", _col(SHIPMENTS.c.shipped_at)),
    "delivered_at": FieldInfo(N_("Delivered"), "time", _col(SHIPMENTS.c.delivered_at)),
    "promised_on": FieldInfo(N_("Promised by"), "date", _col(SHIPMENTS.c.promised_on)),
    "delivered": FieldInfo(N_("Delivered"), "bool", _col(SHIPMENTS.c.delivered_at.is_not(None))),
    "with_promise": FieldInfo(
        N_("Has a promised date"), "bool", _col(SHIPMENTS.c.promised_on.is_not(None))
    ),
    "on_time": FieldInfo(N_("Delivered on time"), "bool", _col(_ON_TIME)),
    "late": FieldInfo(N_("Late"), "bool", _late),
    "destination_country": _text(N_("Destination country"), ORDERS.c.country, "order"),
    "destination_region": FieldInfo(
        N_("Destination region"), "text", _region(ORDERS.c.country), ("order",)
    ),
    "channel": _text(N_("Channel"), CHANNELS.c.name, "order", "channel"),
}

_SHIPMENT_JOINS: dict[str, tuple[FromClause, ColumnElement[bool]]] = {
    "carrier": (CARRIERS, CARRIERS.c.id == SHIPMENTS.c.carrier_id),
    "order": (ORDERS, ORDERS.c.id == SHIPMENTS.c.order_id),
    "channel": (CHANNELS, CHANNELS.c.id == ORDERS.c.channel_id),
}

_PAYMENT_FIELDS: dict[str, FieldInfo] = {
    "id": FieldInfo(N_("Payment"), "id", _col(PAYMENTS.c.id)),
    "external_id": _text(N_("Transaction"), PAYMENTS.c.external_id),
    "provider": _text(N_("Payment provider"), PAYMENTS.c.provider),
    "account": _text(N_("Account"), ACCOUNTS.c.name, "account"),
    "kind": _text(N_("Kind"), PAYMENTS.c.kind),
    "status": _text(N_("Status"), PAYMENTS.c.status),
    "currency": _text(N_("Currency"), PAYMENTS.c.currency),
    "amount_base": FieldInfo(N_("Amount"), "money", _col(PAYMENTS.c.amount_base_minor)),
    "occurred_at": FieldInfo(N_("Occurred"), "time", _col(PAYMENTS.c.occurred_at)),
    "order_id": FieldInfo(N_("Order"), "id", _col(PAYMENTS.c.order_id)),
    "customer_id": FieldInfo(N_("Customer"), "id", _col(PAYMENTS.c.customer_id)),
}

_PAYMENT_JOINS: dict[str, tuple[FromClause, ColumnElement[bool]]] = {
    "account": (ACCOUNTS, ACCOUNTS.c.id == PAYMENTS.c.account_id),
}

# Each customer's history, from their orders: the first order fixes the cohort.
_STATS = (
    select(
        ORDERS.c.customer_id.label("customer_id"),
        func.min(ORDERS.c.placed_at).label("first_order_at"),
        func.count(ORDERS.c.id).label("orders"),
        func.coalesce(func.sum(_NET_MINOR), 0).label("revenue_minor"),
    )
    .where(ORDERS.c.customer_id.is_not(None))
    .group_by(ORDERS.c.customer_id)
    .subquery("customer_stats")
)

_CUSTOMER_FIELDS: dict[str, FieldInfo] = {
    "id": FieldInfo(N_("Customer"), "id", _col(CUSTOMERS.c.id)),
    "country": _text(N_("Country"), CUSTOMERS.c.country),
    "region": FieldInfo(N_("Region"), "text", _region(CUSTOMERS.c.country)),
    "created_at": FieldInfo(N_("First seen"), "time", _col(CUSTOMERS.c.created_at)),
    "first_order_at": FieldInfo(
        N_("First order"), "time", _col(_STATS.c.first_order_at), ("stats",)
    ),
    "orders": FieldInfo(
        N_("Orders"), "number", _col(func.coalesce(_STATS.c.orders, 0)), ("stats",)
    ),
    "revenue_base": FieldInfo(
        N_("Revenue"), "money", _col(func.coalesce(_STATS.c.revenue_minor, 0)), ("stats",)
    ),
    "buyer": FieldInfo(
        N_("Has ordered"), "bool", _col(func.coalesce(_STATS.c.orders, 0) >= 1), ("stats",)
    ),
    "repeat_buyer": FieldInfo(
        N_("Ordered again"), "bool", _col(func.coalesce(_STATS.c.orders, 0) >= 2), ("stats",)
    ),
}


def _zero() -> Any:
    return literal(0, BigInteger)


# Inventory: each day's stock (per warehouse and product) beside each day's product sales, as
# one set of rows, so that one spec sets the cost of goods sold against the stock it came from.
_INVENTORY = union_all(
    select(
        STOCK_DAYS.c.day,
        STOCK_DAYS.c.warehouse_id,
        STOCK_DAYS.c.product_id,
        cast(STOCK_DAYS.c.on_hand, BigInteger).label("on_hand"),
        STOCK_DAYS.c.value_base_minor.label("stock_value_minor"),
        _zero().label("units_sold"),
        _zero().label("cogs_minor"),
        _zero().label("revenue_minor"),
        literal(True, Boolean).label("snapshot"),
    ),
    select(
        SALES_DAYS.c.day,
        cast(null(), Integer).label("warehouse_id"),
        SALES_DAYS.c.product_id,
        _zero(),
        _zero(),
        cast(SALES_DAYS.c.units, BigInteger),
        SALES_DAYS.c.cogs_base_minor,
        SALES_DAYS.c.revenue_base_minor,
        literal(False, Boolean),
    ),
).subquery("inventory")
_INV = _INVENTORY.c

_INVENTORY_FIELDS: dict[str, FieldInfo] = {
    "day": FieldInfo(N_("Day"), "date", _col(_INV.day)),
    "warehouse": _text(N_("Warehouse"), WAREHOUSES.c.code, "warehouse"),
    "warehouse_country": _text(N_("Warehouse country"), WAREHOUSES.c.country, "warehouse"),
    "sku": _text(N_("SKU"), PRODUCTS.c.sku, "product"),
    "product": _text(N_("Product"), PRODUCTS.c.name, "product"),
    "category": _text(N_("Category"), PRODUCTS.c.category, "product"),
    "on_hand": FieldInfo(N_("Units on hand"), "number", _col(_INV.on_hand)),
    "stock_value_base": FieldInfo(N_("Stock value at cost"), "money", _col(_INV.stock_value_minor)),
    "units_sold": FieldInfo(N_("Units sold"), "number", _col(_INV.units_sold)),
    "cogs_base": FieldInfo(N_("Cost of goods sold"), "money", _col(_INV.cogs_minor)),
    "revenue_base": FieldInfo(N_("Sales of the products"), "money", _col(_INV.revenue_minor)),
    "snapshot": FieldInfo(N_("Stock record"), "bool", _col(_INV.snapshot)),
}

_INVENTORY_JOINS: dict[str, tuple[FromClause, ColumnElement[bool]]] = {
    "warehouse": (WAREHOUSES, WAREHOUSES.c.id == _INV.warehouse_id),
    "product": (PRODUCTS, PRODUCTS.c.id == _INV.product_id),
}

# Marketing: what advertising cost each day (per platform, campaign and country) beside the
# customers whose first order fell on that day (the cohorts rollup, as of its last compaction).
_MARKETING = union_all(
    select(
        AD_SPEND.c.day,
        AD_SPEND.c.country,
        AD_SPEND.c.platform,
        AD_SPEND.c.campaign,
        AD_SPEND.c.spend_base_minor.label("spend_minor"),
        func.coalesce(AD_SPEND.c.impressions, 0).label("impressions"),
        func.coalesce(AD_SPEND.c.clicks, 0).label("clicks"),
        _zero().label("new_customers"),
        _zero().label("repeat_customers"),
        _zero().label("cohort_revenue_minor"),
        AD_SPEND.c.id.label("row_id"),
    ),
    select(
        COHORTS.c.day,
        COHORTS.c.country,
        cast(null(), String),
        cast(null(), String),
        _zero(),
        _zero(),
        _zero(),
        COHORTS.c.buyers,
        COHORTS.c.repeat_buyers,
        COHORTS.c.revenue_minor,
        literal(0, Integer),
    ),
).subquery("marketing")
_MKT = _MARKETING.c

_MARKETING_FIELDS: dict[str, FieldInfo] = {
    "day": FieldInfo(N_("Day"), "date", _col(_MKT.day)),
    "country": _text(N_("Country"), _MKT.country),
    "region": FieldInfo(N_("Region"), "text", _region(_MKT.country)),
    "platform": _text(N_("Ad platform"), _MKT.platform),
    "campaign": _text(N_("Campaign"), _MKT.campaign),
    "spend_base": FieldInfo(N_("Ad spend"), "money", _col(_MKT.spend_minor)),
    "impressions": FieldInfo(N_("Impressions"), "number", _col(_MKT.impressions)),
    "clicks": FieldInfo(N_("Clicks"), "number", _col(_MKT.clicks)),
    "new_customers": FieldInfo(N_("New customers"), "number", _col(_MKT.new_customers)),
    "repeat_customers": FieldInfo(
        N_("New customers who ordered again"), "number", _col(_MKT.repeat_customers)
    ),
    "cohort_revenue_base": FieldInfo(
        N_("Revenue from new customers to date"), "money", _col(_MKT.cohort_revenue_minor)
    ),
}

SOURCES: Mapping[str, Source] = {
    "orders": Source(N_("Orders"), ORDERS, "placed_at", _ORDER_FIELDS, _ORDER_JOINS),
    "shipments": Source(
        N_("Shipments"), SHIPMENTS, "shipped_at", _SHIPMENT_FIELDS, _SHIPMENT_JOINS
    ),
    "payments": Source(N_("Payments"), PAYMENTS, "occurred_at", _PAYMENT_FIELDS, _PAYMENT_JOINS),
    "customers": Source(
        N_("Customers"),
        CUSTOMERS,
        "first_order_at",
        _CUSTOMER_FIELDS,
        {"stats": (_STATS, _STATS.c.customer_id == CUSTOMERS.c.id)},
    ),
    "inventory": Source(
        N_("Inventory"),
        _INVENTORY,
        "day",
        _INVENTORY_FIELDS,
        _INVENTORY_JOINS,
        row_key=("day", "product_id", "snapshot", "warehouse_id"),
    ),
    "marketing": Source(
        N_("Marketing"), _MARKETING, "day", _MARKETING_FIELDS, row_key=("day", "country", "row_id")
    ),
}
