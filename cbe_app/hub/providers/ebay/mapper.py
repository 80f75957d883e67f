"""eBay Sell Fulfillment API v1 orders in the hub's shape.

Accepted payloads (`map_payload` tells them apart by shape):

- `GET /sell/fulfillment/v1/order` (getOrders): an `OrderSearchPagedCollection` page,
  `{"href", "total", "limit", "offset", "orders": [...]}` (a page without orders is empty);
- `GET /sell/fulfillment/v1/order/{orderId}` (getOrder): one `Order`;
- what the connector sends: `{"page": <getOrders page>, "shippingFulfillments": {orderId:
  <getShippingFulfillments body>}}`, a page with its orders' parcels (see `client.py`).

eBay sends no order webhooks the hub takes: the connector polls getOrders with a
`lastmodifieddate` filter.

Status keys: `provider_payment_status` is `orderPaymentStatus` (FAILED, FULLY_REFUNDED, PAID,
PARTIALLY_REFUNDED, PENDING). `provider_status` combines `orderFulfillmentStatus`
(NOT_STARTED, IN_PROGRESS, FULFILLED) with `cancelStatus.cancelState` (NONE_REQUESTED,
IN_PROGRESS, CANCELED) and the payment status, first match wins:

1. `CANCELED` — `cancelState` is CANCELED;
2. `<fulfilment>/FULLY_REFUNDED` — the order was fully refunded (a return, or a cancellation
   eBay has not marked yet), e.g. `FULFILLED/FULLY_REFUNDED`;
3. `<fulfilment>/CANCEL_REQUESTED` — the buyer asked to cancel (`cancelState` IN_PROGRESS);
4. `<fulfilment>` — `orderFulfillmentStatus` as sent.

Money comes from `pricingSummary` (`total`, shipping = `deliveryCost` plus the negative
`deliveryDiscount`) in its `currency` (the seller's, after eBay's conversion). `refunded` adds
up `paymentSummary.refunds[]` whose `refundStatus` is REFUNDED. A line's unit price is
`lineItemCost / quantity` (lineItemCost is the pre-discount price of all its units); its SKU
is the seller's `sku`, falling back to `legacyItemId` (with `-legacyVariationId` for a
variation) for listings made without SKUs.

The destination country is the buyer's: for eBay International Shipping and the Global
Shipping Program, `shipTo` is eBay's domestic hub, so `finalDestinationAddress` wins when it
is sent (except for Authenticity Guarantee, where it is the authenticator's warehouse);
otherwise `shippingStep.shipTo.contactAddress`, then the buyer's tax or registration address
(digital and pick-up orders have no `shipTo`). The e-mail is
`buyer.buyerRegistrationAddress.email`, then `shipTo.email` (eBay drops both after 14 days);
the buyer's name and phone likewise come from the registration address first, as `shipTo` may
be a gift recipient or eBay's hub.
Orders carry no tracking numbers: those are in shipping fulfillments, another call. When the
payload brings an order's `ShippingFulfillmentPagedCollection`, its fulfillments'
`shipmentTrackingNumber`s become the order's tracking numbers, with their
`shippingCarrierCode` (FEDEX, DHL, …) as the carrier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

PROVIDER = "ebay"
# A getOrders page names its own `href` beside its paging fields (an empty one may lack
# `orders`); `total` alone is no sign: other providers' orders have a total too, and must not
# pass as an empty eBay page.
_PAGE_MARKERS = ("total", "limit", "offset")


def map_payload(payload: Any) -> MapResult:
    """Map a getOrders page (alone or with its parcels) or a getOrder body.

    Raises:
        MappingError: when the payload is none of those.
    """
    if isinstance(payload, Mapping):
        if isinstance(payload.get("page"), Mapping):
            return _map_with_parcels(payload["page"], payload.get("shippingFulfillments"))
        if "orderId" in payload:
            return map_each((payload,), PROVIDER, RecordKind.ORDER, _order_id, build_order)
        orders = payload.get("orders")
        if isinstance(orders, list):
            return map_each(orders, PROVIDER, RecordKind.ORDER, _order_id, build_order)
        if orders is None and "href" in payload and any(k in payload for k in _PAGE_MARKERS):
            return MapResult()  # eBay may leave `orders` out of an empty page
        keys = ", ".join(sorted(map(str, payload))[:8])
        raise MappingError(f"not an eBay getOrders page or order: an object with keys {keys}")
    raise MappingError(f"not an eBay orders payload: {type(payload).__name__}")


def _map_with_parcels(page: Mapping[str, Any], parcels: Any) -> MapResult:
    by_order = parcels if isinstance(parcels, Mapping) else {}

    def build(raw: Mapping[str, Any]) -> MappedOrder:
        collection = by_order.get(text(raw.get("orderId")))
        fulfillments = collection.get("fulfillments") if isinstance(collection, Mapping) else None
        return build_order(raw, fulfillments or ())

    orders = page.get("orders")
    return map_each(orders or (), PROVIDER, RecordKind.ORDER, _order_id, build)


def build_order(raw: Mapping[str, Any], fulfillments: Sequence[Any] = ()) -> MappedOrder:
    """One eBay `Order` as a mapped order, with the tracking numbers of its `fulfillments`."""
    pricing = _sub(raw, "pricingSummary")
    total = _amount(pricing, "total")
    ship_to = _ship_to(raw)
    registration = _sub(_sub(raw, "buyer"), "buyerRegistrationAddress")
    tracking = _tracking(fulfillments)
    return MappedOrder(
        provider=PROVIDER,
        external_id=text(field(raw, "orderId")),
        provider_status=order_status_key(raw),
        provider_payment_status=text(field(raw, "orderPaymentStatus")),
        placed_at=timestamp(raw.get("creationDate"), "creationDate"),
        updated_at=optional_timestamp(raw.get("lastModifiedDate"), "lastModifiedDate"),
        currency=text(field(pricing, "total", "currency")),
        total=total,
        country=_country(raw, ship_to),
        customer_email=text(registration.get("email")) or text(ship_to.get("email")) or None,
        customer_name=text(registration.get("fullName")) or text(ship_to.get("fullName")),
        customer_phone=_phone(registration) or _phone(ship_to),
        customer_ref=text(field(raw, "buyer", "username", default="")),
        shipping=_shipping(pricing),
        refunded=_refunded(raw),
        lines=tuple(_line(item) for item in raw.get("lineItems") or ()),
        tracking_numbers=tuple(tracking),
        tracking_carriers=tuple(tracking.values()),
    )


def _tracking(fulfillments: Sequence[Any]) -> dict[str, str]:
    """Tracking number -> carrier code, in order and without repeats."""
    found: dict[str, str] = {}
    for fulfillment in fulfillments:
        if not isinstance(fulfillment, Mapping):
            continue
        number = text(fulfillment.get("shipmentTrackingNumber"))
        if number and number not in found:
            found[number] = text(fulfillment.get("shippingCarrierCode"))
    return found


def order_status_key(raw: Mapping[str, Any]) -> str:
    """The composite order key (see the module docstring)."""
    cancel_state = text(field(raw, "cancelStatus", "cancelState", default="")).upper()
    if cancel_state == "CANCELED":
        return "CANCELED"
    fulfilment = text(field(raw, "orderFulfillmentStatus")).upper()
    if text(raw.get("orderPaymentStatus")).upper() == "FULLY_REFUNDED":
        return f"{fulfilment}/FULLY_REFUNDED"
    if cancel_state == "IN_PROGRESS":
        return f"{fulfilment}/CANCEL_REQUESTED"
    return fulfilment


def _amount(container: Mapping[str, Any], key: str) -> Decimal:
    return money(field(container, key, "value"), f"{key}.value")


def _shipping(pricing: Mapping[str, Any]) -> Decimal:
    cost = _amount(pricing, "deliveryCost") if "deliveryCost" in pricing else Decimal(0)
    if "deliveryDiscount" in pricing:  # sent as a negative amount
        cost += _amount(pricing, "deliveryDiscount")
    return max(cost, Decimal(0))


def _refunded(raw: Mapping[str, Any]) -> Decimal:
    refunds = _sub(raw, "paymentSummary").get("refunds") or ()
    return sum(
        (
            money(field(refund, "amount", "value"), "refund amount")
            for refund in refunds
            if text(refund.get("refundStatus")).upper() == "REFUNDED"
        ),
        Decimal(0),
    )


def _line(item: Mapping[str, Any]) -> MappedLine:
    sku = text(item.get("sku"))
    if not sku:
        sku = text(field(item, "legacyItemId"))
        if text(item.get("legacyVariationId")):
            sku = f"{sku}-{text(item.get('legacyVariationId'))}"
    quantity = field(item, "quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise MappingError(f"line {sku}: quantity is not a whole number above 0: {quantity!r}")
    cost = money(field(item, "lineItemCost", "value"), f"line {sku} lineItemCost.value")
    return MappedLine(
        sku=sku, quantity=quantity, unit_price=cost / quantity, title=text(item.get("title"))
    )


def _ship_to(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    for instruction in raw.get("fulfillmentStartInstructions") or ():
        ship_to = _sub(_sub(instruction, "shippingStep"), "shipTo")
        if ship_to:
            return ship_to
    return {}


def _country(raw: Mapping[str, Any], ship_to: Mapping[str, Any]) -> str | None:
    authenticated = bool(_sub(_sub(raw, "program"), "authenticityVerification"))
    for instruction in raw.get("fulfillmentStartInstructions") or ():
        final = _sub(instruction, "finalDestinationAddress")
        if final.get("countryCode") and not authenticated:
            return text(final["countryCode"])
    buyer = _sub(raw, "buyer")
    candidates = (
        _sub(ship_to, "contactAddress"),
        _sub(buyer, "taxAddress"),
        _sub(_sub(buyer, "buyerRegistrationAddress"), "contactAddress"),
    )
    for address in candidates:
        if text(address.get("countryCode")):
            return text(address["countryCode"])
    return None


def _phone(contact: Mapping[str, Any]) -> str:
    return text(field(contact, "primaryPhone", "phoneNumber", default=""))


def _sub(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


def _order_id(raw: Any) -> str:
    return text(raw.get("orderId")) if isinstance(raw, Mapping) else ""
