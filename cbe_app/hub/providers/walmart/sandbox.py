"""Walmart Marketplace, emulated: the token API and `GET /v3/orders` over the demo's orders.

Speaks what the connector uses, as Walmart does:

* `POST /v3/token`: `Authorization: Basic base64(client_id:client_secret)` with the demo
  credentials, grant_type=client_credentials; a wrong pair gets 401
  `UNAUTHORIZED.GMP_GATEWAY_API`. Tokens last 900 seconds (by the control's clock).
* `GET /v3/orders`: `lastModifiedStartDate`/`lastModifiedEndDate` or
  `createdStartDate`/`createdEndDate` (ISO times, dates or epoch milliseconds, both ends
  inclusive), `limit` (1-200, default 100); `list.meta.nextCursor` is the next page's query
  string (the filters again, with `hasMoreElements` and `poIndex`, the last order sent, after
  which the page continues), absent on the last page; `totalCount` counts the whole match.
  No match is a 404 `CONTENT_NOT_FOUND.GMP_ORDER_API`, as Walmart answers.
* `GET /v3/orders/{purchaseOrderId}`.

Every request needs `WM_SVC.NAME` and `WM_QOS.CORRELATION_ID` (400 otherwise), data requests
a live `WM_SEC.ACCESS_TOKEN` (401 otherwise), and each goes through `control.refuse`; a
refusal gets Walmart's error body (429 `REQUEST_THRESHOLD_VIOLATED`, 503 `SERVICE_UNAVAILABLE`).
Pages are cut by key (time, order) with bisections over sorted views: no request scans.
"""

from __future__ import annotations

import base64
import bisect
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cbe_app.hub.providers.walmart.render import render_order
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl, json_response
from cbe_app.hub.sandbox.data import SandboxData, SandboxOrder

CHANNEL = "walmart"
TOKEN_SECONDS = 900
MAX_LIMIT = 200
PARTNER_ID, SELLER_ID = "10001234567", "101234"
_FILTERS = {
    "updated": ("lastModifiedStartDate", "lastModifiedEndDate"),
    "created": ("createdStartDate", "createdEndDate"),
}
_REFUSALS = {
    429: ("REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API", "Too many requests"),
    503: ("SERVICE_UNAVAILABLE.GMP_GATEWAY_API", "Service unavailable"),
}
_END = 1 << 62  # an index after every order


class BadRequest(ValueError):
    """A request Walmart would answer with 400, naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def errors(code: str, field: str, description: str, status: int) -> Response:
    """Walmart's error body: `{"errors": {"error": [{code, field, description, …}]}}`."""
    error: dict[str, Any] = {
        "code": code,
        "field": field,
        "description": description,
        "info": description,
        "severity": "INFO" if status == 404 else "ERROR",
        "category": "REQUEST" if status in (400, 404) else "DATA",
        "causes": [],
        "errorIdentifiers": {},
    }
    return json_response({"errors": {"error": [error]}}, status)


def _moment(raw: str, field: str, end: bool) -> datetime:
    """A filter time: epoch milliseconds, an ISO date (its whole day) or an ISO time."""
    try:
        if raw.isdigit():
            return datetime.fromtimestamp(int(raw) / 1000, UTC)
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time.max if end else time.min, UTC)
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise BadRequest(field, f"{field} is not a valid date") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _View:
    """One sort of the channel's orders: keys (time, demo index) beside the orders."""

    def __init__(self, orders: list[SandboxOrder], field: str) -> None:
        pairs = sorted(
            (((o.updated_at if field == "updated" else o.order.placed_at), o.index), o)
            for o in orders
        )
        self.keys = [k for k, _ in pairs]
        self.items = [o for _, o in pairs]
        self.key_of = {o.order.external_id: k for k, o in pairs}


def _query(params: Any) -> tuple[str, datetime | None, datetime | None, int]:
    field = "created" if any(k in params for k in _FILTERS["created"]) else "updated"
    start_name, end_name = _FILTERS[field]
    start = _moment(params[start_name], start_name, False) if start_name in params else None
    end = _moment(params[end_name], end_name, True) if end_name in params else None
    limit = params.get("limit", "100")
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        raise BadRequest("limit", f"limit must be between 1 and {MAX_LIMIT}")
    return field, start, end, int(limit)


def _next_cursor(params: Any, limit: int, total: int, last: SandboxOrder) -> str:
    kept = {k: v for k, v in params.items() if k in _FILTERS["updated"] + _FILTERS["created"]}
    cursor = {
        "limit": limit,
        "hasMoreElements": "true",
        "soIndex": total,
        "poIndex": last.order.external_id,
        "partnerId": PARTNER_ID,
        "sellerId": SELLER_ID,
        **kept,
    }
    return "?" + urlencode(cursor)


def _headers_problem(request: Request) -> Response | None:
    """400 when a header Walmart requires on every call is missing."""
    for name in ("WM_SVC.NAME", "WM_QOS.CORRELATION_ID"):
        if not request.headers.get(name):
            return errors(
                "INVALID_REQUEST_HEADER.GMP_GATEWAY_API", name, f"{name} set null or invalid", 400
            )
    return None


def _unauthorized() -> Response:
    return errors("UNAUTHORIZED.GMP_GATEWAY_API", "UNAUTHORIZED", "Unauthorized", 401)


class _MarketplaceApi:
    """The emulated endpoints over one demo business (handlers for `routes`)."""

    def __init__(self, data: SandboxData, control: SandboxControl) -> None:
        self.data, self.control = data, control
        creds = DEMO_CREDENTIALS[CHANNEL]
        self.client_id = creds["client_id"]
        pair = f"{creds['client_id']}:{creds['client_secret']}".encode()
        self.basic = "Basic " + base64.b64encode(pair).decode()
        self.issued: dict[str, float] = {}  # access token → when it was issued (control clock)
        self.views: dict[str, _View] = {}

    def view(self, field: str) -> _View:
        """The orders sorted by change ("updated") or purchase ("created"), built once."""
        if field not in self.views:
            self.views[field] = _View(self.data.orders(CHANNEL), field)
        return self.views[field]

    def guard(self, request: Request) -> Response | None:
        """400/401 for missing headers or a dead token; else the control's refusal, if any."""
        if (problem := _headers_problem(request)) is not None:
            return problem
        token = request.headers.get("WM_SEC.ACCESS_TOKEN")
        if not token or not self.control.token_valid(CHANNEL, token):
            return _unauthorized()
        if self.control.clock() - self.issued.get(token, 0.0) > TOKEN_SECONDS:
            return _unauthorized()
        refused = self.control.refuse(f"{CHANNEL}:{self.client_id}")
        if refused is None:
            return None
        code, text = _REFUSALS.get(refused.status_code, ("SYSTEM_ERROR.GMP_GATEWAY_API", "Error"))
        response = errors(code, code.split(".")[0], text, refused.status_code)
        response.headers.update({k: v for k, v in refused.headers.items() if k == "retry-after"})
        return response

    async def token(self, request: Request) -> Response:
        """The token API (client_credentials grant)."""
        if (problem := _headers_problem(request)) is not None:
            return problem
        if request.headers.get("Authorization") != self.basic:
            return _unauthorized()
        form = parse_qs((await request.body()).decode())
        if form.get("grant_type") != ["client_credentials"]:
            return errors(
                "INVALID_REQUEST_PARAM.GMP_GATEWAY_API", "grant_type", "Invalid grant_type", 400
            )
        access = self.control.issue_token(CHANNEL)
        self.issued[access] = self.control.clock()
        return json_response(
            {"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}
        )

    async def orders(self, request: Request) -> Response:
        """All orders: one page of the filters' match, after `poIndex` when given."""
        if (refused := self.guard(request)) is not None:
            return refused
        params = request.query_params
        try:
            field, start, end, limit = _query(params)
        except BadRequest as exc:
            return errors("INVALID_REQUEST_PARAM.GMP_ORDER_API", exc.field, str(exc), 400)
        view = self.view(field)
        lo = bisect.bisect_left(view.keys, (start, -1)) if start else 0
        hi = bisect.bisect_right(view.keys, (end, _END)) if end else len(view.keys)
        after = view.key_of.get(params.get("poIndex", ""))
        first = max(lo, bisect.bisect_right(view.keys, after)) if after else lo
        page = view.items[first : min(hi, first + limit)]
        if not page:
            return errors(
                "CONTENT_NOT_FOUND.GMP_ORDER_API",
                "data",
                "No Orders found for the given search criteria",
                404,
            )
        total = hi - lo
        more = first + limit < hi
        meta = {
            "totalCount": total,
            "limit": limit,
            "nextCursor": _next_cursor(params, limit, total, page[-1]) if more else None,
        }
        rendered = [render_order(item, self.data) for item in page]
        return json_response({"list": {"meta": meta, "elements": {"order": rendered}}})

    async def order(self, request: Request) -> Response:
        """An order, by purchaseOrderId."""
        if (refused := self.guard(request)) is not None:
            return refused
        view = self.view("updated")
        key = view.key_of.get(request.path_params["purchase_order_id"])
        if key is None:
            return errors(
                "CONTENT_NOT_FOUND.GMP_ORDER_API", "purchaseOrderId", "Order not found", 404
            )
        found = view.items[bisect.bisect_left(view.keys, key)]
        return json_response({"order": render_order(found, self.data)})


def routes(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    """The Walmart endpoints, for `build_app` to mount under /walmart."""
    api = _MarketplaceApi(data, control)
    return [
        Route("/v3/token", api.token, methods=["POST"]),
        Route("/v3/orders", api.orders),
        Route("/v3/orders/{purchase_order_id}", api.order),
    ]
