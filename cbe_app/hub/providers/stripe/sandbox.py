"""Stripe API v1, emulated: the demo's Stripe payments as `/v1/charges` and `/v1/refunds`.

Speaks what the connector uses, as Stripe does: the secret key as `Authorization: Bearer`
(or as the HTTP Basic user name), `created[gt|gte|lt|lte]` (or `created=<second>`), `limit`
1–100 (default 10), newest first with `starting_after` / `ending_before` cursors and
`has_more`, `expand[]=data.charge` on refunds, one object by id, Stripe's error bodies
(`{"error": {"type": …, "message": …}}`: 401 for a missing or wrong key, 400 for unknown or bad
parameters, 404 for unknown ids, 429 `rate_limit` and 5xx `api_error` from the sandbox control)
and the `Request-Id` / `Stripe-Version` response headers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import re
from collections.abc import Callable
from functools import cached_property
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cbe_app.hub.providers.stripe.render import (
    StripeBook,
    View,
    render_charge,
    render_refund,
)
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl, bearer, json_response
from cbe_app.hub.sandbox.data import SandboxData

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
DEFAULT_VERSION = "2024-06-20"
_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")
_CREATED = re.compile(r"^created(\[(gt|gte|lt|lte)\])?$")
_EXPAND = re.compile(r"^expand(\[\d*\])?$")
_LIST_PARAMS = frozenset({"limit", "starting_after", "ending_before"})
_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)
_RATE_LIMITED = (
    "Request rate limit exceeded. Learn more about rate limits here "
    "https://stripe.com/docs/rate-limits."
)
_counter = itertools.count(1)


class StripeError(Exception):
    """An error answer, in Stripe's body."""

    def __init__(self, status: int, message: str, **extra: str) -> None:
        super().__init__(message)
        self.status, self.extra = status, extra

    def response(self) -> Response:
        """The JSON error response."""
        body = {"message": str(self), "type": "invalid_request_error", **self.extra}
        return _respond({"error": body}, self.status)


def _respond(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    request_id = hashlib.blake2b(str(next(_counter)).encode(), digest_size=7).hexdigest()
    return json_response(body, status, {"Request-Id": f"req_{request_id}", **(headers or {})})


def _masked(key: str) -> str:
    head = key[:8] if key.startswith(("sk_", "rk_")) else ""
    return head + "*" * max(len(key) - len(head) - 4, 0) + key[-4:]


def _api_key(request: Request) -> str | None:
    token = bearer(request)
    if token is not None:
        return token
    value = request.headers.get("authorization", "")
    if value.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(value[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[0]  # Stripe takes the key as the user, no password
    return None


def _integer(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise StripeError(400, f"Invalid integer: {value}", param=name) from None


def _limit(params: Any) -> int:
    if "limit" not in params:
        return DEFAULT_LIMIT
    limit = _integer("limit", params["limit"])
    if limit < 1:
        raise StripeError(400, "This value must be greater than or equal to 1.", param="limit")
    if limit > MAX_LIMIT:
        raise StripeError(400, "This value must be less than or equal to 100.", param="limit")
    return limit


def _created_bounds(params: Any) -> tuple[int | None, int | None]:
    """The [gte, lt) seconds the `created` filters allow (None: unbounded)."""
    gte: int | None = None
    lt: int | None = None
    for name in params:
        match = _CREATED.match(name)
        if not match:
            continue
        value = _integer(name, params[name])
        op = match.group(2) or "eq"
        if op in ("gt", "gte", "eq"):
            low = value + (op == "gt")
            gte = low if gte is None else max(gte, low)
        if op in ("lt", "lte", "eq"):
            high = value + (op != "lt")
            lt = high if lt is None else min(lt, high)
    return gte, lt


def _check_params(params: Any, allowed: frozenset[str]) -> list[str]:
    """The `expand` values; refuses parameters Stripe would not know here."""
    expand = []
    for name in params:
        if _EXPAND.match(name):
            expand += params.getlist(name)
        elif name not in allowed and not _CREATED.match(name):
            raise StripeError(
                400, f"Received unknown parameter: {name}", param=name, code="parameter_unknown"
            )
    return expand


def _page(view: View, params: Any, noun: str) -> tuple[list[int], bool]:
    """The positions of one page, newest first, and whether older (or newer) ones remain."""
    limit = _limit(params)
    lo, hi = view.span(*_created_bounds(params))
    after, before = params.get("starting_after"), params.get("ending_before")
    if after and before:
        raise StripeError(
            400, "You may only specify one of these parameters: ending_before, starting_after."
        )
    cursor = after or before
    if cursor:
        where = view.position.get(cursor)
        if where is None:
            param = "starting_after" if after else "ending_before"
            raise StripeError(
                404, f"No such {noun}: '{cursor}'", param=param, code="resource_missing"
            )
        if after:
            hi = min(hi, where)
        else:  # ending_before: the page just newer than the cursor
            lo = max(lo, where + 1)
            top = min(hi, lo + limit)
            return list(range(top - 1, lo - 1, -1)), top < hi
    bottom = max(lo, hi - limit)
    return list(range(hi - 1, bottom - 1, -1)), bottom > lo


class StripeSandbox:
    """The endpoints' handlers over one demo business (the book is built on first use)."""

    def __init__(self, data: SandboxData, control: SandboxControl) -> None:
        self.data, self.control = data, control
        self.key = DEMO_CREDENTIALS["stripe"]["secret_key"]
        self.livemode = self.key.startswith(("sk_live_", "rk_live_"))

    @cached_property
    def book(self) -> StripeBook:
        """The visible charges and refunds, sorted and indexed once."""
        return StripeBook(self.data)

    def guard(self, request: Request) -> Response | None:
        """Stripe's answer to a missing or wrong key or version, or the control's refusal."""
        given = _api_key(request)
        if not given:
            return StripeError(401, _NO_KEY).response()
        if given != self.key:
            return StripeError(401, f"Invalid API Key provided: {_masked(given)}").response()
        version = request.headers.get("stripe-version")
        if version is not None and not _VERSION.match(version):
            return StripeError(400, f"Invalid Stripe API version: {version}").response()
        return _stripe_refusal(self.control.refuse(f"stripe:{self.key}"))

    def endpoint(self, handler: Callable[[Request], dict[str, Any]]) -> Callable[[Request], Any]:
        """A Starlette endpoint: the guard, then the handler's object or its Stripe error."""

        async def serve(request: Request) -> Response:
            if (refused := self.guard(request)) is not None:
                return refused
            try:
                body = handler(request)
            except StripeError as exc:
                return exc.response()
            version = request.headers.get("stripe-version", DEFAULT_VERSION)
            return _respond(body, headers={"Stripe-Version": version})

        return serve

    def list_charges(self, request: Request) -> dict[str, Any]:
        """`GET /v1/charges`."""
        params = request.query_params
        _check_params(params, _LIST_PARAMS | {"customer", "payment_intent", "transfer_group"})
        view = self.book.charges
        positions, more = _page(view, params, "charge")
        items = [render_charge(view.entries[i], self.livemode) for i in positions]
        return {"object": "list", "data": items, "has_more": more, "url": "/v1/charges"}

    def list_refunds(self, request: Request) -> dict[str, Any]:
        """`GET /v1/refunds` (`expand[]=data.charge` puts each refund's charge inline)."""
        params = request.query_params
        expand = "data.charge" in _check_params(params, _LIST_PARAMS | {"charge", "payment_intent"})
        positions, more = _page(self.book.refunds, params, "refund")
        items = [self.refund(i, expand) for i in positions]
        return {"object": "list", "data": items, "has_more": more, "url": "/v1/refunds"}

    def one_charge(self, request: Request) -> dict[str, Any]:
        """`GET /v1/charges/{id}`."""
        _check_params(request.query_params, frozenset())
        view = self.book.charges
        where = _find(view, request.path_params["id"], "charge")
        return render_charge(view.entries[where], self.livemode)

    def one_refund(self, request: Request) -> dict[str, Any]:
        """`GET /v1/refunds/{id}` (`expand[]=charge` puts its charge inline)."""
        expand = "charge" in _check_params(request.query_params, frozenset())
        return self.refund(_find(self.book.refunds, request.path_params["id"], "refund"), expand)

    def refund(self, where: int, expand: bool) -> dict[str, Any]:
        """The refund at a position of the refunds view."""
        entry = self.book.refunds.entries[where]
        charge = self.book.charge_of_order[entry.payment.order.order.external_id]
        return render_refund(entry, charge, self.livemode, expand)


def routes(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    """The Stripe endpoints, for `build_app` to mount under /stripe."""
    stripe = StripeSandbox(data, control)
    return [
        Route("/v1/charges", stripe.endpoint(stripe.list_charges)),
        Route("/v1/refunds", stripe.endpoint(stripe.list_refunds)),
        Route("/v1/charges/{id:str}", stripe.endpoint(stripe.one_charge)),
        Route("/v1/refunds/{id:str}", stripe.endpoint(stripe.one_refund)),
    ]


def _find(view: View, wanted: str, noun: str) -> int:
    where = view.position.get(wanted)
    if where is None:
        raise StripeError(404, f"No such {noun}: '{wanted}'", param="id", code="resource_missing")
    return where


def _stripe_refusal(refused: Response | None) -> Response | None:
    """The sandbox control's 429 / 5xx in Stripe's words (keeping its Retry-After)."""
    if refused is None:
        return None
    headers = {"Retry-After": refused.headers.get("retry-after", "1")}
    if refused.status_code == 429:
        body = {
            "error": {
                "code": "rate_limit",
                "message": _RATE_LIMITED,
                "type": "invalid_request_error",
            }
        }
    else:
        body = {
            "error": {
                "message": "An unknown error occurred, please try again.",
                "type": "api_error",
            }
        }
    return _respond(body, refused.status_code, headers)
