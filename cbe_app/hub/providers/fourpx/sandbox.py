"""4PX open platform, emulated: `POST /router/api/service` with 4PX's signed public parameters.

The gateway checks what 4PX's does, in its order, answering 4PX's envelope (HTTP 200,
`result` "0" and one `errors` entry with 4PX's generic code) when it refuses: a public
parameter missing or `format` not json (000014), an unknown `app_key` (000013), a `sign` that
is not the MD5 of the documented text (000012, see `signing`), an unknown `method` (000011), a
body that is not JSON (000004). `access_token` and `language` are accepted and not signed;
answers are in English. `control.refuse` may answer 429/503 instead, as a busy gateway would.

Methods: `tr.order.tracking.get` (`{"deliveryOrderNo"}`: a demo parcel's scans up to now, or
a booked consignment's "information received"; an unknown number gets an error naming it),
`ds.xms.order.create` (books a consignment; the same `ref_no` again answers the consignment
already booked) and `ds.xms.order.get` (`{"request_no"}`: booked consignments by ref_no, 4PX
number or DS number).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cbe_app.hub.providers.fourpx.consignments import Consignments, problem
from cbe_app.hub.providers.fourpx.render import failure, parcel_tracking, success
from cbe_app.hub.providers.fourpx.signing import FORMAT, REQUIRED, sign
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl, json_response
from cbe_app.hub.sandbox.data import SandboxData

CARRIER = "4px"
PATH = "/router/api/service"
Handler = Callable[[dict[str, Any]], dict[str, Any]]


def _refusal(code: str, message: str) -> Response:
    # 4PX's gateway answers its refusals with HTTP 200 and the envelope.
    return json_response(failure(code, message))


def _gateway_problem(params: dict[str, str], body: bytes, methods: set[str]) -> Response | None:
    """4PX's answer when the gateway refuses the call, or None when it passes."""
    credentials = DEMO_CREDENTIALS[CARRIER]
    if any(not params.get(name) for name in REQUIRED) or params["format"] != FORMAT:
        return _refusal("000014", "Invalid authentication parameters")
    if params["app_key"] != credentials["app_key"]:
        return _refusal("000013", "app_key validation failed")
    if params["sign"] != sign(params, body, credentials["app_secret"]):
        return _refusal("000012", "Signature verification error")
    if params["method"] not in methods:
        return _refusal("000011", "API interface does not exist")
    return None


def _handlers(data: SandboxData) -> dict[str, Handler]:
    parcels = data.parcels(CARRIER)  # by tracking number, built once
    booked = Consignments(parcels)

    def track(body: dict[str, Any]) -> dict[str, Any]:
        number = str(body.get("deliveryOrderNo") or "").strip()
        if not number:
            return failure("0", "deliveryOrderNo cannot be empty")
        if number in parcels:
            return success(parcel_tracking(parcels[number]))
        consignment = booked.by_number.get(number)
        if consignment is not None:
            return success(consignment.tracking())
        return failure("0", "No tracking information for this number", number)

    def create(body: dict[str, Any]) -> dict[str, Any]:
        refused = problem(body)
        return refused or success(booked.book(body).created())

    def query(body: dict[str, Any]) -> dict[str, Any]:
        found = booked.find(str(body.get("request_no") or "").strip())
        return success([found.info()] if found else [])

    return {
        "tr.order.tracking.get": track,
        "ds.xms.order.create": create,
        "ds.xms.order.get": query,
    }


def routes(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    """The 4PX gateway, for `build_app` to mount under /4px."""
    handlers = _handlers(data)

    async def service(request: Request) -> Response:
        params = dict(request.query_params)
        body = await request.body()
        refused = _gateway_problem(params, body, set(handlers))
        if refused is not None:
            return refused
        if (busy := control.refuse(f"{CARRIER}:{params['app_key']}")) is not None:
            return busy
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _refusal("000004", "JSON parsing failed")
        if not isinstance(payload, dict):
            return _refusal("000004", "JSON parsing failed")
        return json_response(handlers[params["method"]](payload))

    return [Route(PATH, service, methods=["POST"])]
