"""Orders API 2026-01-01 orders (searchOrders, getOrder): items, proceeds and packages inline.

What the order carries depends on the request's `includedData`; the mapper needs
`FULFILLMENT` (the status) and reads `PROCEEDS` (the total), `BUYER`, `RECIPIENT` and
`PACKAGES` (tracking numbers) when present.
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
    optional_timestamp,
    text,
    timestamp,
)

SHIPPED = "SHIPPED"
DELIVERED = "DELIVERED"  # derived: SHIPPED with every package delivered (see the mapper)


def order_id(order: Any) -> str:
    """The orderId of a raw order, for rejects ('' when unreadable)."""
    return text(order.get("orderId")) if isinstance(order, Mapping) else ""


def status_key(order: Mapping[str, Any], packages: list[Any]) -> str:
    """`fulfillment.fulfillmentStatus`, or DELIVERED once every package of a SHIPPED order is.

    Raises:
        MappingError: when the order carries no fulfillment status (includedData lacks FULFILLMENT).
    """
    fulfillment = order.get("fulfillment")
    status = text(fulfillment.get("fulfillmentStatus")) if isinstance(fulfillment, Mapping) else ""
    if not status:
        raise MappingError(
            "fulfillment.fulfillmentStatus is missing (request the order with includedData "
            "FULFILLMENT)"
        )
    if status.upper() == SHIPPED and packages and all(_delivered(p) for p in packages):
        return DELIVERED
    return status


def build_order(order: Any) -> MappedOrder:
    """One 2026-01-01 `Order` as a mapped order.

    Raises:
        MappingError: when an id, status, date or amount is missing or unreadable.
    """
    if not isinstance(order, Mapping):
        raise MappingError(f"an order is not a JSON object: {order!r}")
    packages = item_list(order, "packages")
    status = status_key(order, packages)
    marketplace_id = text(field(order, "salesChannel", "marketplaceId", default=""))
    currency = order_currency(
        field(order, "proceeds", "grandTotal", "currencyCode", default=None),
        marketplace_id,
        "proceeds.grandTotal.currencyCode",
    )
    address = field(order, "recipient", "deliveryAddress", default={})
    buyer = order.get("buyer") or {}
    return MappedOrder(
        provider=PROVIDER,
        external_id=required_text(order, "orderId"),
        provider_status=status,
        provider_payment_status=status,
        placed_at=timestamp(field(order, "createdTime"), "createdTime"),
        updated_at=optional_timestamp(order.get("lastUpdatedTime"), "lastUpdatedTime"),
        currency=currency,
        total=_total(order, currency),
        country=order_country(address.get("countryCode"), marketplace_id),
        customer_email=text(buyer.get("buyerEmail")) or None,
        customer_name=text(buyer.get("buyerName")) or text(address.get("name")),
        customer_phone=text(address.get("phone")),
        shipping=_shipping(order, currency),
        lines=_lines(item_list(order, "orderItems"), currency),
        tracking_numbers=_tracking_numbers(packages),
    )


def _total(order: Mapping[str, Any], currency: str) -> Decimal | None:
    """`proceeds.grandTotal`, or None when Amazon has not priced it (or PROCEEDS was not asked)."""
    grand_total = field(order, "proceeds", "grandTotal", default=None)
    if grand_total is None:
        return None
    return amount_in(
        grand_total,
        currency,
        "proceeds.grandTotal",
        amount_key="amount",
        currency_key="currencyCode",
    )


def _lines(items: list[Any], currency: str) -> tuple[MappedLine, ...]:
    built = (_line(item, currency, index) for index, item in enumerate(items))
    return tuple(line for line in built if line is not None)


def _delivered(package: Any) -> bool:
    status = field(package, "packageStatus", "status", default="")
    return isinstance(status, str) and status.upper() == DELIVERED


def _line(item: Any, currency: str, index: int) -> MappedLine | None:
    where = f"orderItems[{index}]"
    if not isinstance(item, Mapping):
        raise MappingError(f"{where} is not a JSON object")
    quantity = whole_quantity(item.get("quantityOrdered"), f"{where}.quantityOrdered")
    if quantity == 0:
        return None  # an item cancelled whole: nothing was sold on it
    product = item.get("product") or {}
    unit = field(product, "price", "unitPrice", default=None)
    unit_price = Decimal(0)  # not priced yet (pending): the order's total is None too
    if unit is not None:
        unit_price = amount_in(
            unit,
            currency,
            f"{where}.product.price.unitPrice",
            amount_key="amount",
            currency_key="currencyCode",
        )
    # The seller's SKU; the ASIN only when Amazon gives no SKU.
    sku = text(product.get("sellerSku")) or text(product.get("asin"))
    if not sku:
        raise MappingError(f"{where}.product has neither sellerSku nor asin")
    return MappedLine(sku, quantity, unit_price, text(product.get("title")))


def _shipping(order: Mapping[str, Any], currency: str) -> Decimal:
    """The order's SHIPPING proceeds (what the buyer paid for delivery), 0 when not given."""
    breakdowns = field(order, "proceeds", "breakdowns", default=[])
    total = Decimal(0)
    for index, breakdown in enumerate(breakdowns):
        if isinstance(breakdown, Mapping) and text(breakdown.get("type")).upper() == "SHIPPING":
            total += amount_in(
                breakdown.get("subtotal"),
                currency,
                f"proceeds.breakdowns[{index}].subtotal",
                amount_key="amount",
                currency_key="currencyCode",
            )
    return total


def _tracking_numbers(packages: list[Any]) -> tuple[str, ...]:
    numbers = (text(p.get("trackingNumber")) for p in packages if isinstance(p, Mapping))
    return tuple(dict.fromkeys(n for n in numbers if n))
