"""DHL Express MyDHL API: tracking the numbers the hub knows, and creating shipments.

Authentication is HTTP Basic with the MyDHL API username and password on every request. Each
request carries a `Message-Reference` (28 to 36 characters; DHL echoes it) and a
`Message-Reference-Date`.

Tracking uses the multi-shipment `GET /tracking?shipmentTrackingNumber=…&shipmentTrackingNumber=…`
with `trackingView=all-checkpoints` and `levelOfDetail=shipment`. The 2.7 spec gives that
repeated parameter no maximum; the connector sends 25 numbers per request (short URLs, small
answers). DHL answers with the shipments it found, and 404 "No data found" when it found none;
a number missing from the answer is asked again on its own
(`GET /shipments/{number}/tracking`), whose 404 problem body names the number, so the mapper
quarantines it, and a number a silent cap left out is still tracked. A carrier cannot list
parcels: there is no paging or incremental filter at DHL. The sync hands each step the next
numbers in `state["numbers"]` and ends when none are left; the page's payload is DHL's body as
is (or, when single look-ups were needed, the list of bodies).

Shipments: `create_shipment` posts `POST /shipments` with the `Message-Reference` derived from
the hub's parcel reference, as the idempotency key: a retry after a lost answer, or asking
again later, gets the shipment created the first time instead of a second label.

Limits: MyDHL publishes no per-second figure (DHL sets quotas per customer); the client paces
at 2 requests a second, DHL's standard developer-portal level, unless `requests_per_second` in
the account's settings says otherwise (0: unpaced). 429 and 5xx are retried with `Retry-After`.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import orjson

from cbe_app.hub.canonical import MapResult
from cbe_app.hub.providers.base import AccountConfig, Page, ShipmentRequest
from cbe_app.hub.providers.dhl.mapper import map_payload
from cbe_app.hub.providers.dhl.shipments import message_reference, shipment_request
from cbe_app.hub.providers.http import ProviderClient, ProviderError, RateLimit

BATCH_SIZE = 25
RATE_PER_SECOND = 2.0
TRACKING_PARAMS = {"trackingView": "all-checkpoints", "levelOfDetail": "shipment"}


class NoDataFound(ProviderError):
    """DHL's 404 problem for a number (or numbers) it has no data on; `body` is the problem."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(f"dhl found no data: {body.get('detail', '')}", status=404)
        self.body = body


class MyDHLClient(ProviderClient):
    """A `ProviderClient` that hands DHL's 404 problem body back instead of failing the sync."""

    def _raise_unless_retryable(self, response: httpx.Response, attempt: int) -> None:
        if response.status_code == 404:
            try:
                body = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                body = None
            if isinstance(body, dict) and ("detail" in body or "title" in body):
                raise NoDataFound(body)
        super()._raise_unless_retryable(response, attempt)


def _reference_headers() -> dict[str, str]:
    return {
        "Message-Reference": str(uuid.uuid4()),
        "Message-Reference-Date": format_datetime(datetime.now(UTC), usegmt=True),
    }


class DHLConnector:
    """Tracking and shipment creation for one MyDHL API account (see the module docstring)."""

    provider = "dhl"
    tracks_numbers = True
    batch_size = BATCH_SIZE

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> ProviderClient:
        """A client sending the account's Basic credentials."""
        user = str(account.credentials.get("username", ""))
        password = str(account.credentials.get("password", ""))
        basic = base64.b64encode(f"{user}:{password}".encode()).decode()
        rate = float(account.settings.get("requests_per_second", RATE_PER_SECOND))
        return MyDHLClient(
            account.base_url,
            provider=self.provider,
            transport=transport,
            rate=RateLimit(rate, burst=max(1, int(rate))) if rate > 0 else None,
            headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
            idempotency_header="Message-Reference",
        )

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """DHL's answer for the numbers in `state["numbers"]` (the sync decides when to stop)."""
        numbers = [str(n) for n in state.get("numbers") or ()]
        rest = {k: v for k, v in state.items() if k != "numbers"}  # the sync sets them anew
        if not numbers:  # only when called outside a sync: nothing to look up
            return Page(payload={"shipments": []}, state=rest, done=True)
        bodies = self._track(client, numbers)
        return Page(payload=bodies[0] if len(bodies) == 1 else bodies, state=rest, done=False)

    def _track(self, client: ProviderClient, numbers: list[str]) -> list[Any]:
        params = {"shipmentTrackingNumber": numbers, **TRACKING_PARAMS}
        try:
            body = client.json("GET", "/tracking", params=params, headers=_reference_headers())
        except NoDataFound:
            body = {"shipments": []}
        shipments = body.get("shipments") if isinstance(body, dict) else None
        found = {s.get("shipmentTrackingNumber") for s in shipments or () if isinstance(s, dict)}
        missing = [n for n in numbers if n not in found]
        bodies = [body] if shipments else []
        return bodies + [self._one(client, n) for n in missing]

    def _one(self, client: ProviderClient, number: str) -> Any:
        try:
            return client.json(
                "GET",
                f"/shipments/{number}/tracking",
                params=TRACKING_PARAMS,
                headers=_reference_headers(),
            )
        except NoDataFound as exc:
            return exc.body

    def create_shipment(
        self, client: ProviderClient, account: AccountConfig, request: ShipmentRequest
    ) -> MapResult:
        """Create the shipment (buy the label) once per `request.reference`.

        Returns:
            The mapped shipment (status `created`, its tracking number); the raw answer, with
            the base64 label in `documents`, is `result.raws[0]` (see `shipments.label`).
        """
        body = shipment_request(account, request, datetime.now(UTC))
        key = message_reference(request.reference)
        headers = {"Message-Reference-Date": format_datetime(datetime.now(UTC), usegmt=True)}
        if client.idempotency_header != "Message-Reference":
            headers["Message-Reference"] = key  # a plain client: send the key all the same
        answer = client.json("POST", "/shipments", json=body, headers=headers, idempotency_key=key)
        return map_payload(answer)


CONNECTOR = DHLConnector()
