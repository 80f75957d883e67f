"""Shopify Admin REST, emulated: the demo's Shopify orders as `orders.json` pages.

Speaks what the connector uses: `X-Shopify-Access-Token`, `GET …/orders.json` with
`status=any`, `updated_at_min/max`, `limit` (≤ 250) and cursor paging through the `Link`
header's `page_info` (after which only `limit` may be sent, as in Shopify), `orders/{id}.json`
and `orders/count.json`, the leaky-bucket header, and 429/503 from the sandbox control.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cbe_app.core.money import from_minor
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl, json_response
from cbe_app.hub.sandbox.data import SandboxData, SandboxOrder
from cbe_app.hub.sandbox.rendered import RenderedRecords

CHANNEL = "shopify"
_INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"  # noqa: S105 - the error text
MAX_LIMIT = 250
_FINANCIAL = {
    "pending": "pending",
    "authorized": "authorized",
    "paid": "paid",
    "partially_refunded": "partially_refunded",
    "refunded": "refunded",
    "voided": "voided",
    "failed": "voided",
}
_FULFILMENT = {
    "partially_shipped": "partial",
    "shipped": "fulfilled",
    "delivered": "fulfilled",
    "returned": "fulfilled",
}


def _order_id(item: SandboxOrder) -> int:
    """Shopify's numeric order id (orders of other channels, served here by benchmarks, get one)."""
    external = item.order.external_id
    return int(external) if external.isdigit() else 5_400_000_000_000 + item.index


def _money(minor: int, currency: str) -> str:
    return str(from_minor(minor, currency))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _lines(item: SandboxOrder, data: SandboxData) -> list[dict[str, Any]]:
    order = item.order
    out = []
    for n, line in enumerate(order.lines, start=1):
        product = data.product(line.sku)
        out.append(
            {
                "id": _order_id(item) * 10 + n,
                "sku": line.sku,
                "quantity": line.quantity,
                "price": _money(line.unit_price_minor, order.currency),
                "title": product.name if product else line.sku,
                "variant_id": None,
                "product_id": None,
            }
        )
    return out


def _fulfilments(item: SandboxOrder) -> list[dict[str, Any]]:
    shipment = item.order.shipment
    if shipment is None or item.order.status in ("pending", "awaiting_fulfillment", "cancelled"):
        return []
    delivered = item.order.status in ("delivered", "returned")
    return [
        {
            "id": _order_id(item) + 1,
            "status": "success",
            "tracking_company": shipment.carrier_code.upper(),
            "tracking_number": shipment.tracking_number,
            "tracking_numbers": [shipment.tracking_number],
            "shipment_status": "delivered" if delivered else "in_transit",
            "created_at": _iso(shipment.shipped_at),
        }
    ]


def _refunds(item: SandboxOrder) -> list[dict[str, Any]]:
    order = item.order
    if not order.refunded_minor:
        return []
    restock = "return" if order.status == "returned" else "no_restock"
    return [
        {
            "id": _order_id(item) + 2,
            "created_at": _iso(item.updated_at),
            "restock": order.status == "returned",
            "refund_line_items": [
                {
                    "line_item_id": _order_id(item) * 10 + 1,
                    "quantity": 1,
                    "restock_type": restock,
                }
            ],
            "transactions": [
                {
                    "id": _order_id(item) + 3,
                    "kind": "refund",
                    "status": "success",
                    "amount": _money(order.refunded_minor, order.currency),
                    "currency": order.currency,
                }
            ],
        }
    ]


def render(item: SandboxOrder, data: SandboxData) -> dict[str, Any]:
    """One demo order as Shopify's REST Order resource."""
    order, customer = item.order, item.customer
    first, _, last = customer.name.partition(" ")
    address = {"name": customer.name, "country_code": order.country, "phone": customer.phone}
    return {
        "id": _order_id(item),
        "name": f"#{1000 + item.index}",
        "order_number": 1000 + item.index,
        "email": customer.email,
        "created_at": _iso(order.placed_at),
        "processed_at": _iso(order.placed_at),
        "updated_at": _iso(item.updated_at),
        "currency": order.currency,
        "presentment_currency": order.currency,
        "total_price": _money(order.total_minor, order.currency),
        "subtotal_price": _money(order.total_minor - order.shipping_minor, order.currency),
        "total_shipping_price_set": {
            "shop_money": {
                "amount": _money(order.shipping_minor, order.currency),
                "currency_code": order.currency,
            }
        },
        "financial_status": _FINANCIAL[order.payment_status],
        "fulfillment_status": _FULFILMENT.get(order.status),
        "cancelled_at": _iso(item.updated_at) if order.status == "cancelled" else None,
        "customer": {
            "id": 7_000_000_000 + int(customer.key[1:]),
            "email": customer.email,
            "first_name": first,
            "last_name": last,
            "phone": customer.phone,
        },
        "shipping_address": address,
        "billing_address": address,
        "line_items": _lines(item, data),
        "fulfillments": _fulfilments(item),
        "refunds": _refunds(item),
    }


def _encode(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def _decode(token: str) -> dict[str, Any]:
    padded = token + "=" * (-len(token) % 4)
    return dict(json.loads(base64.urlsafe_b64decode(padded)))


def _window(request: Request) -> tuple[dict[str, Any], Response | None]:
    params = request.query_params
    if "page_info" in params:
        if set(params) - {"page_info", "limit", "fields"}:
            return {}, json_response(
                {"errors": "page_info cannot be combined with other filters"}, 400
            )
        try:
            return _decode(params["page_info"]), None
        except (ValueError, UnicodeDecodeError):
            return {}, json_response({"errors": "Invalid page_info"}, 400)
    return {
        "min": params.get("updated_at_min"),
        "max": params.get("updated_at_max"),
        "offset": 0,
    }, None


def routes(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    """The Shopify endpoints, for `build_app` to mount under /shopify."""
    token = DEMO_CREDENTIALS["shopify"]["access_token"]
    rendered = RenderedRecords[SandboxOrder](lambda item: render(item, data), _order_id)

    def guard(request: Request) -> Response | None:
        if request.headers.get("x-shopify-access-token") != token:
            return json_response({"errors": _INVALID_TOKEN}, 401)
        return control.refuse(f"shopify:{token}")

    def changed(window: dict[str, Any]) -> list[SandboxOrder]:
        since = datetime.fromisoformat(window["min"]) if window.get("min") else None
        until = datetime.fromisoformat(window["max"]) if window.get("max") else None
        return data.changed_between(data.orders(CHANNEL), since, until)

    async def orders(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        window, problem = _window(request)
        if problem is not None:
            return problem
        limit = min(max(int(request.query_params.get("limit", 50)), 1), MAX_LIMIT)
        matching = changed(window)
        start = int(window.get("offset", 0))
        page = matching[start : start + limit]
        headers = {"X-Shopify-Shop-Api-Call-Limit": "1/40"}
        if start + limit < len(matching):
            next_info = _encode({**window, "offset": start + limit})
            headers["Link"] = (
                f'<{request.url.replace(query=f"limit={limit}&page_info={next_info}")}>; rel="next"'
            )
        body = b'{"orders":' + rendered.array(page) + b"}"
        return Response(body, headers=headers, media_type="application/json")

    async def count(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        window, _ = _window(request)
        return json_response({"count": len(changed(window))})

    async def one(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        wanted = request.path_params["order_id"]
        found = next((i for i in data.orders(CHANNEL) if i.order.external_id == wanted), None)
        if found is None:
            return json_response({"errors": "Not Found"}, 404)
        return json_response({"order": render(found, data)})

    base = "/admin/api/{version}"
    return [
        Route(f"{base}/orders.json", orders),
        Route(f"{base}/orders/count.json", count),
        Route(f"{base}/orders/{{order_id}}.json", one),
    ]
