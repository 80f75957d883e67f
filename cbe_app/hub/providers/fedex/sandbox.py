"""FedEx Track API, emulated: the demo's FedEx parcels behind OAuth client credentials.

Speaks what the connector uses: `POST /oauth/token` (form `grant_type=client_credentials`,
`client_id`, `client_secret`; tokens last `expires_in` = 3600 s and are refused after) and
`POST /track/v1/trackingnumbers` (`trackingInfo[]` of at most 30 numbers,
`includeDetailedScans`). A number the sandbox does not know gets FedEx's per-result error
`TRACKING.TRACKINGNUMBER.NOTFOUND` inside a 200 answer, as FedEx does. Refusals use FedEx's
error body `{"transactionId", "errors": [{"code", "message"}]}`; 429/503 come from the
sandbox control, keeping its `Retry-After`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import parse_qs

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cbe_app.hub.providers.fedex.render import complete_result, not_found, track_result
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl, bearer, json_response
from cbe_app.hub.sandbox.data import SandboxData, SandboxParcel

CARRIER = "fedex"
MAX_NUMBERS = 30  # FedEx Track: up to 30 tracking numbers per request
TOKEN_SECONDS = 3600
_MESSAGES = {
    "credentials": "The given client credentials were not valid. Please modify your request "
    "and try again.",
    "token": "Access token expired. Please modify your request and try again.",
    "grant": "Missing or duplicate parameters. Please modify your request and try again.",
    "json": "We are unable to process this request. Please try again later or contact FedEx "
    "Customer Service.",
    "empty": "Please provide tracking number.",
    "too_many": f"Please limit the number of tracking numbers to {MAX_NUMBERS}.",
}
_REFUSALS = {
    429: "We have received too many requests in a short duration. Please wait a while to try "
    "again.",
    503: "The service is currently unavailable and we are working to resolve the issue. We "
    "apologize for any inconvenience. Please check back at a later time.",
}


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """FedEx's error body."""
    body = {"transactionId": str(uuid.uuid4()), "errors": [{"code": code, "message": message}]}
    return json_response(body, status, headers)


def _refusal(refused: Response) -> Response:
    """The control's 429/503 in FedEx's words, keeping its status and Retry-After."""
    status = refused.status_code
    code = "TOO.MANY.REQUESTS" if status == 429 else "SERVICE.UNAVAILABLE.ERROR"
    retry = refused.headers.get("retry-after")
    message = _REFUSALS.get(status, _REFUSALS[503])
    return error(status, code, message, {"Retry-After": retry} if retry else None)


def _numbers(body: Any) -> list[str] | Response:
    """The tracking numbers of a track request, or FedEx's refusal of it."""
    infos = body.get("trackingInfo") if isinstance(body, dict) else None
    if not isinstance(infos, list) or not infos:
        return error(400, "TRACKING.TRACKINGNUMBER.EMPTY", _MESSAGES["empty"])
    if len(infos) > MAX_NUMBERS:
        return error(400, "TRACKING.TRACKINGNUMBER.LIMITEXCEEDED", _MESSAGES["too_many"])
    numbers = []
    for info in infos:
        number = info.get("trackingNumberInfo", {}).get("trackingNumber") if info else None
        if not isinstance(number, str) or not number.strip():
            return error(400, "TRACKING.TRACKINGNUMBER.EMPTY", _MESSAGES["empty"])
        numbers.append(number.strip())
    return numbers


def routes(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    """The FedEx endpoints, for `build_app` to mount under /fedex."""
    credentials = DEMO_CREDENTIALS[CARRIER]
    issued: dict[str, float] = {}  # access token -> when it was issued (control clock)

    @cache
    def parcels() -> dict[str, SandboxParcel]:
        return data.parcels(CARRIER)  # built once: every request looks numbers up here

    async def token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return error(400, "BAD.REQUEST.ERROR", _MESSAGES["grant"])
        if (form.get("client_id"), form.get("client_secret")) != (
            credentials["client_id"],
            credentials["client_secret"],
        ):
            return error(401, "NOT.AUTHORIZED.ERROR", _MESSAGES["credentials"])
        access = control.issue_token(CARRIER)
        issued[access] = control.clock()
        return json_response(
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": TOKEN_SECONDS,
                "scope": "CXS",
            }
        )

    def guard(request: Request) -> Response | None:
        access = bearer(request)
        fresh = access in issued and control.clock() - issued[access] < TOKEN_SECONDS
        if not control.token_valid(CARRIER, access) or not fresh:
            return error(401, "NOT.AUTHORIZED.ERROR", _MESSAGES["token"])
        refused = control.refuse(f"{CARRIER}:{credentials['client_id']}")
        return _refusal(refused) if refused is not None else None

    track = _track_endpoint(data, guard, parcels)
    return [
        Route("/oauth/token", token, methods=["POST"]),
        Route("/track/v1/trackingnumbers", track, methods=["POST"]),
    ]


def _track_endpoint(
    data: SandboxData,
    guard: Callable[[Request], Response | None],
    parcels: Callable[[], dict[str, SandboxParcel]],
) -> Callable[[Request], Any]:
    async def track(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return error(400, "INVALID.INPUT.EXCEPTION", _MESSAGES["json"])
        numbers = _numbers(body)
        if isinstance(numbers, Response):
            return numbers
        detailed = bool(body.get("includeDetailedScans", False))
        known = parcels()
        results = [
            complete_result(
                n, track_result(known[n], data, detailed) if n in known else not_found(n)
            )
            for n in numbers
        ]
        answer: dict[str, Any] = {"transactionId": str(uuid.uuid4())}
        if customer := request.headers.get("x-customer-transaction-id"):
            answer["customerTransactionId"] = customer
        answer["output"] = {"completeTrackResults": results}
        return json_response(answer)

    return track
