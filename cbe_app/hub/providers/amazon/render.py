"""Demo orders as Orders API v0 renders them: `Order` for getOrders, `OrderItem` for getOrderItems.

What a seller's app sees without a Restricted Data Token: no buyer name, no street address,
no phone; the buyer's e-mail is Amazon's masked relay address (one per buyer and marketplace),
and `ShippingAddress` (city-level data only, here just the country) appears only once the order
is Unshipped, PartiallyShipped or Shipped. Pending orders have no `OrderTotal` and items
without prices, as Amazon sends them before payment is authorised. v0 has no delivered or
returned status: a delivered or returned order stays `Shipped` (returns live in other APIs).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from cbe_app.core.money import from_minor
from cbe_app.hub.providers.amazon.common import MARKETPLACES
from cbe_app.hub.sandbox.data import SandboxData, SandboxOrder

# Demo order status → v0 OrderStatus.
ORDER_STATUS: Final = MappingProxyType(
    {
        "pending": "Pending",
        "awaiting_fulfillment": "Unshipped",
        "partially_shipped": "PartiallyShipped",
        "shipped": "Shipped",
        "delivered": "Shipped",
        "returned": "Shipped",
        "cancelled": "Canceled",
    }
)
_ADDRESSED: Final = frozenset({"Unshipped", "PartiallyShipped", "Shipped"})
_SHIPPED_ALL: Final = frozenset({"shipped", "delivered", "returned"})

# Marketplace of the buyer's country: (marketplace id, site domain).
_SITES: Final = MappingProxyType(
    {
        "US": ("ATVPDKIKX0DER", "amazon.com"),
        "CA": ("A2EUQ1WTGCTBG2", "amazon.ca"),
        "MX": ("A1AM78C64UM0Y8", "amazon.com.mx"),
        "GB": ("A1F83G8C2ARO7P", "amazon.co.uk"),
        "DE": ("A1PA6795UKMFR9", "amazon.de"),
        "FR": ("A13V1IB3VIYZZH", "amazon.fr"),
        "ES": ("A1RKKUPIHCS9HS", "amazon.es"),
        "IT": ("APJ6JRA9NG5V4", "amazon.it"),
        "NL": ("A1805IZSGTT6HS", "amazon.nl"),
        "SE": ("A2NODRKZP88ZB9", "amazon.se"),
        "PL": ("A1C3SOZRARQ6R3", "amazon.pl"),
        "BE": ("AMEN7PMS3EDWL", "amazon.com.be"),
        "IE": ("A28R8C7NBKEWEA", "amazon.ie"),
        "JP": ("A1VC38T7YXB528", "amazon.co.jp"),
        "AU": ("A39IBJ37TRP1C6", "amazon.com.au"),
    }
)
# A buyer whose country has no marketplace selling in the order's currency buys on the big
# site of that currency and has it shipped abroad (amazon.com to Mexico in USD, amazon.de to
# Austria in EUR).
_EXPORT_SITE: Final = MappingProxyType({"USD": "US", "EUR": "DE"})
# What every demo order says alike: a standard, seller-fulfilled, consumer order.
_PLAIN_ORDER: Final = MappingProxyType(
    {
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": "StandardOrder",
        "IsBusinessOrder": False,
        "IsPrime": False,
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "HasRegulatedItems": False,
        "AutomatedShippingSettings": {"HasAutomatedShippingSettings": False},
    }
)
DOMAINS: Final = MappingProxyType(dict(_SITES.values()))
DEMO_MARKETPLACES: Final = tuple(mid for mid, _ in _SITES.values())


def marketplace_of(item: SandboxOrder) -> str:
    """The marketplace id the demo order was placed in."""
    order = item.order
    site = _SITES.get(order.country)
    if site and MARKETPLACES[site[0]][0] == order.currency:
        return site[0]
    return _SITES[_EXPORT_SITE.get(order.currency, "US")][0]


def amazon_time(moment: datetime) -> str:
    """ISO 8601 in UTC to the second with a Z, as Amazon writes times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(minor: int, currency: str) -> dict[str, str]:
    return {"CurrencyCode": currency, "Amount": str(from_minor(minor, currency))}


def _digest(text: str, size: int) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def masked_email(customer_key: str, marketplace_id: str) -> str:
    """Amazon's relay address for a buyer: stable per buyer and marketplace, hides the real one."""
    local = _digest(f"{customer_key}:{marketplace_id}", 8)[:14]
    return f"{local}@marketplace.{DOMAINS[marketplace_id]}"


def _shipped_units(item: SandboxOrder) -> list[int]:
    """Units shipped per line: a partial shipment has sent the first line only."""
    order = item.order
    if order.status in _SHIPPED_ALL:
        return [line.quantity for line in order.lines]
    if order.status == "partially_shipped":
        return [line.quantity if n == 0 else 0 for n, line in enumerate(order.lines)]
    return [0] * len(order.lines)


def render_order(item: SandboxOrder) -> dict[str, Any]:
    """One demo order as a v0 `Order` (getOrders element)."""
    order = item.order
    marketplace_id = marketplace_of(item)
    status = ORDER_STATUS[order.status]
    ordered = sum(line.quantity for line in order.lines)
    shipped = sum(_shipped_units(item))
    domestic = MARKETPLACES[marketplace_id][1] == order.country
    rendered: dict[str, Any] = {
        "AmazonOrderId": order.external_id,
        "PurchaseDate": amazon_time(order.placed_at),
        "LastUpdateDate": amazon_time(item.updated_at),
        "OrderStatus": status,
        "FulfillmentChannel": "MFN",  # the seller ships from its own warehouses
        "SalesChannel": DOMAINS[marketplace_id].capitalize(),
        "ShipServiceLevel": "Std Domestic" if domestic else "Std International",
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": 0 if status == "Canceled" else ordered - shipped,
        "MarketplaceId": marketplace_id,
        "EarliestShipDate": amazon_time(order.placed_at + timedelta(days=1)),
        "LatestShipDate": amazon_time(order.placed_at + timedelta(days=3)),
        **_PLAIN_ORDER,
        "BuyerInfo": {"BuyerEmail": masked_email(item.customer.key, marketplace_id)},
    }
    if status != "Pending":  # Amazon prices an order once payment is authorised
        rendered["OrderTotal"] = _money(order.total_minor, order.currency)
    if status in _ADDRESSED:
        rendered["ShippingAddress"] = {"CountryCode": order.country}
    return rendered


def render_items(item: SandboxOrder, data: SandboxData) -> list[dict[str, Any]]:
    """The demo order's lines as v0 `OrderItem`s (getOrderItems), shipping on the first."""
    order = item.order
    priced = ORDER_STATUS[order.status] != "Pending"
    out = []
    for n, (line, shipped) in enumerate(zip(order.lines, _shipped_units(item), strict=True)):
        product = data.product(line.sku)
        rendered: dict[str, Any] = {
            "ASIN": "B0" + _digest(line.sku, 5).upper()[:8],
            "OrderItemId": f"{int(_digest(f'{order.external_id}:{n}', 7), 16) % 10**14:014d}",
            "SellerSKU": line.sku,
            "Title": product.name if product else line.sku,
            "QuantityOrdered": line.quantity,
            "QuantityShipped": shipped,
            "ProductInfo": {"NumberOfItems": "1"},
            "IsGift": "false",
            "ConditionId": "New",
            "ConditionSubtypeId": "New",
            "IsTransparency": False,
            "SerialNumberRequired": False,
            "BuyerRequestedCancel": {"IsBuyerRequestedCancel": "false", "BuyerCancelReason": ""},
        }
        if priced:  # getOrderItems leaves prices, taxes and promotions out while Pending
            zero = _money(0, order.currency)
            rendered |= {
                "ItemPrice": _money(line.quantity * line.unit_price_minor, order.currency),
                "ItemTax": zero,
                "ShippingPrice": _money(order.shipping_minor if n == 0 else 0, order.currency),
                "ShippingTax": zero,
                "ShippingDiscount": zero,
                "ShippingDiscountTax": zero,
                "PromotionDiscount": zero,
                "PromotionDiscountTax": zero,
                "PromotionIds": [],
            }
        out.append(rendered)
    return out
