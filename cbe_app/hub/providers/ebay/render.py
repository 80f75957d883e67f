"""The demo's eBay orders as eBay's Sell Fulfillment API renders them.

`render_order` builds the `Order` of getOrders/getOrder and `render_fulfillments` the
`ShippingFulfillmentPagedCollection` of getShippingFulfillments, with eBay's field names, id
shapes (`12-34567-89012` order ids, 14-digit line item ids, 12-digit legacy listing ids),
timestamps (`2015-08-04T19:09:02.768Z`) and amounts (`{"value": "45.97", "currency": "USD"}`).

How demo states become eBay's:

- order status: `orderFulfillmentStatus` NOT_STARTED (pending, awaiting fulfilment, cancelled),
  IN_PROGRESS (partially shipped: the first line has a fulfillment) or FULFILLED (shipped,
  delivered, returned; eBay's order has no "delivered"); `cancelStatus.cancelState` CANCELED
  for cancelled orders;
- payment: `orderPaymentStatus` PAID, FULLY_REFUNDED, PARTIALLY_REFUNDED, FAILED, or PENDING
  (payment pending or authorised, and cancelled orders never paid: eBay's unpaid cancellations);
  refunds are listed in `paymentSummary.refunds` as REFUNDED;
- the parcel: a shipping fulfillment whose id is its tracking number (as eBay assigns them
  today), linked from the order's `fulfillmentHrefs`.

eBay hides buyer details as orders age, and so does this rendering: the (masked
`@members.ebay.com`) e-mail only for 14 days after the sale, the name, phone and street for
90 days. The destination country is always there.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from cbe_app.core.money import from_minor
from cbe_app.demo.records import OrderRec
from cbe_app.hub.sandbox.data import SandboxData, SandboxOrder

SELLER = "cbe_demo_outlet"
EMAIL_DAYS = 14
CONTACT_DAYS = 90
_MARKETPLACE = {
    "USD": "EBAY_US",
    "EUR": "EBAY_DE",
    "GBP": "EBAY_GB",
    "CAD": "EBAY_CA",
    "AUD": "EBAY_AU",
    "PLN": "EBAY_PL",
}
_CARRIER = {"fedex": "FEDEX", "dhl": "DHL", "4px": "4PX"}
_PAYMENT = {
    "paid": "PAID",
    "refunded": "FULLY_REFUNDED",
    "partially_refunded": "PARTIALLY_REFUNDED",
    "failed": "FAILED",
}
_SHIPPED = frozenset({"partially_shipped", "shipped", "delivered", "returned"})
_FEE_RATE = 0.1325  # eBay's final value fee for most categories


def ebay_time(moment: datetime) -> str:
    """eBay's timestamp format: UTC with milliseconds and a Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _amount(minor: int, currency: str) -> dict[str, str]:
    return {"value": str(from_minor(minor, currency)), "currency": currency}


def _digits(text: str, count: int) -> str:
    digest = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
    return f"{digest % 10**count:0{count}d}"


def fulfilment_status(order: OrderRec) -> str:
    """`orderFulfillmentStatus` of a demo order."""
    if order.status == "partially_shipped":
        return "IN_PROGRESS"
    return "FULFILLED" if order.status in _SHIPPED else "NOT_STARTED"


def shipped(order: OrderRec) -> bool:
    """Whether the order has a shipping fulfillment (a parcel with a tracking number)."""
    return order.shipment is not None and order.status in _SHIPPED


def _line_status(order: OrderRec, n: int) -> str:
    status = fulfilment_status(order)
    if status == "IN_PROGRESS":
        return "FULFILLED" if n == 1 else "NOT_STARTED"
    return status


def line_item_id(item: SandboxOrder, n: int) -> str:
    """The 14-digit id of the order's n-th line (from 1)."""
    return str(10_000_000_000_000 + item.index * 10 + n)


def _lines(item: SandboxOrder, data: SandboxData) -> list[dict[str, Any]]:
    order, currency = item.order, item.order.currency
    out = []
    for n, line in enumerate(order.lines, start=1):
        product = data.product(line.sku)
        cost = line.unit_price_minor * line.quantity
        shipping = order.shipping_minor if n == 1 else 0  # eBay charges it on one line
        out.append(
            {
                "lineItemId": line_item_id(item, n),
                "legacyItemId": "2259" + _digits(line.sku, 8),
                "sku": line.sku,
                "title": product.name if product else line.sku,
                "lineItemCost": _amount(cost, currency),
                "quantity": line.quantity,
                "soldFormat": "FIXED_PRICE",
                "listingMarketplaceId": _MARKETPLACE.get(currency, "EBAY_US"),
                "purchaseMarketplaceId": _MARKETPLACE.get(currency, "EBAY_US"),
                "lineItemFulfillmentStatus": _line_status(order, n),
                "total": _amount(cost + shipping, currency),
                "deliveryCost": {"shippingCost": _amount(shipping, currency)},
                "appliedPromotions": [],
                "taxes": [],
                "refunds": [],
                "properties": {"buyerProtection": True},
                "lineItemFulfillmentInstructions": {
                    "shipByDate": ebay_time(order.placed_at + timedelta(days=3)),
                    "guaranteedDelivery": False,
                },
            }
        )
    return out


def _contact(item: SandboxOrder, now: datetime) -> dict[str, Any]:
    """An `ExtendedContact`, with what eBay still shows at the order's age."""
    order, customer = item.order, item.customer
    age = now - order.placed_at
    contact: dict[str, Any] = {"contactAddress": {"countryCode": order.country}}
    if age < timedelta(days=CONTACT_DAYS):
        contact["fullName"] = customer.name
        contact["primaryPhone"] = {"phoneNumber": customer.phone}
    if age < timedelta(days=EMAIL_DAYS):
        contact["email"] = _digits(f"{SELLER}:{customer.key}", 20) + "@members.ebay.com"
    return contact


def _buyer(item: SandboxOrder, now: datetime) -> dict[str, Any]:
    first, _, last = item.customer.name.lower().partition(" ")
    return {
        "username": f"{first}{last[:1]}_{item.customer.key[1:]}",
        "taxAddress": {"countryCode": item.order.country},
        "buyerRegistrationAddress": _contact(item, now),
    }


def _instructions(item: SandboxOrder, now: datetime) -> list[dict[str, Any]]:
    order, shipment = item.order, item.order.shipment
    step: dict[str, Any] = {"shipTo": _contact(item, now)}
    if shipment is not None:
        step["shippingCarrierCode"] = _CARRIER.get(shipment.carrier_code, "OTHER")
        step["shippingServiceCode"] = step["shippingCarrierCode"] + shipment.service.replace(
            " ", ""
        )
    else:
        step["shippingServiceCode"] = "ShippingMethodStandard"
    return [
        {
            "fulfillmentInstructionsType": "SHIP_TO",
            "minEstimatedDeliveryDate": ebay_time(order.placed_at + timedelta(days=3)),
            "maxEstimatedDeliveryDate": ebay_time(order.placed_at + timedelta(days=12)),
            "ebaySupportedFulfillment": False,
            "shippingStep": step,
        }
    ]


def _payment_status(order: OrderRec) -> str:
    return _PAYMENT.get(order.payment_status, "PENDING")


def _payments(item: SandboxOrder) -> dict[str, Any]:
    order = item.order
    status = _payment_status(order)
    payment: dict[str, Any] = {
        "paymentMethod": "EBAY",
        "amount": _amount(order.total_minor, order.currency),
        "paymentStatus": status,
    }
    if status not in ("PENDING", "FAILED"):  # the money came in (refunds are listed apart)
        payment["paymentStatus"] = "PAID"
        payment["paymentReferenceId"] = _digits(f"pay:{order.external_id}", 17)
        payment["paymentDate"] = ebay_time(order.placed_at + timedelta(seconds=20))
    refunds = []
    if order.refunded_minor:
        refunds.append(
            {
                "refundId": _digits(f"refund:{order.external_id}", 13),
                "refundReferenceId": _digits(f"ref:{order.external_id}", 17),
                "refundDate": ebay_time(item.updated_at),
                "amount": _amount(order.refunded_minor, order.currency),
                "refundStatus": "REFUNDED",
            }
        )
    return {
        "payments": [payment],
        "refunds": refunds,
        "totalDueSeller": _amount(order.total_minor - order.refunded_minor, order.currency),
    }


def _pricing(order: OrderRec) -> dict[str, Any]:
    currency = order.currency
    return {
        "priceSubtotal": _amount(order.total_minor - order.shipping_minor, currency),
        "deliveryCost": _amount(order.shipping_minor, currency),
        "total": _amount(order.total_minor, currency),
    }


def _cancel_status(item: SandboxOrder) -> dict[str, Any]:
    if item.order.status != "cancelled":
        return {"cancelState": "NONE_REQUESTED", "cancelRequests": []}
    return {
        "cancelState": "CANCELED",
        "cancelledDate": ebay_time(item.updated_at),
        "cancelRequests": [],  # getOrders always sends it empty
    }


def render_order(item: SandboxOrder, data: SandboxData, base: str) -> dict[str, Any]:
    """One demo order as eBay's `Order`; `base` is the API root for the fulfillment links."""
    order = item.order
    hrefs = []
    if shipped(order) and order.shipment is not None:
        hrefs.append(
            f"{base}/sell/fulfillment/v1/order/{order.external_id}"
            f"/shipping_fulfillment/{order.shipment.tracking_number}"
        )
    fee = round(order.total_minor * _FEE_RATE)
    return {
        "orderId": order.external_id,
        "creationDate": ebay_time(order.placed_at),
        "lastModifiedDate": ebay_time(item.updated_at),
        "orderFulfillmentStatus": fulfilment_status(order),
        "orderPaymentStatus": _payment_status(order),
        "sellerId": SELLER,
        "buyer": _buyer(item, data.now),
        "pricingSummary": _pricing(order),
        "cancelStatus": _cancel_status(item),
        "paymentSummary": _payments(item),
        "fulfillmentStartInstructions": _instructions(item, data.now),
        "fulfillmentHrefs": hrefs,
        "lineItems": _lines(item, data),
        "salesRecordReference": str(10_000 + item.index),
        "totalFeeBasisAmount": _amount(order.total_minor, order.currency),
        "totalMarketplaceFee": _amount(fee, order.currency),
    }


def render_fulfillments(item: SandboxOrder) -> list[dict[str, Any]]:
    """The order's `ShippingFulfillment`s (one parcel, or none before it ships)."""
    order, shipment = item.order, item.order.shipment
    if shipment is None or not shipped(order):
        return []
    lines = order.lines[:1] if order.status == "partially_shipped" else order.lines
    return [
        {
            "fulfillmentId": shipment.tracking_number,
            "shipmentTrackingNumber": shipment.tracking_number,
            "shippingCarrierCode": _CARRIER.get(shipment.carrier_code, "OTHER"),
            "shippedDate": ebay_time(shipment.shipped_at),
            "lineItems": [
                {"lineItemId": line_item_id(item, n), "quantity": line.quantity}
                for n, line in enumerate(lines, start=1)
            ],
        }
    ]
