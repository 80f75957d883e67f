"""4PX open platform: parcel tracking for the hub's 4PX numbers, and order (label) creation.

Endpoint: every call is `POST {base}/router/api/service` with the public parameters `method`,
`app_key`, `v`, `timestamp` (epoch ms), `format=json` and `sign` in the query string and the
business data as compact JSON in the body (production `https://open.4px.com`, test
`https://open-test.4px.com`).

Auth: the app key and secret sign each request (MD5, see `signing`); nothing is fetched in
`open`. Sellers calling for themselves (4PX "category B" customers) need nothing else; a
platform service provider also sends the `access_token` of 4PX's OAuth consent, unsigned, when
the account's credentials hold one. 4PX answers HTTP 200 with an envelope `{"result": "0"|"1"|
"2", "msg", "errors", "data"}` even when it refuses: the gateway codes 000012 (sign), 000013
(app key) and the other credential codes become `ProviderAuthError`, 000017 (too many
requests) and 000020 (gateway timeout) a retryable `ProviderError`.

Tracking (`tr.order.tracking.get` v1.0.0): a carrier connector. 4PX cannot list parcels; the
sync hands `state["numbers"]` (`batch_size` of them) and this connector asks for each one
(`{"deliveryOrderNo": …}`, one number per call as the method takes), newest event first,
times in 4PX platform time (UTC+08:00). The page's payload is the list of 4PX's answers; an
unknown number is answered with an `errors` entry naming it, which the mapper turns into a
quarantine entry. There is no cursor: the sync decides when the numbers are done.

Orders (`ds.xms.order.create` v1.0.0): `create_order` books a direct-shipment consignment for
a `ShipmentRequest`; `ref_no` is the request's reference, 4PX's own idempotency key (a second
create with the same `ref_no` gets the existing consignment, never a second one), so a retry
after a lost answer is safe.

Limits: 4PX publishes no rate; its gateway answers 000017 "too many requests, try again in one
minute". The client paces itself at 5 requests per second unless the account's settings say
otherwise (`requests_per_second`, 0 = unlimited).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import orjson

from cbe_app.hub.canonical import MappedShipment
from cbe_app.hub.providers.base import AccountConfig, Page, ShipmentRequest
from cbe_app.hub.providers.fourpx.mapper import map_payload
from cbe_app.hub.providers.fourpx.orders import order_body
from cbe_app.hub.providers.fourpx.signing import signed_params
from cbe_app.hub.providers.http import ProviderAuthError, ProviderClient, ProviderError, RateLimit
from cbe_app.hub.providers.parsing import text

PATH = "/router/api/service"
TRACKING = "tr.order.tracking.get"
CREATE_ORDER = "ds.xms.order.create"
VERSION = "1.0.0"
BATCH_SIZE = 50  # numbers per sync page, one call each: the page commits 50 answers together
DEFAULT_RATE = 5.0
# Gateway codes (4PX "generic error codes") meaning the app key, sign or authorisation is wrong.
CREDENTIAL_CODES = frozenset(
    {"000012", "000013", "000014", "000016", "000018", "000021", "000022", "000023", "000025"}
)
# Codes worth trying again later: too many requests, gateway timeout, "too many operations".
RETRY_CODES = frozenset({"000017", "000020", "DS000006", "DS000007"})


@dataclass(frozen=True, slots=True)
class CreatedOrder:
    """A booked 4PX consignment: its 4PX order number and the shipment it starts."""

    consignment_no: str  # ds_consignment_no, 4PX's order number
    shipment: MappedShipment  # 4PX tracking number, status P (label created), ref_no
    payload: dict[str, Any]  # 4PX's answer, as `map_payload` reads it


def _errors(answer: dict[str, Any]) -> list[tuple[str, str]]:
    """(code, message) of each entry of `errors` (4PX writes snake_case, sometimes camelCase)."""
    found = []
    for error in answer.get("errors") or ():
        if isinstance(error, dict):
            code = text(error.get("error_code")) or text(error.get("errorCode"))
            message = text(error.get("error_msg")) or text(error.get("errorMsg"))
            found.append((code, message))
    return found


def raise_for_gateway(answer: Any) -> dict[str, Any]:
    """The answer, unless the gateway refused the call itself (credentials, limits, method)."""
    if not isinstance(answer, dict) or "result" not in answer:
        raise ProviderError("4px answered something that is not a 4PX envelope")
    for code, message in _errors(answer):
        if code in CREDENTIAL_CODES:
            raise ProviderAuthError(f"4px refused the credentials ({code}): {message}")
        if code in RETRY_CODES:
            raise ProviderError(f"4px answered {code}: {message}", retryable=True)
        if code.startswith("0000"):  # another gateway code: the call itself is wrong
            raise ProviderError(f"4px answered {code}: {message}")
    return answer


class FourPxConnector:
    """Tracking and order creation for one 4PX customer account."""

    provider = "4px"
    tracks_numbers = True
    batch_size = BATCH_SIZE

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> ProviderClient:
        """A client paced at the account's rate (requests are signed one by one in `call`)."""
        rate = float(account.settings.get("requests_per_second", DEFAULT_RATE))
        return ProviderClient(
            account.base_url,
            provider=self.provider,
            transport=transport,
            rate=RateLimit(rate, burst=5) if rate > 0 else None,
            headers={"Accept": "application/json"},
        )

    def call(
        self, client: ProviderClient, account: AccountConfig, method: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """One signed call of a 4PX method; returns its envelope (see `raise_for_gateway`)."""
        credentials = account.credentials
        params = signed_params(
            method,
            VERSION,
            app_key=str(credentials.get("app_key", "")),
            app_secret=str(credentials.get("app_secret", "")),
            body=orjson.dumps(body),  # the exact bytes the client sends for `json=body`
            timestamp_ms=int(time.time() * 1000),
        )
        params["language"] = str(account.settings.get("language", "en"))
        if credentials.get("access_token"):
            params["access_token"] = str(credentials["access_token"])
        return raise_for_gateway(client.json("POST", PATH, params=params, json=body))

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """4PX's tracking answer for each number of `state["numbers"]`, as one page."""
        numbers = [str(n) for n in state.pop("numbers", None) or ()]
        answers = [self.call(client, account, TRACKING, {"deliveryOrderNo": n}) for n in numbers]
        return Page(payload=answers, state=state, done=False)

    def create_order(
        self, client: ProviderClient, account: AccountConfig, request: ShipmentRequest
    ) -> CreatedOrder:
        """Book a consignment (buy the label); asking again with the same reference is safe.

        Returns:
            4PX's order number (`ds_consignment_no`) and the shipment: its 4PX tracking number,
            status P (forecast: label created), the request's reference as `order_ref`.

        Raises:
            ProviderError: 4PX refused the order (its reason in the message); retryable when
                4PX is still processing the same reference (DS000007) or busy (DS000006).
        """
        answer = self.call(client, account, CREATE_ORDER, order_body(request, account.settings))
        mapped = map_payload(answer)
        shipments = [r for r in mapped.records if isinstance(r, MappedShipment)]
        if mapped.rejects or not shipments:
            reason = "; ".join(r.reason for r in mapped.rejects) or text(answer.get("msg"))
            raise ProviderError(f"4px did not create order {request.reference}: {reason}")
        consignment = text((answer.get("data") or {}).get("ds_consignment_no"))
        return CreatedOrder(consignment, shipments[0], answer)


CONNECTOR = FourPxConnector()
