"""PayPal REST, emulated: the OAuth token endpoint and Transaction Search over the demo.

`POST /v1/oauth2/token` takes `grant_type=client_credentials` with the demo app's client id
and secret as HTTP Basic auth and issues a token (`control.issue_token`); PayPal's
`invalid_client` 401 otherwise. `GET /v1/reporting/transactions` wants that token as
`Authorization: Bearer` (PayPal's AUTHENTICATION_FAILURE 401 otherwise), the required
`start_date`/`end_date` (RFC 3339 with seconds, at most 31 days apart), `page_size` (1..500,
default 100), `page` (from 1) and `fields` (default `transaction_info`, or `all`); it answers
the demo payments initiated in [start_date, end_date) and by now, oldest first, with `page`,
`total_items`, `total_pages` and HATEOAS links, or PayPal's INVALID_REQUEST 400 with details.
`control.refuse` may answer 429/503 instead of a data request.
"""

from __future__ import annotations

import base64
import bisect
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cbe_app.hub.providers.paypal.render import FIELDS, account_id, transaction_detail
from cbe_app.hub.sandbox.control import (
    DEMO_CREDENTIALS,
    SandboxControl,
    bearer,
    json_response,
)
from cbe_app.hub.sandbox.data import SandboxData, SandboxPayment

PROVIDER = "paypal"
MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE = 500, 100
MAX_RANGE, HISTORY = timedelta(days=31), timedelta(days=3 * 365 + 1)
SCOPE = "https://uri.paypal.com/services/reporting/search/read"
_DATE = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])[Tt]([0-1][0-9]|2[0-3]):[0-5][0-9]:"
    r"([0-5][0-9]|60)([.][0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_UNAUTHENTICATED = {
    "name": "AUTHENTICATION_FAILURE",
    "message": "Authentication failed due to missing authorization header, or invalid "
    "authentication credentials.",
    "links": [
        {
            "href": "https://developer.paypal.com/docs/api/overview/#error",
            "rel": "information_link",
        }
    ],
}


class BadRequest(Exception):
    """A query PayPal refuses: the field, its value and the issue."""

    def __init__(self, field: str, value: str, issue: str) -> None:
        super().__init__(issue)
        self.detail = {"field": field, "value": value, "location": "query", "issue": issue}

    def response(self) -> Response:
        """PayPal's INVALID_REQUEST answer."""
        body = {
            "name": "INVALID_REQUEST",
            "message": "Request is not well-formed, syntactically incorrect, or violates schema.",
            "debug_id": uuid.uuid4().hex[:13],
            "details": [self.detail],
            "links": [
                {
                    "href": "https://developer.paypal.com/docs/api/transaction-search/v1/"
                    "#error-INVALID_REQUEST",
                    "rel": "information_link",
                }
            ],
        }
        return json_response(body, 400)


def _date(params: Any, name: str) -> datetime:
    value = params.get(name)
    if not value:
        raise BadRequest(name, "", "MISSING_REQUIRED_PARAMETER")
    if not _DATE.match(value):
        raise BadRequest(name, value, "INVALID_PARAMETER_SYNTAX")
    return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))


def _number(params: Any, name: str, default: int, highest: int) -> int:
    value = params.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= highest:
        raise BadRequest(name, value, "INVALID_PARAMETER_VALUE")
    return int(value)


def _query(params: Any, now: datetime) -> tuple[datetime, datetime, int, int, set[str]]:
    """(start, end, page, page_size, fields) of a search, or BadRequest."""
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if end < start:
        raise BadRequest("end_date", params["end_date"], "End date must be after start date")
    if end - start > MAX_RANGE:
        raise BadRequest("start_date", params["start_date"], "Date range is greater than 31 days")
    if start < now - HISTORY:
        raise BadRequest(
            "start_date", params["start_date"], "Data for the given start date is not available."
        )
    size = _number(params, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    page = _number(params, "page", 1, 2_147_483_647)
    wanted = params.get("fields", "transaction_info")
    fields = set(FIELDS) if wanted == "all" else {f.strip() for f in wanted.split(",")}
    return start, end, page, size, fields


def _links(request: Request, page: int, pages: int) -> list[dict[str, str]]:
    def href(number: int) -> str:
        params = dict(request.query_params) | {"page": str(number)}
        return str(request.url.include_query_params(**params))

    links = [{"href": href(page), "rel": "self", "method": "GET"}]
    if page < pages:
        links.append({"href": href(page + 1), "rel": "next", "method": "GET"})
    if pages:
        links.append({"href": href(pages), "rel": "last", "method": "GET"})
    return links


def routes(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    """The PayPal endpoints, for `build_app` to mount under /paypal."""
    credentials = DEMO_CREDENTIALS[PROVIDER]
    expected = f"{credentials['client_id']}:{credentials['client_secret']}"
    payments = data.payments(PROVIDER)  # oldest first
    initiated = [p.created_at for p in payments]
    charges = {p.order.order.external_id: p.external_id for p in payments if p.kind == "charge"}
    merchant = account_id(credentials["client_id"])

    async def token(request: Request) -> Response:
        basic = request.headers.get("authorization", "")
        try:
            pair = (
                base64.b64decode(basic[6:]).decode() if basic.lower().startswith("basic ") else ""
            )
        except (ValueError, UnicodeDecodeError):
            pair = ""
        if pair != expected:
            body = {"error": "invalid_client", "error_description": "Client Authentication failed"}
            return json_response(body, 401)
        form = await request.form()
        if form.get("grant_type") != "client_credentials":
            body = {"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"}
            return json_response(body, 400)
        return json_response(
            {
                "scope": SCOPE,
                "access_token": control.issue_token(PROVIDER),
                "token_type": "Bearer",
                "app_id": f"APP-{merchant}",
                "expires_in": 32400,
                "nonce": f"{data.now:%Y-%m-%dT%H:%M:%SZ}{uuid.uuid4().hex[:20]}",
            }
        )

    def window(start: datetime, end: datetime) -> list[SandboxPayment]:
        lo = bisect.bisect_left(initiated, start)
        hi = bisect.bisect_left(initiated, min(end, data.now))
        return payments[lo:hi]

    async def transactions(request: Request) -> Response:
        if not control.token_valid(PROVIDER, bearer(request)):
            return json_response(_UNAUTHENTICATED, 401)
        if (refused := control.refuse(f"{PROVIDER}:{credentials['client_id']}")) is not None:
            return refused
        try:
            start, end, page, size, fields = _query(request.query_params, data.now)
        except BadRequest as problem:
            return problem.response()
        found = window(start, end)
        pages = -(-len(found) // size)
        rows = found[(page - 1) * size : page * size]
        return json_response(
            {
                "transaction_details": [
                    transaction_detail(p, data, charges.get(p.order.order.external_id, ""), fields)
                    for p in rows
                ],
                "account_number": merchant,
                "start_date": f"{start:%Y-%m-%dT%H:%M:%S%z}",
                "end_date": f"{min(end, data.now):%Y-%m-%dT%H:%M:%S%z}",
                "last_refreshed_datetime": f"{data.now:%Y-%m-%dT%H:%M:%S%z}",
                "page": page,
                "total_items": len(found),
                "total_pages": pages,
                "links": _links(request, page, pages),
            }
        )

    return [
        Route("/v1/oauth2/token", token, methods=["POST"]),
        Route("/v1/reporting/transactions", transactions, methods=["GET"]),
    ]
