"""PayPal Transaction Search: the account's payments and refunds, in 31-day slices.

Auth: OAuth 2.0 client credentials. `open` posts `grant_type=client_credentials` to
`/v1/oauth2/token` with the app's client id and secret as HTTP Basic auth and sends the
`access_token` it gets as `Authorization: Bearer` (scope
`https://uri.paypal.com/services/reporting/search/read`). A token lives about nine hours; when
PayPal answers 401 to a data call anyway (expired or revoked), `fetch` asks for a new token once
and repeats the call.

Endpoint: `GET /v1/reporting/transactions?start_date&end_date&fields=all&page_size&page`.
Dates are RFC 3339 with seconds; one request may span at most 31 days, so the sync window
(`window()`, since the account's cursor) is cut into 31-day slices paged one after the other.
PayPal answers `page`, `total_items` and `total_pages` for the slice; `page` (1-based) runs to
`total_pages`, then the next slice starts at `page=1`. `fields=all` brings `payer_info` (the
e-mail) beside `transaction_info`. The state is `{since, until, start, page, counted}`: the
window, the current slice's start, the page in it and the rows of the slices already done,
so a resumed sync asks for exactly the next page.

Window: PayPal lists three years back (a first sync starts there) and takes up to three hours
to list a transaction, so each sync starts its first slice three hours before the cursor
(the rows seen twice are unchanged upserts). When the last slice's last page is in, the
cursor becomes `next_since(until)`.

Limits: PayPal publishes no per-second figure for its REST APIs; it answers 429
`RATE_LIMIT_REACHED` when a client is too fast. The client paces itself at 5 requests a
second (`requests_per_second` in the account's settings overrides it, 0 = unpaced) and
honours `Retry-After` on 429 and 5xx.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from cbe_app.hub.providers.base import AccountConfig, Page, next_since, window
from cbe_app.hub.providers.http import ProviderAuthError, ProviderClient, ProviderError, RateLimit

TOKEN_PATH = "/v1/oauth2/token"  # noqa: S105 - a path, not a secret
TRANSACTIONS_PATH = "/v1/reporting/transactions"
PAGE_SIZE = 500  # PayPal's maximum page_size
SLICE = timedelta(days=31)  # the longest start_date..end_date PayPal accepts
HISTORY = timedelta(days=3 * 365)  # how far back Transaction Search lists
LISTING_DELAY = timedelta(hours=3)  # how long PayPal may take to list a transaction
DEFAULT_RATE = 5.0


def rfc3339(moment: datetime) -> str:
    """A time as PayPal's date filters take it: UTC, to the second, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def first_slice_start(since: str | None, until: str) -> str:
    """Where a sync's first slice starts: three hours before the cursor, or three years back."""
    end = datetime.fromisoformat(until)
    start = datetime.fromisoformat(since) - LISTING_DELAY if since else end - HISTORY
    return rfc3339(max(start, end - HISTORY))


class PayPalConnector:
    """Payments and refunds of one PayPal business account."""

    provider = "paypal"

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> ProviderClient:
        """A client holding an access token for the account's REST app."""
        rate = float(account.settings.get("requests_per_second", DEFAULT_RATE))
        client = ProviderClient(
            account.base_url,
            provider=self.provider,
            transport=transport,
            rate=RateLimit(rate, burst=10) if rate > 0 else None,
            headers={"Accept": "application/json"},
        )
        try:
            self.authenticate(client, account)
        except BaseException:
            client.close()
            raise
        return client

    def authenticate(self, client: ProviderClient, account: AccountConfig) -> None:
        """Get an access token with the client credentials and send it from now on."""
        pair = f"{account.credentials.get('client_id', '')}:"
        pair += str(account.credentials.get("client_secret", ""))
        basic = base64.b64encode(pair.encode()).decode()
        body = client.json(
            "POST",
            TOKEN_PATH,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise ProviderError("paypal: the token answer has no access_token")
        client.set_header("Authorization", f"Bearer {token}")

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """The next page of the current 31-day slice of this sync's window."""
        since, until = window(state, account, now)
        if "start" not in state:
            state.update(start=first_slice_start(since, until), page=1, counted=0)
        start = datetime.fromisoformat(state["start"])
        end = min(start + SLICE, datetime.fromisoformat(until))
        params = {
            "start_date": state["start"],
            "end_date": rfc3339(end),
            "fields": "all",
            "page_size": PAGE_SIZE,
            "page": state["page"],
        }
        body = self._transactions(client, account, params)
        total = int(state["counted"]) + int(body.get("total_items") or 0)
        done = self._advance(state, body, end, until, total)
        return Page(
            payload=body,
            state=state,
            done=done,
            next_since=next_since(until) if done else None,
            total=total,
        )

    def _transactions(
        self, client: ProviderClient, account: AccountConfig, params: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            body = client.json("GET", TRANSACTIONS_PATH, params=params)
        except ProviderAuthError:
            self.authenticate(client, account)  # the token expired or was revoked: once more
            body = client.json("GET", TRANSACTIONS_PATH, params=params)
        if not isinstance(body, dict):
            raise ProviderError("paypal: the transactions answer is not an object")
        return body

    @staticmethod
    def _advance(
        state: dict[str, Any], body: dict[str, Any], end: datetime, until: str, total: int
    ) -> bool:
        """Move the state to the next page or slice; True when the window is done."""
        if int(state["page"]) < int(body.get("total_pages") or 0):
            state["page"] = int(state["page"]) + 1
            return False
        if end >= datetime.fromisoformat(until):
            return True
        state.update(start=rfc3339(end), page=1, counted=total)
        return False


CONNECTOR = PayPalConnector()
