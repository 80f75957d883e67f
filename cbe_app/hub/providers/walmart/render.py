"""Demo orders as Walmart's Orders API v3 renders a purchase order.

Walmart orders have no status, their lines do: each line carries one `orderLineStatus` per
state its units are in, with the tracking of shipped units. Money is per line as charges
(`chargeType` PRODUCT for the line's whole quantity, SHIPPING) in JSON numbers, refunds as
negative refund charges; times are epoch milliseconds; the buyer's e-mail is Walmart's relay
address and the country ISO alpha-3 ("USA").

How the demo's order statuses become line statuses:

* pending → Created (released to the seller, waiting for acknowledgement);
  awaiting_fulfillment → Acknowledged;
* partially_shipped → the first line Shipped and the others Acknowledged; a single line ships
  its first unit (a single unit cannot ship in part: it is Shipped);
* shipped → Shipped; delivered → Delivered; cancelled → Cancelled (never charged, so a
  refund the demo records is not rendered);
* returned and refunded whole → Refund on every line, with refund charges of its full value;
  returned with a partial refund → Delivered, with the refund charged on the first line.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Final

import phonenumbers
import pycountry

from cbe_app.core.money import from_minor
from cbe_app.hub.sandbox.data import SandboxData, SandboxOrder

_LINE_STATUS: Final = {
    "pending": "Created",
    "awaiting_fulfillment": "Acknowledged",
    "partially_shipped": "Shipped",
    "shipped": "Shipped",
    "delivered": "Delivered",
    "returned": "Delivered",
    "cancelled": "Cancelled",
}
_CARRIERS: Final = {"fedex": "FedEx", "dhl": "DHL"}  # in Walmart's list; others: otherCarrier


def epoch_ms(moment: datetime) -> int:
    """Epoch milliseconds, as Walmart writes times (whole seconds in the demo)."""
    return int(moment.replace(microsecond=0).timestamp()) * 1000


def _digest(text: str, size: int) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def _amount(minor: int, currency: str) -> dict[str, Any]:
    return {"currency": currency, "amount": float(from_minor(minor, currency))}


def _charge(kind: str, name: str, minor: int, currency: str) -> dict[str, Any]:
    return {
        "chargeType": kind,
        "chargeName": name,
        "chargeAmount": _amount(minor, currency),
        "tax": None,  # the demo's prices include their taxes
        "discountType": None,
        "isDiscount": None,
    }


def _tracking(item: SandboxOrder) -> dict[str, Any] | None:
    shipment = item.order.shipment
    if shipment is None:
        return None
    known = _CARRIERS.get(shipment.carrier_code)
    return {
        "shipDateTime": epoch_ms(shipment.shipped_at),
        "carrierName": {
            "otherCarrier": None if known else shipment.carrier_code.upper(),
            "carrier": known,
        },
        "methodCode": "Standard",
        "trackingNumber": shipment.tracking_number,
        "trackingURL": f"https://www.walmart.com/tracking?tracking_id={shipment.tracking_number}",
    }


def _status(name: str, quantity: int, tracking: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "status": name,
        "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(quantity)},
        "cancellationReason": "CUSTOMER_REQUESTED_SELLER_TO_CANCEL"
        if name == "Cancelled"
        else None,
        "trackingInfo": tracking if name in ("Shipped", "Delivered", "Refund") else None,
        "returnCenterAddress": None,
    }


def _line_statuses(item: SandboxOrder, n: int, quantity: int) -> list[dict[str, Any]]:
    """The statuses of line `n` (see the module docstring)."""
    order = item.order
    tracking = _tracking(item)
    if order.status == "returned" and order.payment_status == "refunded":
        return [_status("Refund", quantity, tracking)]
    if order.status != "partially_shipped":
        return [_status(_LINE_STATUS[order.status], quantity, tracking)]
    if len(order.lines) > 1:
        return [_status("Shipped" if n == 0 else "Acknowledged", quantity, tracking)]
    shipped = [_status("Shipped", 1, tracking)]
    return shipped + ([_status("Acknowledged", quantity - 1, None)] if quantity > 1 else [])


def _refund(item: SandboxOrder, n: int, line_minor: int) -> dict[str, Any] | None:
    """The line's refund: everything of a refunded order, a partial refund on the first line."""
    order = item.order
    if order.status != "returned" or not order.refunded_minor:
        return None
    if order.payment_status == "refunded":
        minor = line_minor + (order.shipping_minor if n == 0 else 0)
    elif n == 0:
        minor = order.refunded_minor
    else:
        return None
    charge = _charge("PRODUCT", "Item Price", -minor, order.currency)
    return {
        "refundId": _digest(f"{order.external_id}:{n}", 6),
        "refundComments": "Customer returned the item",
        "refundCharges": {
            "refundCharge": [{"refundReason": "ItemNotAsAdvertised", "charge": charge}]
        },
    }


def _line(item: SandboxOrder, data: SandboxData, n: int) -> dict[str, Any]:
    order = item.order
    line = order.lines[n]
    line_minor = line.quantity * line.unit_price_minor
    charges = [_charge("PRODUCT", "ItemPrice", line_minor, order.currency)]
    if n == 0 and order.shipping_minor:
        charges.append(_charge("SHIPPING", "Shipping", order.shipping_minor, order.currency))
    product = data.product(line.sku)
    return {
        "lineNumber": str(n + 1),
        "item": {
            "productName": product.name if product else line.sku,
            "sku": line.sku,
            "condition": "New",
        },
        "charges": {"charge": charges},
        "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": str(line.quantity)},
        "statusDate": epoch_ms(item.updated_at),
        "orderLineStatuses": {"orderLineStatus": _line_statuses(item, n, line.quantity)},
        "refund": _refund(item, n, line_minor),
        "fulfillment": {
            "fulfillmentOption": "S2H",
            "shipMethod": "STANDARD",
            "storeId": None,
            "pickUpDateTime": epoch_ms(order.placed_at + timedelta(days=2)),
            "pickUpBy": None,
            "shippingProgramType": None,
        },
    }


@lru_cache(maxsize=8192)
def _phone(e164: str) -> str:
    """The national number Walmart gives ("5103295632"), from the demo's E.164."""
    try:
        return str(phonenumbers.parse(e164).national_number)
    except phonenumbers.NumberParseException:
        return e164.lstrip("+")


@lru_cache(maxsize=256)
def _alpha_3(alpha_2: str) -> str:
    """Walmart writes countries in ISO alpha-3 ("USA")."""
    country = pycountry.countries.get(alpha_2=alpha_2)
    return str(country.alpha_3) if country else alpha_2


def _shipping_info(item: SandboxOrder) -> dict[str, Any]:
    """Where the order goes (the demo knows the buyer's name, phone and country only)."""
    order, customer = item.order, item.customer
    return {
        "phone": _phone(customer.phone),
        "estimatedDeliveryDate": epoch_ms(order.placed_at + timedelta(days=6)),
        "estimatedShipDate": epoch_ms(order.placed_at + timedelta(days=2)),
        "methodCode": "Standard",
        "postalAddress": {
            "name": customer.name,
            "address1": None,
            "address2": None,
            "city": None,
            "state": None,
            "postalCode": None,
            "country": _alpha_3(order.country),
            "addressType": "RESIDENTIAL",
        },
        "carrierMethodName": None,
    }


def render_order(item: SandboxOrder, data: SandboxData) -> dict[str, Any]:
    """One demo order as a Walmart purchase order (`list.elements.order[]`, `order`)."""
    order, customer = item.order, item.customer
    warehouse = next((w for w in data.dataset.warehouses if w.code == order.warehouse_code), None)
    return {
        "purchaseOrderId": order.external_id,
        "customerOrderId": str(
            200_000_000_000_000 + int(_digest(order.external_id, 6), 16) % 10**14
        ),
        "customerEmailId": f"{_digest(customer.key, 16).upper()}@relay.walmart.com",
        "orderType": "REGULAR",
        "orderDate": epoch_ms(order.placed_at),
        "shippingInfo": _shipping_info(item),
        "orderLines": {"orderLine": [_line(item, data, n) for n in range(len(order.lines))]},
        "shipNode": {
            "type": "SellerFulfilled",
            "name": warehouse.name if warehouse else order.warehouse_code,
            "id": str(700_000 + int(_digest(order.warehouse_code, 3), 16) % 100_000),
        },
    }
