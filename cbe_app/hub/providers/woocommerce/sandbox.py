"""WooCommerce REST API v3, emulated: the demo's WooCommerce orders.

Speaks what the connector uses, as WooCommerce does over HTTPS:

- authentication by the REST API key: HTTP Basic with `consumer_key:consumer_secret`, or the
  same two as query parameters (WooCommerce's fallback for servers that drop the header). No
  key, or an unknown one, leaves the request anonymous: 401 `woocommerce_rest_cannot_view`;
  a known key with a wrong secret gets 401 `woocommerce_rest_authentication_error`;
- `GET /wp-json/wc/v3/orders`: `modified_after`/`modified_before` and `after`/`before`
  (exclusive, ISO 8601; read as GMT with `dates_are_gmt=true`, else as the shop's time),
  `status` (comma-separated, default `any`), `orderby` (`modified`, `date`, `id`, …) and
  `order` (`asc`/`desc`, default `desc`),
  `page` / `per_page` (1–100, default 10) or `offset` paging, with the `X-WP-Total` and
  `X-WP-TotalPages` headers and a `Link` header (`rel="next"`/`"prev"`); WordPress's 400
  `rest_invalid_param` for values out of range;
- `GET /wp-json/wc/v3/orders/<id>`, 404 `woocommerce_rest_shop_order_invalid_id` if unknown.

The views are sorted once by modification and by creation, so a request costs bisections and
the rendering of one page.
"""

from __future__ import annotations

import base64
import bisect
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cbe_app.hub.providers.woocommerce.render import (
    SITE_OFFSET,
    order_id,
    render_order,
    wc_status,
)
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl, json_response
from cbe_app.hub.sandbox.data import SandboxData, SandboxOrder, SandboxPayment

CHANNEL = "woocommerce"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10
_ORDERS = "/wp-json/wc/v3/orders"
_TRUE = frozenset({"1", "true", "yes"})
STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
)


class InvalidParam(Exception):
    """A parameter WordPress refuses: `rest_invalid_param`."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name = name


def wc_error(code: str, message: str, status: int, **data: Any) -> Response:
    """WordPress REST's error body: `{"code", "message", "data": {"status"}}`."""
    return json_response(
        {"code": code, "message": message, "data": {"status": status, **data}}, status
    )


def _date(params: Mapping[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParam(name, "Invalid date.") from None
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    moment = moment.replace(tzinfo=UTC)
    if params.get("dates_are_gmt", "").lower() not in _TRUE:
        moment -= SITE_OFFSET  # the shop's own time zone, as WordPress reads it
    return moment


def _statuses(params: Mapping[str, str]) -> frozenset[str] | None:
    """The `status` filter (comma-separated), or None for `any` (the default)."""
    wanted = frozenset(v.strip() for v in params.get("status", "any").split(",") if v.strip())
    if "any" in wanted or not wanted:
        return None
    if wanted - set(STATUSES):
        raise InvalidParam("status", f"status[0] is not one of any, {', '.join(STATUSES)}.")
    return wanted


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(params.get(name, default))
    except ValueError:
        raise InvalidParam(name, f"{name} is not of type integer.") from None
    if not low <= value <= high:
        raise InvalidParam(name, f"{name} must be between {low} (inclusive) and {high} (inclusive)")
    return value


def _site(request: Request) -> str:
    # The links point back at this server, as WooCommerce's point at the shop.
    return str(request.url.replace(query="")).split("/wp-json/")[0]


class _View:
    """Orders sorted once by one time, for exclusive range look-ups by bisection."""

    def __init__(self, items: Sequence[SandboxOrder], modified: bool) -> None:
        self.modified = modified
        self.items = sorted(items, key=lambda s: (self.key(s), s.index))
        self.keys = [self.key(s) for s in self.items]

    def key(self, item: SandboxOrder) -> datetime:
        return item.updated_at if self.modified else item.order.placed_at

    def between(self, after: datetime | None, before: datetime | None) -> Sequence[SandboxOrder]:
        low = bisect.bisect_right(self.keys, after) if after else 0
        high = bisect.bisect_left(self.keys, before) if before else len(self.keys)
        return self.items[low:high]


class OrdersApi:
    """The v3 orders endpoints over one demo business."""

    def __init__(self, data: SandboxData, control: SandboxControl) -> None:
        self.data, self.control = data, control
        items = data.orders(CHANNEL)
        self.by_modified, self.by_created = _View(items, True), _View(items, False)
        self.by_id = {order_id(s): s for s in items}
        self.charges: dict[str, SandboxPayment] = {
            p.order.order.external_id: p
            for provider in ("stripe", "paypal")
            for p in data.payments(provider)
            if p.kind == "charge" and p.order.order.channel_code == CHANNEL
        }
        self.creds = DEMO_CREDENTIALS[CHANNEL]

    def guard(self, request: Request, listing: bool) -> Response | None:
        """WooCommerce's 401s for missing or wrong keys; the control's 503 or 429 otherwise."""
        key, secret = self._credentials(request)
        if key != self.creds["consumer_key"]:  # unknown keys leave the request anonymous
            what = "list resources" if listing else "view this resource"
            return wc_error("woocommerce_rest_cannot_view", f"Sorry, you cannot {what}.", 401)
        if secret != self.creds["consumer_secret"]:
            return wc_error(
                "woocommerce_rest_authentication_error", "Consumer secret is invalid.", 401
            )
        return self.control.refuse(f"{CHANNEL}:{key}")

    @staticmethod
    def _credentials(request: Request) -> tuple[str, str]:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                pair = base64.b64decode(header[6:].strip()).decode()
            except (ValueError, UnicodeDecodeError):
                return "", ""
            key, _, secret = pair.partition(":")
            return key, secret
        params = request.query_params
        return params.get("consumer_key", ""), params.get("consumer_secret", "")

    def matching(self, params: Mapping[str, str]) -> Sequence[SandboxOrder]:
        """The orders a list query selects, in the order asked for."""
        modified = (_date(params, "modified_after"), _date(params, "modified_before"))
        created = (_date(params, "after"), _date(params, "before"))
        if params.get("orderby", "date") == "modified":
            other, (low, high) = self.by_created, created
            found = self.by_modified.between(*modified)
        else:  # date, id and the rest: ids grow with creation
            other, (low, high) = self.by_modified, modified
            found = self.by_created.between(*created)
        if low or high:  # a filter on the other time: a scan, of the range only
            found = [
                s
                for s in found
                if (low is None or other.key(s) > low) and (high is None or other.key(s) < high)
            ]
        statuses = _statuses(params)
        if statuses is not None:
            found = [s for s in found if wc_status(s.order) in statuses]
        return found if params.get("order", "desc") == "asc" else found[::-1]

    async def list_orders(self, request: Request) -> Response:
        """`GET /orders`: one page, a bare JSON array, with the paging headers."""
        if (refused := self.guard(request, listing=True)) is not None:
            return refused
        params = request.query_params
        try:
            per_page = _int(params, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
            page = _int(params, "page", 1, 1, 10**9)
            offset = _int(params, "offset", (page - 1) * per_page, 0, 10**9)
            found = self.matching(params)
        except InvalidParam as exc:
            return wc_error(
                "rest_invalid_param",
                f"Invalid parameter(s): {exc.name}",
                400,
                params={exc.name: str(exc)},
            )
        base = _site(request)
        rendered = [
            render_order(s, self.data, self.charges.get(s.order.external_id), base)
            for s in found[offset : offset + per_page]
        ]
        return json_response(rendered, headers=self._paging(request, len(found), per_page, page))

    @staticmethod
    def _paging(request: Request, total: int, per_page: int, page: int) -> dict[str, str]:
        pages = math.ceil(total / per_page)
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = []
        if page > 1:
            links.append(f'<{request.url.include_query_params(page=page - 1)}>; rel="prev"')
        if page < pages:
            links.append(f'<{request.url.include_query_params(page=page + 1)}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return headers

    async def one_order(self, request: Request) -> Response:
        """`GET /orders/<id>`."""
        if (refused := self.guard(request, listing=False)) is not None:
            return refused
        found = self.by_id.get(int(request.path_params["order_id"]))
        if found is None:
            return wc_error("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404)
        base = _site(request)
        charge = self.charges.get(found.order.external_id)
        return json_response(render_order(found, self.data, charge, base))


def routes(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    """The WooCommerce endpoints, for `build_app` to mount under /woocommerce."""
    api = OrdersApi(data, control)
    return [
        Route(_ORDERS, api.list_orders),
        Route(f"{_ORDERS}/{{order_id:int}}", api.one_order),
    ]
