"""FedEx Track API: the tracking numbers the hub knows, 30 per request.

Authentication is OAuth 2.0 client credentials: `POST /oauth/token` with the form
`grant_type=client_credentials`, `client_id` (the project's API key) and `client_secret`
returns a bearer `access_token` valid `expires_in` seconds (3600). The client fetches one when
it opens, fetches a new one a minute before it runs out, and once more if FedEx answers 401
anyway (a token revoked early), then repeats the request.

Tracking is `POST /track/v1/trackingnumbers` with `{"includeDetailedScans": true,
"trackingInfo": [{"trackingNumberInfo": {"trackingNumber": …}}]}`, at most 30 numbers. A carrier
cannot list parcels, so there is no paging or incremental filter at FedEx: the sync hands each
step the next numbers in `state["numbers"]` (and keeps its own `after` position), and ends the
sync when none are left. The page's payload is FedEx's answer as is; numbers FedEx does not know
come back inside it with the per-result error `TRACKING.TRACKINGNUMBER.NOTFOUND`, which the
mapper turns into quarantine entries.

Limits: FedEx allows 1,400 transactions per project in any 10 seconds (429 beyond, and a daily
quota per organisation). The client paces itself at 130 requests a second with bursts of 100,
which can never exceed 1,400 in 10 seconds; `requests_per_second` in the account's settings
overrides it (0: unpaced). 429 and 5xx are retried, honouring `Retry-After`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from cbe_app.hub.providers.base import AccountConfig, Page
from cbe_app.hub.providers.http import ProviderAuthError, ProviderClient, ProviderError, RateLimit

TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
TRACK_PATH = "/track/v1/trackingnumbers"
BATCH_SIZE = 30  # FedEx Track's maximum of tracking numbers per request
RATE_PER_SECOND = 130.0
BURST = 100
_EARLY_SECONDS = 60.0  # renew a token this long before FedEx would refuse it


class FedExClient(ProviderClient):
    """A `ProviderClient` that holds a FedEx access token and renews it."""

    def __init__(self, base_url: str, credentials: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self._credentials = credentials
        self.token_expires_at = 0.0  # on the monotonic clock

    def authorise(self) -> None:
        """Fetch a new access token and send it from now on."""
        form = {
            "grant_type": "client_credentials",
            "client_id": str(self._credentials.get("client_id", "")),
            "client_secret": str(self._credentials.get("client_secret", "")),
        }
        body = self.json("POST", TOKEN_PATH, data=form)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise ProviderError(f"{self.provider}: the token answer has no access_token")
        self.set_header("Authorization", f"Bearer {token}")
        self.token_expires_at = time.monotonic() + float(body.get("expires_in", 3600))

    def ensure_token(self) -> None:
        """Renew the token if it runs out within a minute."""
        if time.monotonic() >= self.token_expires_at - _EARLY_SECONDS:
            self.authorise()


def track_request(numbers: list[str]) -> dict[str, Any]:
    """The body of a track request for `numbers`, with every scan."""
    return {
        "includeDetailedScans": True,
        "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": n}} for n in numbers],
    }


class FedExConnector:
    """Tracking of one FedEx project's parcels (see the module docstring)."""

    provider = "fedex"
    tracks_numbers = True
    batch_size = BATCH_SIZE

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> ProviderClient:
        """A client holding a fresh access token."""
        rate = float(account.settings.get("requests_per_second", RATE_PER_SECOND))
        client = FedExClient(
            account.base_url,
            account.credentials,
            provider=self.provider,
            transport=transport,
            rate=RateLimit(rate, burst=max(1, min(BURST, int(rate)))) if rate > 0 else None,
            headers={"Accept": "application/json", "X-locale": "en_US"},
        )
        try:
            client.authorise()
        except BaseException:
            client.close()
            raise
        return client

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """FedEx's answer for the numbers in `state["numbers"]` (the sync decides when to stop)."""
        numbers = [str(n) for n in state.get("numbers") or ()]
        rest = {k: v for k, v in state.items() if k != "numbers"}  # the sync sets them anew
        if not numbers:  # only when called outside a sync: nothing to look up
            return Page(payload={"output": {"completeTrackResults": []}}, state=rest, done=True)
        payload = self._track(client, track_request(numbers))
        return Page(payload=payload, state=rest, done=False)

    def _track(self, client: ProviderClient, body: dict[str, Any]) -> Any:
        if isinstance(client, FedExClient):
            client.ensure_token()
        try:
            return client.json("POST", TRACK_PATH, json=body)
        except ProviderAuthError as exc:
            if not isinstance(client, FedExClient) or exc.status != 401:
                raise
            # Refused before its time (revoked, or FedEx restarted): renew once and repeat.
            client.authorise()
        return client.json("POST", TRACK_PATH, json=body)


CONNECTOR = FedExConnector()
