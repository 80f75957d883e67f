"""Shopify Admin REST orders in the hub's shape.

Accepted payloads (`map_payload` tells them apart by shape):

- `GET /admin/api/<version>/orders.json`: a page `{"orders": [...]}`;
- `GET /admin/api/<version>/orders/<id>.json`: `{"order": {...}}`;
- the order webhooks (`orders/create`, `orders/updated`, `orders/paid`, `orders/cancelled`,
  `orders/fulfilled`, `orders/partially_fulfilled`): the bare order object.

Status keys (details in `shopify/status.py`): `provider_status` is a composite of
`cancelled_at`, `refunds` (restocked full refunds are `returned`), the fulfilments'
`shipment_status` (`delivered`) and `fulfillment_status` (`unfulfilled` when null);
`provider_payment_status` is `financial_status`.

Money is in the currency the buyer paid in. For an order whose `presentment_currency`
differs from the shop's `currency` (Shopify Markets), amounts come from the `*_set` fields'
`presentment_money`, the currency of the order's refund transactions; otherwise from the plain
fields. `placed_at` is `processed_at` (the order's date in Shopify's reports, kept when orders
are imported from elsewhere), else `created_at`. The destination is the shipping address's
country, or the billing address's for orders that ship nothing. A line's SKU is its `sku`,
falling back to its `variant_id`, then its `product_id`, when the merchant set none. Tracking
numbers are those of the live fulfilments (not cancelled, error or failure).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
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
from cbe_app.hub.providers.shopify.status import (
    DEAD_FULFILMENTS,
    order_status_key,
    payment_status_key,
)

PROVIDER = "shopify"
# Keys only a bare order object carries: tell an order webhook from other Shopify bodies.
_ORDER_MARKERS = ("line_items", "financial_status", "order_number", "total_price")


def map_payload(payload: Any) -> MapResult:
    """Map an orders page, a single order, or an order webhook body.

    Raises:
        MappingError: when the payload is none of those.
    """
    if isinstance(payload, Mapping):
        orders = payload.get("orders")
        if isinstance(orders, list):
            return map_each(orders, PROVIDER, RecordKind.ORDER, _order_id, build_order)
        order = payload.get("order")
        if isinstance(order, Mapping):
            return map_each((order,), PROVIDER, RecordKind.ORDER, _order_id, build_order)
        if "id" in payload and any(key in payload for key in _ORDER_MARKERS):
            return map_each((payload,), PROVIDER, RecordKind.ORDER, _order_id, build_order)
    raise MappingError(
        "not a Shopify orders page, order or order webhook (expected 'orders', 'order' or an "
        f"order object), got {_shape(payload)}"
    )


def build_order(raw: Mapping[str, Any]) -> MappedOrder:
    """One Shopify order object as a mapped order."""
    shop_currency = text(field(raw, "currency"))
    currency = text(raw.get("presentment_currency")) or shop_currency
    foreign = currency.upper() != shop_currency.upper()
    numbers, carriers = _tracking(raw)
    return MappedOrder(
        provider=PROVIDER,
        external_id=text(field(raw, "id")),
        provider_status=order_status_key(raw),
        provider_payment_status=payment_status_key(raw),
        placed_at=_placed_at(raw),
        updated_at=optional_timestamp(raw.get("updated_at"), "updated_at"),
        currency=currency,
        total=_amount(raw, "total_price", foreign),
        country=_country(raw),
        customer_email=_email(raw),
        customer_name=_name(raw),
        customer_phone=_phone(raw),
        customer_ref=text(field(raw, "customer", "id", default="")),
        shipping=_shipping(raw, foreign),
        refunded=_refunded(raw, currency),
        lines=tuple(_line(item, foreign) for item in raw.get("line_items") or ()),
        tracking_numbers=numbers,
        tracking_carriers=carriers,
    )


def _placed_at(raw: Mapping[str, Any]) -> datetime:
    if raw.get("processed_at"):
        return timestamp(raw["processed_at"], "processed_at")
    return timestamp(raw.get("created_at"), "created_at")


def _amount(data: Mapping[str, Any], key: str, foreign: bool) -> Decimal:
    """`data[key]`, or its `<key>_set` presentment amount when the buyer paid in another currency.

    Args:
        data: an order, line or shipping line.
        key: the plain amount field, e.g. `total_price`.
        foreign: whether the buyer paid in a currency other than the shop's.
    """
    if not foreign:
        return money(field(data, key), key)
    return money(field(data, f"{key}_set", "presentment_money", "amount"), f"{key}_set")


def _shipping(raw: Mapping[str, Any], foreign: bool) -> Decimal:
    money_set = raw.get("total_shipping_price_set")
    if isinstance(money_set, Mapping):
        view = "presentment_money" if foreign else "shop_money"
        return money(field(money_set, view, "amount"), f"total_shipping_price_set.{view}")
    # Older payloads have no shipping total: the shipping lines add up to it.
    lines = raw.get("shipping_lines") or ()
    return sum((_amount(line, "price", foreign) for line in lines), Decimal(0))


def _refunded(raw: Mapping[str, Any], currency: str) -> Decimal:
    """What successful refund transactions gave back, in the order's (presentment) currency."""
    total = Decimal(0)
    for refund in raw.get("refunds") or ():
        for transaction in refund.get("transactions") or ():
            kind, status = text(transaction.get("kind")), text(transaction.get("status"))
            if kind.lower() != "refund" or status.lower() != "success":
                continue
            paid_in = text(transaction.get("currency"))
            if paid_in and paid_in.upper() != currency.upper():
                raise MappingError(
                    f"refund transaction {text(transaction.get('id'))} is in {paid_in}, "
                    f"the order in {currency}"
                )
            total += money(field(transaction, "amount"), "refund transaction amount")
    return total


def _line(item: Mapping[str, Any], foreign: bool) -> MappedLine:
    sku = text(item.get("sku")) or text(item.get("variant_id")) or text(item.get("product_id"))
    if not sku:
        raise MappingError(f"line item {text(item.get('id'))} has no sku, variant_id or product_id")
    return MappedLine(
        sku=sku,
        quantity=_quantity(field(item, "quantity"), sku),
        unit_price=_amount(item, "price", foreign),
        title=text(item.get("name") or item.get("title")),
    )


def _quantity(value: Any, sku: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not text(value).isdigit():
        raise MappingError(f"line {sku}: quantity is not a whole number: {value!r}")
    return int(value)


def _tracking(raw: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The live fulfilments' tracking numbers, and the carrier Shopify names for each."""
    found: dict[str, str] = {}  # ordered and without repeats
    for fulfilment in raw.get("fulfillments") or ():
        if text(fulfilment.get("status")).lower() in DEAD_FULFILMENTS:
            continue
        company = text(fulfilment.get("tracking_company"))
        for number in fulfilment.get("tracking_numbers") or (fulfilment.get("tracking_number"),):
            if text(number):
                found.setdefault(text(number), company)
    return tuple(found), tuple(found.values())


def _sub(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    address = raw.get(key)
    return address if type(address) is dict or isinstance(address, Mapping) else {}


def _country(raw: Mapping[str, Any]) -> str | None:
    for key in ("shipping_address", "billing_address"):
        address = _sub(raw, key)
        country = text(address.get("country_code")) or text(address.get("country"))
        if country:
            return country
    return None


def _email(raw: Mapping[str, Any]) -> str | None:
    customer = _sub(raw, "customer")
    return (
        text(raw.get("email")) or text(raw.get("contact_email")) or text(customer.get("email"))
    ) or None


def _name(raw: Mapping[str, Any]) -> str:
    for key in ("shipping_address", "billing_address"):
        name = text(_sub(raw, key).get("name"))
        if name:
            return name
    customer = _sub(raw, "customer")
    return f"{text(customer.get('first_name'))} {text(customer.get('last_name'))}".strip()


def _phone(raw: Mapping[str, Any]) -> str:
    shipping, billing = _sub(raw, "shipping_address"), _sub(raw, "billing_address")
    for value in (raw.get("phone"), shipping.get("phone"), billing.get("phone")):
        if text(value):
            return text(value)
    return text(_sub(raw, "customer").get("phone"))


def _order_id(raw: Any) -> str:
    return text(raw.get("id")) if isinstance(raw, Mapping) else ""


def _shape(payload: Any) -> str:
    if isinstance(payload, Mapping):
        return "an object with keys " + ", ".join(sorted(map(str, payload))[:8])
    return type(payload).__name__
