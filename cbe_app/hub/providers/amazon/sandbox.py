"""Amazon SP-API, emulated: Login with Amazon and Orders API v0 over the demo's Amazon orders.

Speaks what the connector uses, as Amazon does:

* `POST /auth/o2/token` (LWA): grant_type=refresh_token with the demo app's client id and
  secret; a wrong client gets 401 `invalid_client`, a wrong refresh token 400
  `invalid_grant`. Access tokens last an hour (by the control's clock).
* `GET /orders/v0/orders` (getOrders): `MarketplaceIds` (required, ≤ 50 known ids),
  `LastUpdatedAfter`/`LastUpdatedBefore` or `CreatedAfter`/`CreatedBefore` (one pair, the
  before at least two minutes ago, both inclusive), `MaxResultsPerPage` (1-100, default 100)
  and `NextToken`, beside which other filters are ignored. Pages are cut by key (time, order)
  over per-marketplace sorted views, so a page costs a few bisections, whatever the size.
* `GET /orders/v0/orders/{orderId}/orderItems` (getOrderItems) with its own `NextToken`, and
  `GET /orders/v0/orders/{orderId}` (getOrder).

A missing, unknown or expired `x-amz-access-token` gets 403 `Unauthorized`, as SP-API answers;
every data request goes through `control.refuse` (one bucket per operation) and a refusal is
answered with Amazon's error body (429 `QuotaExceeded`, 503 `ServiceUnavailable`).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cbe_app.hub.providers.amazon.common import MARKETPLACES
from cbe_app.hub.providers.amazon.orders_view import OrdersView
from cbe_app.hub.providers.amazon.render import amazon_time, render_items, render_order
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl, json_response
from cbe_app.hub.sandbox.data import SandboxData

CHANNEL = "amazon"
TOKEN_SECONDS = 3600
MAX_PAGE = 100
ITEMS_PAGE_SIZE = 100  # getOrderItems' page (tests shrink it to exercise its NextToken)
_RATES = {"getOrders": "0.0167", "getOrderItems": "0.5", "getOrder": "0.5"}
_REFUSALS = {
    429: ("QuotaExceeded", "You exceeded your quota for the requested resource."),
    503: ("ServiceUnavailable", "Service is temporarily unavailable. Please try again later."),
}


_CURSOR_KEYS = ("field", "after", "before", "limit", "last", "marketplaces")


class InvalidInput(ValueError):
    """A request Amazon would answer with 400 InvalidInput."""


def errors(code: str, message: str, status: int, details: str = "") -> Response:
    """SP-API's error body: `{"errors": [{"code", "message", "details"}]}`."""
    return json_response(
        {"errors": [{"code": code, "message": message, "details": details}]}, status
    )


def encode_token(state: dict[str, Any]) -> str:
    """An opaque NextToken carrying where the next page starts."""
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def decode_token(token: str, *keys: str) -> dict[str, Any]:
    """The state inside a NextToken, which must hold `keys`; raises InvalidInput for a token
    not issued here (or by another operation)."""
    try:
        state = dict(json.loads(base64.urlsafe_b64decode(token.encode())))
    except (ValueError, UnicodeDecodeError, TypeError) as exc:
        raise InvalidInput("Invalid NextToken") from exc
    if not set(keys) <= set(state):
        raise InvalidInput("Invalid NextToken")
    return state


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{name} is not a valid ISO 8601 date") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _filters(params: Any) -> dict[str, Any]:
    """The first page's window and size from getOrders' parameters (Amazon's rules)."""
    updated = (params.get("LastUpdatedAfter"), params.get("LastUpdatedBefore"))
    created = (params.get("CreatedAfter"), params.get("CreatedBefore"))
    if any(updated) and any(created):
        raise InvalidInput("LastUpdated and Created filters cannot be combined")
    field, prefix = ("updated", "LastUpdated") if any(updated) else ("created", "Created")
    after_raw, before_raw = updated if field == "updated" else created
    after = _time(after_raw, f"{prefix}After")
    if after is None:
        raise InvalidInput("Either CreatedAfter or LastUpdatedAfter must be specified")
    latest = datetime.now(UTC) - timedelta(minutes=2)
    before = _time(before_raw, f"{prefix}Before") or latest
    if before > latest:
        raise InvalidInput(
            f"{prefix}Before must be at least 2 minutes before the time of the request"
        )
    if before < after:
        raise InvalidInput(f"{prefix}Before must not be earlier than {prefix}After")
    size = params.get("MaxResultsPerPage", str(MAX_PAGE))
    if not size.isdigit() or not 1 <= int(size) <= MAX_PAGE:
        raise InvalidInput(f"MaxResultsPerPage must be between 1 and {MAX_PAGE}")
    return {
        "field": field,
        "after": after.isoformat(),
        "before": before.isoformat(),
        "limit": int(size),
        "last": None,
    }


def _marketplaces(raw: str | None) -> list[str]:
    ids = [i.strip() for i in (raw or "").split(",") if i.strip()]
    if not ids:
        raise InvalidInput("MarketplaceIds is required")
    if len(ids) > 50:
        raise InvalidInput("MarketplaceIds can hold at most 50 marketplaces")
    unknown = [i for i in ids if i not in MARKETPLACES]
    if unknown:
        raise InvalidInput(f"Invalid MarketplaceId: {unknown[0]}")
    return ids


class _SellingPartnerApi:
    """The emulated endpoints over one demo business (handlers for `routes`)."""

    def __init__(self, data: SandboxData, control: SandboxControl) -> None:
        self.data, self.control = data, control
        self.view = OrdersView(data.orders(CHANNEL))
        self.issued: dict[str, float] = {}  # access token → when it was issued (control clock)

    async def token(self, request: Request) -> Response:
        """LWA's token endpoint (refresh_token grant only)."""
        creds = DEMO_CREDENTIALS[CHANNEL]
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return _lwa_error("unsupported_grant_type", "Unsupported grant type", 400)
        if (form.get("client_id"), form.get("client_secret")) != (
            creds["client_id"],
            creds["client_secret"],
        ):
            return _lwa_error("invalid_client", "Client authentication failed", 401)
        if form.get("refresh_token") != creds["refresh_token"]:
            return _lwa_error(
                "invalid_grant", "The request has an invalid grant parameter : refresh_token", 400
            )
        access = self.control.issue_token(CHANNEL)
        self.issued[access] = self.control.clock()
        return json_response(
            {
                "access_token": access,
                "refresh_token": creds["refresh_token"],
                "token_type": "bearer",
                "expires_in": TOKEN_SECONDS,
            }
        )

    def guard(self, request: Request, operation: str) -> Response | None:
        """403 for a missing, unknown or expired token; else the control's refusal, if any."""
        token = request.headers.get("x-amz-access-token")
        denied = "Access to requested resource is denied."
        if not token or not self.control.token_valid(CHANNEL, token):
            details = "The access token you provided is revoked, malformed or invalid."
            return errors("Unauthorized", denied, 403, details if token else "")
        if self.control.clock() - self.issued.get(token, 0.0) > TOKEN_SECONDS:
            return errors("Unauthorized", denied, 403, "The access token you provided has expired.")
        refused = self.control.refuse(f"{CHANNEL}:{operation}")  # one bucket per operation
        if refused is None:
            return None
        code, message = _REFUSALS.get(refused.status_code, ("InternalFailure", "Try again."))
        response = errors(code, message, refused.status_code)
        response.headers.update({k: v for k, v in refused.headers.items() if k == "retry-after"})
        return response

    async def get_orders(self, request: Request) -> Response:
        """getOrders: one page of the window, by key."""
        if (refused := self.guard(request, "getOrders")) is not None:
            return refused
        params = request.query_params
        try:
            marketplaces = _marketplaces(params.get("MarketplaceIds"))
            token = params.get("NextToken")
            # Beside a NextToken Amazon ignores the other filters: the token carries them.
            cursor = (
                decode_token(token, *_CURSOR_KEYS)
                if token
                else {**_filters(params), "marketplaces": marketplaces}
            )
        except InvalidInput as exc:
            return errors("InvalidInput", str(exc), 400)
        page, last = self.view.page(cursor["marketplaces"], cursor)
        body: dict[str, Any] = {"Orders": [render_order(item) for item in page]}
        if last is not None:
            body["NextToken"] = encode_token({**cursor, "last": last})
        echoed = "LastUpdatedBefore" if cursor["field"] == "updated" else "CreatedBefore"
        body[echoed] = amazon_time(datetime.fromisoformat(cursor["before"]))
        return _ok({"payload": body}, "getOrders")

    async def get_order(self, request: Request) -> Response:
        """getOrder: one order."""
        if (refused := self.guard(request, "getOrder")) is not None:
            return refused
        item = self.view.find(request.path_params["order_id"])
        if item is None:
            return errors("NotFound", "The order was not found.", 404)
        return _ok({"payload": render_order(item)}, "getOrder")

    async def get_order_items(self, request: Request) -> Response:
        """getOrderItems: one order's items, `ITEMS_PAGE_SIZE` a page."""
        if (refused := self.guard(request, "getOrderItems")) is not None:
            return refused
        order_id = request.path_params["order_id"]
        item = self.view.find(order_id)
        if item is None:
            return errors("NotFound", "The order was not found.", 404)
        try:
            token = request.query_params.get("NextToken")
            start = int(decode_token(token, "offset")["offset"]) if token else 0
        except (InvalidInput, KeyError, ValueError):
            return errors("InvalidInput", "Invalid NextToken", 400)
        items = render_items(item, self.data)
        body: dict[str, Any] = {
            "AmazonOrderId": order_id,
            "OrderItems": items[start : start + ITEMS_PAGE_SIZE],
        }
        if start + ITEMS_PAGE_SIZE < len(items):
            body["NextToken"] = encode_token({"offset": start + ITEMS_PAGE_SIZE})
        return _ok({"payload": body}, "getOrderItems")


def _lwa_error(error: str, description: str, status: int) -> Response:
    return json_response({"error": error, "error_description": description}, status)


def _ok(body: Any, operation: str) -> Response:
    return json_response(body, headers={"x-amzn-RateLimit-Limit": _RATES[operation]})


def routes(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    """The LWA and Orders v0 endpoints, for `build_app` to mount under /amazon."""
    api = _SellingPartnerApi(data, control)
    return [
        Route("/auth/o2/token", api.token, methods=["POST"]),
        Route("/orders/v0/orders", api.get_orders),
        Route("/orders/v0/orders/{order_id}", api.get_order),
        Route("/orders/v0/orders/{order_id}/orderItems", api.get_order_items),
    ]
