"""eBay's Identity and Sell Fulfillment APIs, emulated: the demo's eBay orders.

Speaks what the connector uses, as eBay does:

- `POST /identity/v1/oauth2/token` — the refresh-token grant, with the app's credentials in
  HTTP Basic auth; answers `invalid_client` (401), `invalid_grant`, `invalid_scope` or
  `unsupported_grant_type` (400) like eBay, and issues 2-hour user access tokens;
- `GET /sell/fulfillment/v1/order` (getOrders) with a Bearer token: `filter` (see
  `query.py`), `orderIds` (up to 50), and `limit` (1–200, default 50) / `offset` paging with
  `total`, `href`, `next` and `prev`;
- `GET …/order/{orderId}` (getOrder), `GET …/order/{orderId}/shipping_fulfillment`
  (getShippingFulfillments) and `…/shipping_fulfillment/{fulfillmentId}`.

A missing or unknown token gets eBay's 401 (errorId 1001); the sandbox control's 429 is sent
with eBay's own error body. A date filter returns orders in the order of that date; the
views are sorted once, so a request costs two bisections and the rendering of one page.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cbe_app.hub.providers.ebay.query import (
    EbayError,
    SortedView,
    default_filter,
    page_params,
    parse_filter,
)
from cbe_app.hub.providers.ebay.render import fulfilment_status, render_fulfillments, render_order
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl, bearer, json_response
from cbe_app.hub.sandbox.data import SandboxData, SandboxOrder

CHANNEL = "ebay"
MAX_ORDER_IDS = 50
TOKEN_SECONDS = 7200
SCOPES = frozenset(
    {
        "https://api.ebay.com/oauth/api_scope",
        "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
        "https://api.ebay.com/oauth/api_scope/sell.fulfillment.readonly",
    }
)
_ORDER = "/sell/fulfillment/v1/order"


def errors(error_id: int, message: str, status: int, **extra: Any) -> Response:
    """eBay's error body: `{"errors": [{"errorId", "domain", "category", "message"}]}`."""
    domain = {1001: "OAuth", 2001: "ACCESS"}.get(error_id, "API_FULFILLMENT")
    error = {"errorId": error_id, "domain": domain, "category": "REQUEST", "message": message}
    return json_response({"errors": [error | extra]}, status)


def _token_error(error: str, description: str, status: int = 400) -> Response:
    return json_response({"error": error, "error_description": description}, status)


def token_route(control: SandboxControl) -> Route:
    """`POST /identity/v1/oauth2/token`: the refresh-token grant."""
    creds = DEMO_CREDENTIALS[CHANNEL]
    basic = base64.b64encode(f"{creds['client_id']}:{creds['client_secret']}".encode()).decode()

    async def token(request: Request) -> Response:
        if request.headers.get("authorization", "") != f"Basic {basic}":
            return _token_error("invalid_client", "client authentication failed", 401)
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return _token_error(
                "unsupported_grant_type",
                "grant type in request is not supported by the authorization server",
            )
        if form.get("refresh_token") != creds["refresh_token"]:
            return _token_error(
                "invalid_grant",
                "the provided authorization refresh token is invalid or was issued to another "
                "client",
            )
        if set(form.get("scope", "").split()) - SCOPES:
            return _token_error(
                "invalid_scope",
                "the requested scope is invalid, unknown, malformed, or exceeds the scope "
                "granted to the client",
            )
        return json_response(
            {
                "access_token": control.issue_token(CHANNEL),
                "expires_in": TOKEN_SECONDS,
                "token_type": "User Access Token",
            }
        )

    return Route("/identity/v1/oauth2/token", token, methods=["POST"])


def _api_root(request: Request) -> str:
    # Links point back at this server, where eBay's point at https://api.ebay.com.
    return str(request.url.replace(query="")).split("/sell/fulfillment/")[0]


class FulfillmentApi:
    """The Sell Fulfillment order endpoints over one demo business."""

    def __init__(self, data: SandboxData, control: SandboxControl) -> None:
        self.data, self.control = data, control
        items = data.orders(CHANNEL)
        self.by_modified = SortedView(items, lambda s: s.updated_at)
        self.by_created = SortedView(items, lambda s: s.order.placed_at)
        self.by_id = {s.order.external_id: s for s in items}
        self.rate_key = f"{CHANNEL}:{DEMO_CREDENTIALS[CHANNEL]['client_id']}"

    def guard(self, request: Request) -> Response | None:
        """eBay's 401 without a valid token; the control's 503 or 429 (as eBay's) otherwise."""
        if not self.control.token_valid(CHANNEL, bearer(request)):
            long = "Invalid access token. Check the value of the Authorization HTTP request header."
            return errors(1001, "Invalid access token", 401, longMessage=long)
        refused = self.control.refuse(self.rate_key)
        if refused is not None and refused.status_code == 429:
            answer = errors(2001, "Too many requests.", 429)
            answer.headers["Retry-After"] = refused.headers.get("Retry-After", "1")
            return answer
        return refused

    def matching(self, request: Request) -> Sequence[SandboxOrder]:
        """The orders a getOrders query selects, in the order eBay lists them."""
        params = request.query_params
        if params.get("orderIds"):  # eBay ignores every other parameter then
            ids = [i.strip() for i in params["orderIds"].split(",") if i.strip()]
            if len(ids) > MAX_ORDER_IDS:
                raise EbayError(
                    30900, "Exceeded maximum number of order IDs (the current limit is 50)"
                )
            return [self.by_id[i] for i in ids if i in self.by_id]
        clock = datetime.now(UTC)
        wanted = parse_filter(params["filter"], clock) if params.get("filter") else None
        wanted = wanted or default_filter(clock)
        view = self.by_created if wanted.field == "creationdate" else self.by_modified
        found = view.between(wanted.start, wanted.end)
        if wanted.statuses is not None:  # a scan, but only of the date range asked for
            found = [s for s in found if fulfilment_status(s.order) in wanted.statuses]
        return found

    async def get_orders(self, request: Request) -> Response:
        """getOrders: one `OrderSearchPagedCollection` page."""
        if (refused := self.guard(request)) is not None:
            return refused
        try:
            found = self.matching(request)
            limit, offset = page_params(request.query_params)
        except EbayError as exc:
            return errors(exc.error_id, str(exc), 400)
        root = _api_root(request)

        def link(at: int) -> str:
            return str(request.url.include_query_params(offset=at, limit=limit))

        body: dict[str, Any] = {
            "href": link(offset),
            "total": len(found),
            "limit": limit,
            "offset": offset,
            "orders": [render_order(s, self.data, root) for s in found[offset : offset + limit]],
        }
        if offset + limit < len(found):
            body["next"] = link(offset + limit)
        if offset > 0:
            body["prev"] = link(max(0, offset - limit))
        return json_response(body)

    def _one(self, request: Request) -> SandboxOrder | Response:
        if (refused := self.guard(request)) is not None:
            return refused
        order_id = request.path_params["order_id"]
        found = self.by_id.get(order_id)
        return found or errors(32100, f"Invalid order ID: {order_id}", 400)

    async def get_order(self, request: Request) -> Response:
        """getOrder: one `Order`."""
        found = self._one(request)
        if isinstance(found, Response):
            return found
        return json_response(render_order(found, self.data, _api_root(request)))

    async def get_fulfillments(self, request: Request) -> Response:
        """getShippingFulfillments: the order's parcels."""
        found = self._one(request)
        if isinstance(found, Response):
            return found
        fulfillments = render_fulfillments(found)
        return json_response({"fulfillments": fulfillments, "total": len(fulfillments)})

    async def get_fulfillment(self, request: Request) -> Response:
        """getShippingFulfillment: one parcel of the order."""
        found = self._one(request)
        if isinstance(found, Response):
            return found
        wanted = request.path_params["fulfillment_id"]
        match = [f for f in render_fulfillments(found) if f["fulfillmentId"] == wanted]
        if not match:
            return errors(32110, f"Invalid shipping fulfillment ID: {wanted}", 400)
        return json_response(match[0])


def routes(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    """The eBay endpoints, for `build_app` to mount under /ebay."""
    api = FulfillmentApi(data, control)
    return [
        token_route(control),
        Route(_ORDER, api.get_orders),
        Route(f"{_ORDER}/{{order_id}}", api.get_order),
        Route(f"{_ORDER}/{{order_id}}/shipping_fulfillment", api.get_fulfillments),
        Route(
            f"{_ORDER}/{{order_id}}/shipping_fulfillment/{{fulfillment_id}}", api.get_fulfillment
        ),
    ]
