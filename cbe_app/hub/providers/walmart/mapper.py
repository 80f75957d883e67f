"""Walmart Marketplace orders (Orders API v3) into mapped orders.

Accepted payloads (response bodies exactly as Walmart returns them):

* `GET /v3/orders` and `GET /v3/orders/released`: `{"list": {"meta": {"totalCount", "limit",
  "nextCursor"}, "elements": {"order": [...]}}}`, one order per element (a page without
  `elements.order` maps to nothing).
* `GET /v3/orders/{purchaseOrderId}`: `{"order": {...}}`.
* Order event notifications (`{"source": {"eventType": "PO_CREATED" | …}, "payload": …}`) map
  to no records: they carry SKUs and quantities but no charges, so an order built from them
  would have no prices. The connector reads the order with `event_order_id` and
  `GET /v3/orders/{purchaseOrderId}`.

An error body (`{"errors": …}`) or any other shape raises `MappingError`.

Fields: `external_id` is `purchaseOrderId` (one customer order, `customerOrderId`, can hold
several purchase orders, one per seller); `placed_at` is `orderDate` (epoch milliseconds);
`updated_at` is the latest line `statusDate` (Walmart has no order-level modified time);
`country` is `shippingInfo.postalAddress.country` as given ("USA"); e-mail is the relay
address in `customerEmailId`; lines are `item.sku`, `orderLineQuantity.amount` and the
unit price (see `lines`); tracking numbers come from the line statuses' `trackingInfo`, each
with the carrier Walmart names (`carrierName.carrier`, or `otherCarrier` for carriers outside
its list, such as 4PX). `total` is every charge with its tax over the lines not wholly
cancelled (Walmart charges the buyer when a line ships, so a cancelled line is never paid);
for an order cancelled whole it is the order's full value, and the payment key says nothing
was paid. `shipping` is the SHIPPING charges of the same lines; `refunded` is every refund
charge with its tax.

Status keys: Walmart orders have no status of their own, only their lines; `status` says how
`provider_status` and `provider_payment_status` are made from the line statuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cbe_app.hub.canonical import MappedOrder, MapResult, RecordKind
from cbe_app.hub.providers.parsing import MappingError, field, map_each, text, timestamp
from cbe_app.hub.providers.walmart.lines import OrderLine, read_line
from cbe_app.hub.providers.walmart.status import order_key, payment_key

PROVIDER = "walmart"


def map_payload(payload: Any) -> MapResult:
    """Map a Walmart orders response or order event (see the module docstring).

    Raises:
        MappingError: for an error body or a shape this mapper does not know.
    """
    if not isinstance(payload, Mapping):
        raise MappingError(f"a Walmart response is a JSON object, not {type(payload).__name__}")
    if isinstance(payload.get("list"), Mapping):
        orders = field(payload, "list", "elements", "order", default=[])
        if not isinstance(orders, list):
            raise MappingError("list.elements.order is not a list of orders")
        return map_each(orders, PROVIDER, RecordKind.ORDER, order_id, build_order)
    if "order" in payload:
        return map_each([payload["order"]], PROVIDER, RecordKind.ORDER, order_id, build_order)
    if isinstance(payload.get("source"), Mapping) and "payload" in payload:
        return MapResult()  # an order event: the connector reads the order it names
    if "errors" in payload:
        raise MappingError(f"Walmart answered with errors: {payload['errors']!r}")
    raise MappingError(
        "not a Walmart orders response or order event (expected list, order or source)"
    )


def event_order_id(payload: Any) -> str:
    """The purchaseOrderId an order event is about, to read the order again.

    PO_CREATED and PO_LINE_AUTOCANCELLED events carry it as `payload.purchaseOrderId`,
    ORDER_UPDATES events as `payload.order.purchaseOrderId`.

    Raises:
        MappingError: when the body is not an order event naming a purchase order.
    """
    body = payload.get("payload") if isinstance(payload, Mapping) else None
    if isinstance(body, Mapping):
        found = text(body.get("purchaseOrderId")) or text(
            field(body, "order", "purchaseOrderId", default="")
        )
        if found:
            return found
    raise MappingError("not a Walmart order event naming a purchaseOrderId")


def order_id(order: Any) -> str:
    """The purchaseOrderId of a raw order, for rejects ('' when unreadable)."""
    return text(order.get("purchaseOrderId")) if isinstance(order, Mapping) else ""


def build_order(order: Any) -> MappedOrder:
    """One Walmart purchase order as a mapped order.

    Raises:
        MappingError: when the id, date, a line or an amount is missing or unreadable.
    """
    if not isinstance(order, Mapping):
        raise MappingError(f"an order is not a JSON object: {order!r}")
    external_id = text(order.get("purchaseOrderId"))
    if not external_id:
        raise MappingError("purchaseOrderId is missing")
    raw_lines = (order.get("orderLines") or {}).get("orderLine")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise MappingError("orderLines.orderLine has no lines")
    lines = [read_line(raw, index) for index, raw in enumerate(raw_lines)]
    statuses = frozenset().union(*(line.statuses for line in lines))
    refunded = sum((line.refunded for line in lines), Decimal(0))
    status = order_key(statuses)
    billable = [line for line in lines if not line.cancelled] or lines
    shipping_info = order.get("shippingInfo") or {}
    tracking: dict[str, str] = {}  # number → carrier, first line first, without repeats
    for line in lines:
        for number, carrier in zip(line.tracking_numbers, line.tracking_carriers, strict=True):
            tracking.setdefault(number, carrier)
    address = shipping_info.get("postalAddress") or {}
    return MappedOrder(
        provider=PROVIDER,
        external_id=external_id,
        provider_status=status,
        provider_payment_status=payment_key(status, statuses, refunded),
        placed_at=timestamp(order.get("orderDate"), "orderDate"),
        updated_at=max((d for line in lines if (d := line.status_date)), default=None),
        currency=_currency(lines),
        total=sum((line.charged for line in billable), Decimal(0)),
        country=text(address.get("country")) or None,
        customer_email=text(order.get("customerEmailId")) or None,
        customer_name=text(address.get("name")),
        customer_phone=text(shipping_info.get("phone")),
        shipping=sum((line.shipping for line in billable), Decimal(0)),
        refunded=refunded,
        lines=tuple(line.line for line in lines),
        tracking_numbers=tuple(tracking),
        tracking_carriers=tuple(tracking.values()),
    )


def _currency(lines: list[OrderLine]) -> str:
    """The one currency every charge of the order is in."""
    currencies = frozenset().union(*(line.currencies for line in lines))
    if len(currencies) != 1:
        found = ", ".join(sorted(currencies)) or "none"
        raise MappingError(f"the order's charges must be in one currency, found {found}")
    return next(iter(currencies))
