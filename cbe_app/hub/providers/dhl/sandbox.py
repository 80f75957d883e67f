"""DHL Express MyDHL API, emulated: the demo's DHL parcels, and shipments created here.

Speaks what the connector uses, with HTTP Basic auth (exactly the demo username and password,
else a 401 problem): `GET /shipments/{number}/tracking`, the multi-shipment `GET /tracking`
(repeated or comma-separated `shipmentTrackingNumber`, `pieceTrackingNumber`, or
`shipmentReference` with the required `shipperAccountNumber`), both with `trackingView` and
`levelOfDetail`; and `POST /shipments` (see `created`). Errors are DHL's problem bodies
(`instance`, `detail`, `title`, `message`, `status`): 404 "No data found" when nothing matches,
400 for wrong parameters, 422 for an invalid shipment. `Message-Reference` is echoed (or made
up) and must be 28 to 36 characters. 429/503 come from the sandbox control; a create request
asks it again after the shipment exists, so a refusal there is a lost answer, which is what
the Message-Reference idempotency is for.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cbe_app.hub.providers.dhl.created import CreatedShipments, problems
from cbe_app.hub.providers.dhl.render import Tracked, from_parcel, tracked_shipment
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl, json_response
from cbe_app.hub.sandbox.data import SandboxData

CARRIER = "dhl"
VIEWS = ("all-checkpoints", "last-checkpoint", "shipment-details-only", "advance-shipment")
DETAILS = ("shipment", "piece", "all")
_REFUSED = {429: "Too Many Requests", 503: "Service Unavailable", 504: "Gateway Timeout"}


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """DHL's problem body for the request."""
    path = "/expressapi" + request.url.path.split(f"/{CARRIER}", 1)[-1]
    query = f"?{request.url.query}" if request.url.query else ""
    message = {400: "Bad request", 401: "Unauthorized", 404: title, 422: "Unprocessable Entity"}
    body = {"instance": path + query, "detail": detail, "title": title}
    body |= {"message": message.get(status, title), **extra, "status": str(status)}
    return Response(
        orjson.dumps(body),
        status_code=status,
        headers=headers,
        media_type="application/problem+json",
    )


def _user(request: Request) -> tuple[str, str] | None:
    value = request.headers.get("authorization", "")
    if not value.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(value[6:].strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def _numbers(request: Request, key: str) -> list[str]:
    values = [v.strip() for raw in request.query_params.getlist(key) for v in raw.split(",")]
    return list(dict.fromkeys(v for v in values if v))


def routes(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    """The MyDHL API endpoints, for `build_app` to mount under /dhl."""
    credentials = DEMO_CREDENTIALS[CARRIER]
    created = CreatedShipments()

    @cache
    def demo() -> tuple[dict[str, Any], dict[str, list[str]]]:
        parcels = data.parcels(CARRIER)  # built once: requests look numbers up here
        by_reference: dict[str, list[str]] = {}
        for number, parcel in parcels.items():
            by_reference.setdefault(parcel.order.order.external_id, []).append(number)
        return parcels, by_reference

    def lookup(number: str) -> Tracked | None:
        if (made := created.get(number)) is not None:
            return made
        parcel = demo()[0].get(number)
        return from_parcel(parcel, data) if parcel is not None else None

    def guard(request: Request, after_work: bool = False) -> Response | None:
        """401 for wrong credentials, else the control's refusal (`after_work`: of the answer)."""
        key = f"{CARRIER}:{credentials['username']}"
        if after_work:
            key += ":answer"
        elif _user(request) != (credentials["username"], credentials["password"]):
            challenge = {"WWW-Authenticate": 'Basic realm="MyDHL API"'}
            return problem(request, 401, "Unauthorized", "Invalid Credentials", challenge)
        refused = control.refuse(key)
        if refused is None:
            return None
        retry = refused.headers.get("retry-after")
        title = _REFUSED.get(refused.status_code, "Service Unavailable")
        detail = "Too many requests within defined time period, please try again later."
        if refused.status_code != 429:
            detail = "The service is temporarily unavailable, please try again later."
        headers = {"Retry-After": retry} if retry else None
        return problem(request, refused.status_code, title, detail, headers=headers)

    tracking = _tracking_endpoints(guard, lookup, lambda: demo()[1], created, credentials)
    return [
        Route("/shipments/{number}/tracking", tracking[0], methods=["GET"]),
        Route("/tracking", tracking[1], methods=["GET"]),
        Route("/shipments", _create_endpoint(guard, created, credentials), methods=["POST"]),
    ]


def _headers(request: Request) -> dict[str, str]:
    return {
        "Message-Reference": request.headers.get("message-reference") or str(uuid.uuid4()),
        "Invocation-Id": str(uuid.uuid4()),
        "Content-Language": "eng",
    }


def _bad_header(request: Request) -> Response | None:
    reference = request.headers.get("message-reference")
    if reference is not None and not 28 <= len(reference) <= 36:
        detail = "Message-Reference must be between 28 and 36 characters long"
        return problem(request, 400, "Bad request", detail)
    return None


def _wrong_format(request: Request, name: str, valid: tuple[str, ...]) -> Response:
    detail = (
        f"Parameters not having correct format: {name} "
        f"(valid parameters for {name} are [{', '.join(valid)}]"
    )
    return problem(request, 400, "Wrong format", detail)


def _view(request: Request) -> tuple[str, str] | Response:
    view = request.query_params.get("trackingView", "all-checkpoints")
    detail = request.query_params.get("levelOfDetail", "shipment")
    if view not in VIEWS:
        return _wrong_format(request, "trackingView", VIEWS)
    if detail not in DETAILS:
        return _wrong_format(request, "levelOfDetail", DETAILS)
    return view, detail


def _missing(request: Request, name: str) -> Response:
    return problem(request, 400, "Missing parameters", f"Missing mandatory parameters: {name}")


Guard = Callable[..., Response | None]
Lookup = Callable[[str], Tracked | None]


def _tracking_endpoints(
    guard: Guard,
    lookup: Lookup,
    references: Callable[[], dict[str, list[str]]],
    created: CreatedShipments,
    credentials: dict[str, str],
) -> tuple[Callable[[Request], Any], Callable[[Request], Any]]:
    def answer(request: Request, numbers: list[str], missing: str) -> Response:
        shape = _view(request)
        if isinstance(shape, Response):
            return shape
        found = [s for s in map(lookup, numbers) if s is not None]
        if not found:
            return problem(request, 404, "Not data found", missing)
        shipments = [tracked_shipment(s, *shape) for s in found]
        return json_response({"shipments": shipments}, headers=_headers(request))

    async def single(request: Request) -> Response:
        if (refused := guard(request) or _bad_header(request)) is not None:
            return refused
        return answer(request, [request.path_params["number"]], "No data found")

    async def multi(request: Request) -> Response:
        if (refused := guard(request) or _bad_header(request)) is not None:
            return refused
        numbers = _numbers(request, "shipmentTrackingNumber")
        numbers += [
            str(int(p[6:])) for p in _numbers(request, "pieceTrackingNumber") if p[6:].isdigit()
        ]
        missing = "No data found"
        if reference := request.query_params.get("shipmentReference"):
            if request.query_params.get("shipperAccountNumber") != credentials["account_number"]:
                return _missing(request, "shipperAccountNumber")
            numbers += references().get(reference, []) + created.by_reference.get(reference, [])
            missing = f"No Shipments Found for ReferenceID | {reference}"
        elif not numbers:
            return _missing(request, "shipmentTrackingNumber")
        return answer(request, list(dict.fromkeys(numbers)), missing)

    return single, multi


def _create_endpoint(
    guard: Guard, created: CreatedShipments, credentials: dict[str, str]
) -> Callable[[Request], Any]:
    async def create(request: Request) -> Response:
        if (refused := guard(request) or _bad_header(request)) is not None:
            return refused
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return problem(request, 400, "Bad request", "Invalid JSON in the request body")
        if found := problems(body):
            detail = (
                found[0] if len(found) == 1 else "Multiple problems found, see Additional Details"
            )
            return problem(request, 422, "Validation error", detail, additionalDetails=found)
        accounts = body["accounts"] if isinstance(body["accounts"], list) else []
        account = accounts[0].get("number") if accounts and isinstance(accounts[0], dict) else None
        if account != credentials["account_number"]:
            detail = f"1001: The account number {account!r} is not valid for this user"
            return problem(request, 400, "Bad request", detail)
        message = request.headers.get("message-reference")
        now = datetime.now(UTC).replace(microsecond=0)
        shipment = created.create(credentials["username"], message, body, str(request.url), now)
        # The shipment exists now: a refusal here is an answer lost on its way back.
        if (lost := guard(request, after_work=True)) is not None:
            return lost
        headers = _headers(request) | {
            "Location": f"/shipments/{shipment['shipmentTrackingNumber']}"
        }
        return json_response(shipment, 201, headers=headers)

    return create
