"""Orders API v0 orders (getOrders, getOrder), with the items the connector attaches.

v0 returns an order's items from a separate call (getOrderItems); the connector puts that
call's `payload.OrderItems` (all its pages) on the order as `OrderItems` before mapping.
Without them the order maps with no lines. `ItemPrice` is the price of the whole quantity,
so the unit price is `ItemPrice / QuantityOrdered`; an item not priced yet (Pending) has
unit price 0 until Amazon prices it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cbe_app.hub.canonical import MappedLine, MappedOrder
from cbe_app.hub.providers.amazon.common import (
    PROVIDER,
    amount_in,
    item_list,
    order_country,
    order_currency,
    required_text,
    whole_quantity,
)
from cbe_app.hub.providers.parsing import (
    MappingError,
    field,
    money,
    optional_timestamp,
    text,
    timestamp,
)

ITEMS_KEY = "OrderItems"  # where the connector attaches getOrderItems' payload.OrderItems


def order_id(order: Any) -> str:
    """The AmazonOrderId of a raw order, for rejects ('' when unreadable)."""
    return text(order.get("AmazonOrderId")) if isinstance(order, Mapping) else ""


def build_order(order: Any) -> MappedOrder:
    """One v0 `Order` (with optional attached `OrderItems`) as a mapped order.

    Raises:
        MappingError: when an id, status, date or amount is missing or unreadable.
    """
    if not isinstance(order, Mapping):
        raise MappingError(f"an order is not a JSON object: {order!r}")
    status = required_text(order, "OrderStatus")
    marketplace_id = text(order.get("MarketplaceId"))
    priced = order.get("OrderTotal")
    currency = order_currency(
        field(order, "OrderTotal", "CurrencyCode", default=None),
        marketplace_id,
        "OrderTotal.CurrencyCode",
    )
    total = (
        None if priced is None else money(field(order, "OrderTotal", "Amount"), "OrderTotal.Amount")
    )
    address = order.get("ShippingAddress") or {}
    buyer = order.get("BuyerInfo") or {}
    items = item_list(order, ITEMS_KEY)
    return MappedOrder(
        provider=PROVIDER,
        external_id=required_text(order, "AmazonOrderId"),
        # Amazon keeps one status per order; the payment map reads it too (see the mapper).
        provider_status=status,
        provider_payment_status=status,
        placed_at=timestamp(field(order, "PurchaseDate"), "PurchaseDate"),
        updated_at=optional_timestamp(order.get("LastUpdateDate"), "LastUpdateDate"),
        currency=currency,
        total=total,
        # The destination, never DefaultShipFromLocationAddress (that is the seller's).
        country=order_country(address.get("CountryCode"), marketplace_id),
        customer_email=text(buyer.get("BuyerEmail")) or None,
        customer_name=text(buyer.get("BuyerName")) or text(address.get("Name")),
        customer_phone=text(address.get("Phone")),
        lines=_lines(items, currency),
        shipping=_shipping(items, currency),
    )


def _lines(items: list[Any], currency: str) -> tuple[MappedLine, ...]:
    built = (_line(item, currency, index) for index, item in enumerate(items))
    return tuple(line for line in built if line is not None)


def _line(item: Any, currency: str, index: int) -> MappedLine | None:
    where = f"{ITEMS_KEY}[{index}]"
    if not isinstance(item, Mapping):
        raise MappingError(f"{where} is not a JSON object")
    quantity = whole_quantity(item.get("QuantityOrdered"), f"{where}.QuantityOrdered")
    if quantity == 0:
        return None  # an item cancelled whole: nothing was sold on it
    price = item.get("ItemPrice")
    unit_price = Decimal(0)
    if price is not None:
        line_price = amount_in(
            price, currency, f"{where}.ItemPrice", amount_key="Amount", currency_key="CurrencyCode"
        )
        unit_price = line_price / quantity
    # The seller's SKU; the ASIN only when Amazon gives no SKU (it always should for sellers).
    sku = text(item.get("SellerSKU")) or text(item.get("ASIN"))
    if not sku:
        raise MappingError(f"{where} has neither SellerSKU nor ASIN")
    return MappedLine(sku, quantity, unit_price, text(item.get("Title")))


def _shipping(items: list[Any], currency: str) -> Decimal:
    """What the buyer was charged for delivery: the items' ShippingPrice, before promotions."""
    total = Decimal(0)
    for index, item in enumerate(items):
        price = item.get("ShippingPrice") if isinstance(item, Mapping) else None
        if price is not None:
            total += amount_in(
                price,
                currency,
                f"{ITEMS_KEY}[{index}].ShippingPrice",
                amount_key="Amount",
                currency_key="CurrencyCode",
            )
    return total
