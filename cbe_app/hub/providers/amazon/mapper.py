"""Amazon SP-API orders into mapped orders.

Accepted payloads (response bodies exactly as Amazon returns them):

* Orders API v0 `getOrders`: `{"payload": {"Orders": [...], "NextToken": ...}}`, one order
  per element.
* Orders API v0 `getOrder`: `{"payload": {<Order>}}`.
* Orders API v0 `getOrderItems`: `{"payload": {"AmazonOrderId", "OrderItems": [...]}}` holds
  items, not an order (no status, date or marketplace), so it maps to no records and raises
  nothing. The connector takes the items with `order_items_of` (concatenating the call's
  pages) and puts them on the order as `OrderItems` before mapping the getOrders page or
  getOrder body; they become the order's lines and shipping.
* Orders API 2026-01-01 `searchOrders` (`{"orders": [...], "pagination": ...}`) and `getOrder`
  (`{"order": {...}}`), which carry items, proceeds and packages inline.
* `ORDER_CHANGE` notifications (`{"NotificationType": "ORDER_CHANGE", "Payload":
  {"OrderChangeNotification": ...}}`) map to no records: their summary has the status, the
  purchase date and the SKUs with quantities, but no price, buyer or address, and a record
  built from it would overwrite the order's total and lines with nothing. The connector
  reads the order again with `changed_order_id` and getOrder.

An error body (`{"errors": [...]}`) or any other shape raises `MappingError`.

Status keys: `provider_status` is v0 `OrderStatus` (also in notifications), or 2026-01-01
`fulfillment.fulfillmentStatus`, except that a `SHIPPED` order whose every package has
`packageStatus.status` `DELIVERED` gets the derived key `DELIVERED` (v0 has no delivery
status). Amazon has no payment status on orders, so `provider_payment_status` is the same
key and the status map's `payment` section says what each status means for the money
(Amazon authorises at checkout and charges when the order ships: Pending → pending,
Unshipped → authorized, Shipped → paid, Canceled → voided).

Amounts: `total` is v0 `OrderTotal` / 2026 `proceeds.grandTotal`, None while Amazon has not
priced the order (Pending); the currency is then the marketplace's (see `common.MARKETPLACES`),
as is the country when the shipping address is withheld. Refunds are not on orders (they come
from the Finances API), so `refunded` stays 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cbe_app.hub.canonical import Mapped, MapResult, RecordKind
from cbe_app.hub.providers.amazon import orders_2026, orders_v0
from cbe_app.hub.providers.amazon.common import PROVIDER, item_list, required_text
from cbe_app.hub.providers.parsing import MappingError, map_each, text

__all__ = ["PROVIDER", "changed_order_id", "map_payload", "order_items_of"]

ORDER_CHANGE = "ORDER_CHANGE"


def map_payload(payload: Any) -> MapResult:
    """Map an Orders API response or an ORDER_CHANGE notification (see the module docstring).

    Raises:
        MappingError: for an error body or a shape this mapper does not know.
    """
    if not isinstance(payload, Mapping):
        raise MappingError(f"an Amazon response is a JSON object, not {type(payload).__name__}")
    body = payload.get("payload")
    if isinstance(body, Mapping):
        return _map_v0(body)
    if "orders" in payload:
        return _each(payload["orders"], "orders", orders_2026.order_id, orders_2026.build_order)
    if "order" in payload:
        return _each([payload["order"]], "order", orders_2026.order_id, orders_2026.build_order)
    if "NotificationType" in payload:
        _check_order_change(payload)
        return MapResult()
    if "errors" in payload:
        raise MappingError(f"Amazon answered with errors: {_errors(payload['errors'])}")
    raise MappingError(
        "not an Amazon Orders API response or ORDER_CHANGE notification (expected payload, "
        "orders, order or NotificationType)"
    )


def order_items_of(payload: Any) -> tuple[str, list[Any]]:
    """The order id and items of a v0 getOrderItems response, for the connector to attach.

    Raises:
        MappingError: when the body is not a getOrderItems response.
    """
    body = payload.get("payload") if isinstance(payload, Mapping) else None
    if not isinstance(body, Mapping) or not _is_items_body(body):
        raise MappingError("not a getOrderItems response (expected payload.OrderItems)")
    return required_text(body, "AmazonOrderId"), item_list(body, orders_v0.ITEMS_KEY)


def changed_order_id(payload: Any) -> str:
    """The AmazonOrderId an ORDER_CHANGE notification is about (to read it again).

    Raises:
        MappingError: when the body is not an ORDER_CHANGE notification.
    """
    _check_order_change(payload)
    return required_text(payload, "Payload", "OrderChangeNotification", "AmazonOrderId")


def _map_v0(body: Mapping[str, Any]) -> MapResult:
    if "Orders" in body:
        return _each(body["Orders"], "payload.Orders", orders_v0.order_id, orders_v0.build_order)
    if _is_items_body(body):
        return MapResult()  # getOrderItems: the connector attaches these items to their order
    if "AmazonOrderId" in body:
        return _each([body], "payload", orders_v0.order_id, orders_v0.build_order)
    raise MappingError("not an Amazon Orders API v0 response (expected payload.Orders or an order)")


def _is_items_body(body: Mapping[str, Any]) -> bool:
    """getOrderItems' payload: items under an order id, without the order's own fields."""
    return orders_v0.ITEMS_KEY in body and "OrderStatus" not in body and "PurchaseDate" not in body


def _each(
    orders: Any, where: str, identify: Callable[[Any], str], build: Callable[[Any], Mapped]
) -> MapResult:
    if not isinstance(orders, list):
        raise MappingError(f"{where} is not a list of orders")
    return map_each(orders, PROVIDER, RecordKind.ORDER, identify, build)


def _check_order_change(payload: Any) -> None:
    kind = text(payload.get("NotificationType")) if isinstance(payload, Mapping) else ""
    if kind != ORDER_CHANGE:
        raise MappingError(f"Amazon notification type {kind!r} is not {ORDER_CHANGE}")


def _errors(errors: Any) -> str:
    if not isinstance(errors, list):
        return repr(errors)
    parts = (
        f"{text(e.get('code'))}: {text(e.get('message'))}" if isinstance(e, Mapping) else repr(e)
        for e in errors
    )
    return "; ".join(parts)
