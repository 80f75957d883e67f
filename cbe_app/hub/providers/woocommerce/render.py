"""The demo's WooCommerce orders as the REST API v3 order resource.

Field names, types and formats as `GET /wp-json/wc/v3/orders` sends them: integer ids
(WordPress post ids, ascending with time), money as decimal strings in the order's currency
(a line's `price` as a JSON number), dates without an offset in the shop's time zone and as
GMT in the `*_gmt` twins, billing and shipping addresses, `line_items`, `shipping_lines`,
`refunds` (negative totals) and `meta_data`. The demo shop runs WordPress at UTC+1.

How demo states become WooCommerce's `status` (WooCommerce has no shipped/delivered split):

- pending → `pending` (awaiting payment), or `on-hold` when the payment is only authorised;
- awaiting fulfilment and partially shipped → `processing` (paid, to be shipped);
- shipped and delivered → `completed`;
- cancelled → `cancelled` (with the refund listed when the money had been taken);
- returned → `refunded` when fully refunded, else `completed` with a partial refund.

Paid orders carry `date_paid_gmt` and the payment gateway's charge id in `transaction_id`
(the same id Stripe's or PayPal's sandbox reports). Parcels are recorded as the official
Shipment Tracking extension does: `_wc_shipment_tracking_items` order meta, with its
`tracking_provider` slug (`fedex`, `dhl-express`) or a `custom_tracking_provider` (4PX).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from cbe_app.core.money import from_minor
from cbe_app.demo.records import OrderRec
from cbe_app.hub.sandbox.data import SandboxData, SandboxOrder, SandboxPayment

SITE_OFFSET = timedelta(hours=1)  # the shop's WordPress time zone setting: UTC+1
WC_VERSION = "9.4.2"
FIRST_POST_ID = 21_407
_PAID = frozenset({"paid", "partially_refunded", "refunded"})
_SHIPPED = frozenset({"partially_shipped", "shipped", "delivered", "returned"})
_GATEWAYS = {
    "stripe": ("stripe", "Credit Card (Stripe)"),
    "paypal": ("ppcp-gateway", "PayPal"),
}
_PROVIDER_SLUG = {"fedex": "fedex", "dhl": "dhl-express"}
_CUSTOM_PROVIDER = {"4px": ("4PX", "https://track.4px.com/#/result/0/{}")}


def gmt(moment: datetime) -> str:
    """A `*_gmt` date: UTC, to the second, without an offset."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def local(moment: datetime) -> str:
    """A site-time date (the fields without `_gmt`)."""
    return gmt(moment + SITE_OFFSET)


def order_id(item: SandboxOrder) -> int:
    """The order's post id: its demo id, or one made from its place for orders of other
    channels served as WooCommerce's (the sandbox's one-channel benchmark mode)."""
    external = item.order.external_id
    return int(external) if external.isdigit() else FIRST_POST_ID + item.index


def _number(text: str, low: int, span: int) -> int:
    digest = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
    return low + digest % span


def _money(minor: int, currency: str) -> str:
    return str(from_minor(minor, currency))


def wc_status(order: OrderRec) -> str:
    """The WooCommerce `status` of a demo order (see the module docstring)."""
    status = order.status
    if status == "pending":
        return "on-hold" if order.payment_status == "authorized" else "pending"
    if status in ("awaiting_fulfillment", "partially_shipped"):
        return "processing"
    if status == "returned":
        return "refunded" if order.payment_status == "refunded" else "completed"
    return "completed" if status in ("shipped", "delivered") else "cancelled"


def _dates(item: SandboxOrder) -> dict[str, str | None]:
    order = item.order
    paid = order.placed_at + timedelta(seconds=20) if order.payment_status in _PAID else None
    completed = (
        order.shipment.shipped_at
        if order.shipment and wc_status(order) in ("completed", "refunded")
        else None
    )
    out: dict[str, str | None] = {}
    for name, moment in (
        ("created", order.placed_at),
        ("modified", item.updated_at),
        ("paid", paid),
        ("completed", completed),
    ):
        out[f"date_{name}"] = local(moment) if moment else None
        out[f"date_{name}_gmt"] = gmt(moment) if moment else None
    return out


def _addresses(item: SandboxOrder) -> dict[str, dict[str, str]]:
    customer, country = item.customer, item.order.country
    first, _, last = customer.name.partition(" ")
    person = {"first_name": first, "last_name": last, "company": ""}
    place = {"address_1": "", "address_2": "", "city": "", "state": "", "postcode": ""}
    return {
        "billing": person
        | place
        | {"country": country, "email": customer.email, "phone": customer.phone},
        "shipping": person | place | {"country": country, "phone": customer.phone},
    }


def _lines(item: SandboxOrder, data: SandboxData) -> list[dict[str, Any]]:
    order, out = item.order, []
    zero = _money(0, order.currency)  # no tax: the demo's prices are gross
    for n, line in enumerate(order.lines, start=1):
        product = data.product(line.sku)
        amount = _money(line.unit_price_minor * line.quantity, order.currency)
        out.append(
            {
                "id": 60_000 + item.index * 5 + n,
                "name": product.name if product else line.sku,
                "product_id": _number(line.sku, 100, 9_000),
                "variation_id": 0,
                "quantity": line.quantity,
                "tax_class": "",
                "subtotal": amount,
                "subtotal_tax": zero,
                "total": amount,
                "total_tax": zero,
                "taxes": [],
                "meta_data": [],
                "sku": line.sku,
                "price": float(from_minor(line.unit_price_minor, order.currency)),
            }
        )
    return out


def _shipping_lines(item: SandboxOrder) -> list[dict[str, Any]]:
    order = item.order
    return [
        {
            "id": 60_000 + item.index * 5,
            "method_title": order.shipment.service if order.shipment else "Flat rate",
            "method_id": "flat_rate",
            "instance_id": "1",
            "total": _money(order.shipping_minor, order.currency),
            "total_tax": _money(0, order.currency),
            "taxes": [],
            "meta_data": [],
        }
    ]


def _tracking_meta(item: SandboxOrder) -> list[dict[str, Any]]:
    order, shipment = item.order, item.order.shipment
    if shipment is None or order.status not in _SHIPPED:
        return []
    custom, link = _CUSTOM_PROVIDER.get(shipment.carrier_code, ("", ""))
    shipped_day = shipment.shipped_at.replace(hour=0, minute=0, second=0, microsecond=0)
    entry = {
        "tracking_provider": _PROVIDER_SLUG.get(shipment.carrier_code, ""),
        "custom_tracking_provider": custom,
        "custom_tracking_link": link.format(shipment.tracking_number) if link else "",
        "tracking_number": shipment.tracking_number,
        "date_shipped": str(int(shipped_day.timestamp())),
        "tracking_id": hashlib.md5(shipment.tracking_number.encode()).hexdigest(),  # noqa: S324 - an id, as the extension makes it
    }
    return [{"id": 80_000 + item.index, "key": "_wc_shipment_tracking_items", "value": [entry]}]


def _refunds(item: SandboxOrder) -> list[dict[str, Any]]:
    order = item.order
    if not order.refunded_minor:
        return []
    total = "-" + _money(order.refunded_minor, order.currency)
    return [{"id": 900_000 + item.index, "reason": "", "total": total}]


def _payment(item: SandboxOrder, charge: SandboxPayment | None) -> dict[str, str]:
    method, title = _GATEWAYS[charge.provider if charge else "stripe"]
    captured = charge.external_id if charge and item.order.payment_status in _PAID else ""
    return {
        "payment_method": method,
        "payment_method_title": title,
        "transaction_id": captured,
    }


def _totals(order: OrderRec) -> dict[str, str]:
    zero = _money(0, order.currency)  # no discounts or tax: the demo's prices are gross
    return {
        "discount_total": zero,
        "discount_tax": zero,
        "shipping_total": _money(order.shipping_minor, order.currency),
        "shipping_tax": zero,
        "cart_tax": zero,
        "total": _money(order.total_minor, order.currency),
        "total_tax": zero,
    }


def render_order(
    item: SandboxOrder, data: SandboxData, charge: SandboxPayment | None, base: str
) -> dict[str, Any]:
    """One demo order as the v3 order resource; `charge` is its gateway payment, if any."""
    order = item.order
    post_id, customer_no = order_id(item), int(item.customer.key[1:])
    key = hashlib.sha256(f"wc:{post_id}".encode()).hexdigest()
    status = wc_status(order)
    return {
        "id": post_id,
        "parent_id": 0,
        "number": str(post_id),
        "order_key": f"wc_order_{key[:13]}",
        "created_via": "checkout",
        "version": WC_VERSION,
        "status": status,
        "currency": order.currency,
        **_dates(item),
        **_totals(order),
        "prices_include_tax": False,
        "customer_id": customer_no + 1 if customer_no % 3 else 0,  # a third check out as guests
        "customer_ip_address": "",
        "customer_user_agent": "",
        "customer_note": "",
        **_addresses(item),
        **_payment(item, charge),
        "cart_hash": key[13:45],
        "meta_data": _tracking_meta(item),
        "line_items": _lines(item, data),
        "tax_lines": [],
        "shipping_lines": _shipping_lines(item),
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": _refunds(item),
        "needs_payment": status in ("pending", "failed"),
        "needs_processing": True,
        "_links": {
            "self": [{"href": f"{base}/wp-json/wc/v3/orders/{post_id}"}],
            "collection": [{"href": f"{base}/wp-json/wc/v3/orders"}],
        },
    }
