"""WooCommerce REST API v3 orders in the hub's shape.

Accepted payloads (`map_payload` tells them apart by shape):

- `GET /wp-json/wc/v3/orders`: a bare JSON array of orders (one page);
- `GET /wp-json/wc/v3/orders/<id>` (and the bodies of `POST`/`PUT`/`DELETE` on it): one
  order object; the `order.created` / `order.updated` webhooks deliver the same object;
- `POST /wp-json/wc/v3/orders/batch`: `{"create": [...], "update": [...], "delete": [...]}`.
  Orders under `delete` were removed by that call, so they map with the status key `trash`
  whatever status they had, and the hub stops counting them as live.

Status keys: `provider_status` is `status` (pending, processing, on-hold, completed,
cancelled, refunded, failed, trash, checkout-draft). `provider_payment_status` is derived,
first match wins:

1. `refunded` — `status` is refunded, or the `refunds` add up to the order total;
2. `partially_refunded` — some refund exists;
3. `failed` — `status` is failed;
4. `paid` — `date_paid_gmt` is set, or `status` is processing or completed (WooCommerce's own
   "paid statuses": older orders and some gateways never set `date_paid`);
5. `cancelled` — `status` is cancelled or trash and the order was never paid;
6. `unpaid` — anything else (pending, on-hold, checkout-draft).

Times are the `*_gmt` fields (UTC without an offset; the others are the site's local time).
A line's SKU is its `sku`, falling back to its `variation_id`, then its `product_id`, when the
product has none; its unit price is `subtotal / quantity` (before coupons, without tax, like the
other channels' list price). The destination is the shipping country, or the billing country for
orders that ship nothing; the e-mail is the billing e-mail. Tracking numbers come from the
official Shipment Tracking extension's `_wc_shipment_tracking_items` order meta, when present,
each with its carrier: the extension's `tracking_provider` slug (`fedex`, `dhl-express`, …), or
the `custom_tracking_provider` name the shop typed for other carriers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from cbe_app.hub.canonical import MappedLine, MappedOrder, MapResult, RecordKind
from cbe_app.hub.providers.parsing import (
    MappingError,
    field,
    map_each,
    money,
    optional_timestamp,
    text,
    timestamp,
)

PROVIDER = "woocommerce"
_PAID_STATUSES = frozenset({"processing", "completed"})
_DEAD_STATUSES = frozenset({"cancelled", "trash"})
_BATCH_PARTS = ("create", "update", "delete")
_TRACKING_META = "_wc_shipment_tracking_items"


def map_payload(payload: Any) -> MapResult:
    """Map an orders page, a single order (or webhook body), or a batch response.

    Raises:
        MappingError: when the payload is none of those.
    """
    if isinstance(payload, list):
        return _map(payload, build_order)
    if isinstance(payload, Mapping):
        if "id" in payload and ("line_items" in payload or "order_key" in payload):
            return _map((payload,), build_order)
        if any(isinstance(payload.get(part), list) for part in _BATCH_PARTS):
            result = _map(payload.get("create") or (), build_order)
            result.extend(_map(payload.get("update") or (), build_order))
            result.extend(_map(payload.get("delete") or (), build_deleted_order))
            return result
        raise MappingError(
            "not a WooCommerce order, orders page or batch response: an object with keys "
            + ", ".join(sorted(map(str, payload))[:8])
        )
    raise MappingError(f"not a WooCommerce orders payload: {type(payload).__name__}")


def _map(items: Any, build: Callable[[Any], MappedOrder]) -> MapResult:
    return map_each(items, PROVIDER, RecordKind.ORDER, _order_id, build)


def build_deleted_order(raw: Mapping[str, Any]) -> MappedOrder:
    """An order a batch call deleted: its last state, with the status key `trash`."""
    return build_order(raw, status="trash")


def build_order(raw: Mapping[str, Any], status: str | None = None) -> MappedOrder:
    """One WooCommerce order object as a mapped order.

    Args:
        raw: the order as the API returns it.
        status: a status key to use instead of the order's own (`trash` for deleted orders).
    """
    own_status = text(field(raw, "status")).lower()
    total = money(field(raw, "total"), "total")
    refunded = _refunded(raw)
    shipping, billing = _sub(raw, "shipping"), _sub(raw, "billing")
    tracking = _tracking(raw)
    return MappedOrder(
        provider=PROVIDER,
        external_id=text(field(raw, "id")),
        provider_status=status or own_status,
        provider_payment_status=payment_status_key(
            own_status, bool(raw.get("date_paid_gmt")), refunded, total
        ),
        placed_at=timestamp(raw.get("date_created_gmt"), "date_created_gmt"),
        updated_at=optional_timestamp(raw.get("date_modified_gmt"), "date_modified_gmt"),
        currency=text(field(raw, "currency")),
        total=total,
        country=text(shipping.get("country")) or text(billing.get("country")) or None,
        customer_email=text(billing.get("email")) or None,
        customer_name=_person(shipping) or _person(billing),
        customer_phone=text(shipping.get("phone")) or text(billing.get("phone")),
        customer_ref=_customer_ref(raw),
        shipping=money(raw.get("shipping_total") or "0", "shipping_total"),
        refunded=refunded,
        lines=tuple(_line(item) for item in raw.get("line_items") or ()),
        tracking_numbers=tuple(tracking),
        tracking_carriers=tuple(tracking.values()),
    )


def payment_status_key(status: str, paid: bool, refunded: Decimal, total: Decimal) -> str:
    """The derived payment key (see the module docstring for the rules and their order).

    Args:
        status: the order's own `status`, lower case.
        paid: whether `date_paid_gmt` is set.
        refunded: the refunds' total, positive.
        total: the order total.
    """
    if status == "refunded" or (refunded > 0 and refunded >= total):
        return "refunded"
    if refunded > 0:
        return "partially_refunded"
    if status == "failed":
        return "failed"
    if paid or status in _PAID_STATUSES:
        return "paid"
    if status in _DEAD_STATUSES:
        return "cancelled"
    return "unpaid"


def _refunded(raw: Mapping[str, Any]) -> Decimal:
    # Order payloads list refunds with negative totals ("-10.00").
    refunds = raw.get("refunds") or ()
    return sum((abs(money(field(r, "total"), "refunds.total")) for r in refunds), Decimal(0))


def _line(item: Mapping[str, Any]) -> MappedLine:
    sku = text(item.get("sku")) or _nonzero(item.get("variation_id"))
    sku = sku or _nonzero(item.get("product_id"))
    if not sku:
        raise MappingError(f"line item {text(item.get('id'))} has no sku or product id")
    quantity = field(item, "quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise MappingError(f"line {sku}: quantity is not a whole number above 0: {quantity!r}")
    if item.get("subtotal") not in (None, ""):
        unit_price = money(item["subtotal"], f"line {sku} subtotal") / quantity
    else:
        unit_price = money(field(item, "price"), f"line {sku} price")
    return MappedLine(
        sku=sku, quantity=quantity, unit_price=unit_price, title=text(item.get("name"))
    )


def _nonzero(value: Any) -> str:
    """An id as text, '' for WooCommerce's 0 ("none")."""
    raw = text(value)
    return "" if raw in ("", "0") else raw


def _tracking(raw: Mapping[str, Any]) -> dict[str, str]:
    """Tracking number -> carrier as the shop recorded it, in order and without repeats."""
    numbers: dict[str, str] = {}
    for meta in raw.get("meta_data") or ():
        if not isinstance(meta, Mapping) or meta.get("key") != _TRACKING_META:
            continue
        for item in meta.get("value") or ():
            number = text(item.get("tracking_number")) if isinstance(item, Mapping) else ""
            if number and number not in numbers:
                carrier = text(item.get("tracking_provider"))
                numbers[number] = carrier or text(item.get("custom_tracking_provider"))
    return numbers


def _customer_ref(raw: Mapping[str, Any]) -> str:
    return _nonzero(raw.get("customer_id"))  # 0 is a guest checkout


def _person(address: Mapping[str, Any]) -> str:
    return f"{text(address.get('first_name'))} {text(address.get('last_name'))}".strip()


def _sub(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


def _order_id(raw: Any) -> str:
    return text(raw.get("id")) if isinstance(raw, Mapping) else ""
