"""The allow-list reports are built from: each source, its fields, and how to reach them.

A spec can name only what is listed here. Each field knows its type (which decides the
operators and aggregates that apply), the SQL expression behind it and the joins it needs.
Money fields are integers of the base currency's minor units; results turn them into amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from cbe_app.core.i18n import N_
from cbe_app.hub.accounts import Account
from cbe_app.hub.catalog import Carrier, Channel, Warehouse
from cbe_app.hub.orders import Customer, CustomerTag, SalesOrder, Shipment
from cbe_app.hub.payments import Payment
from cbe_app.reports.combined import (
    AD_SPEND,
    INVENTORY,
    MARKETING,
    PRODUCTS,
    SALES_DAYS,
    STOCK_DAYS,
)
from cbe_app.reports.fields import (
    CompileContext,
    Expr,
    FieldInfo,
    FieldType,
    Source,
    column_expr,
    region_expr,
    region_field,
    text_field,
)
from cbe_app.reports.sqlfunc import UtcDate

__all__ = [
    "ACCOUNTS",
    "AD_SPEND",
    "CARRIERS",
    "CHANNELS",
    "CUSTOMERS",
    "CUSTOMER_TAGS",
    "ORDERS",
    "PAYMENTS",
    "PRODUCTS",
    "SALES_DAYS",
    "SHIPMENTS",
    "SOURCES",
    "STOCK_DAYS",
    "WAREHOUSES",
    "CompileContext",
    "Expr",
    "FieldInfo",
    "FieldType",
    "Source",
    "region_expr",
]

ORDERS: Table = SalesOrder.__table__  # type: ignore[attr-defined]
CHANNELS: Table = Channel.__table__  # type: ignore[attr-defined]
CUSTOMERS: Table = Customer.__table__  # type: ignore[attr-defined]
CUSTOMER_TAGS: Table = CustomerTag.__table__  # type: ignore[attr-defined]
WAREHOUSES: Table = Warehouse.__table__  # type: ignore[attr-defined]
SHIPMENTS: Table = Shipment.__table__  # type: ignore[attr-defined]
CARRIERS: Table = Carrier.__table__  # type: ignore[attr-defined]
PAYMENTS: Table = Payment.__table__  # type: ignore[attr-defined]
ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]


_col, _text = column_expr, text_field


def _region(country: ColumnElement[Any]) -> Expr:
    return region_field(country, "").expr


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
    # An order of a customer with two tags counts under each; without tags, under none.
    "customer_tag": _text(N_("Customer tag"), CUSTOMER_TAGS.c.tag, "customer_tag"),
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
    "customer_tag": (CUSTOMER_TAGS, CUSTOMER_TAGS.c.customer_id == ORDERS.c.customer_id),
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
    "tag": _text(N_("Customer tag"), CUSTOMER_TAGS.c.tag, "tag"),
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
        {
            "stats": (_STATS, _STATS.c.customer_id == CUSTOMERS.c.id),
            "tag": (CUSTOMER_TAGS, CUSTOMER_TAGS.c.customer_id == CUSTOMERS.c.id),
        },
    ),
    "inventory": INVENTORY,
    "marketing": MARKETING,
}
