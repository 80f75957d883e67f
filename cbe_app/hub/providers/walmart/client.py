"""Walmart Marketplace Orders API v3: the orders changed since the last sync, 200 a page.

Endpoints: `GET /v3/orders` with `lastModifiedStartDate`, `lastModifiedEndDate` (ISO 8601 UTC
times) and `limit` (200 at most). The response's `list.meta.nextCursor` is the query string
of the next page (it starts with "?" and repeats the filters), appended to `/v3/orders` as
is; `list.meta.totalCount` is how many orders the filters match, reported as `Page.total`.
Walmart answers 404 `CONTENT_NOT_FOUND` when nothing matches: that is an empty, final page.
Walmart keeps orders for 180 days only, so a first sync reaches back that far at most.

Auth: OAuth 2.0 client credentials. `POST /v3/token` with `Authorization: Basic
base64(client_id:client_secret)` and grant_type=client_credentials gives an access token for
15 minutes, sent as `WM_SEC.ACCESS_TOKEN`. Every request carries `WM_SVC.NAME` and a fresh
`WM_QOS.CORRELATION_ID`, as Walmart requires. The token is renewed a minute before it
expires, and once more when a call is refused with 401 (the call is then retried).

Limits: Walmart throttles each API per seller with a token bucket (it reports the tokens left
in `X-Current-Token-Count`) and answers 429 beyond it; the client paces itself at 10
requests per second with bursts of 10 unless the account's `requests_per_second` says
otherwise (0: unpaced), and retries a 429 after its `Retry-After`.

Cursor: the state holds the window (`since`, `until`), `cursor` (the next page's query string,
or None before the first page and after the last) and `total`.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any, Final

import httpx

from cbe_app.hub.providers.base import AccountConfig, Page, next_since, window
from cbe_app.hub.providers.http import ProviderAuthError, ProviderClient, ProviderError, RateLimit

PROVIDER: Final = "walmart"
ORDERS_PATH: Final = "/v3/orders"
TOKEN_PATH: Final = "/v3/token"  # noqa: S105 - a path, not a secret
SERVICE_NAME: Final = "Walmart Marketplace"
PAGE_SIZE = 200
DEFAULT_RATE: Final = 10.0
TOKEN_MARGIN: Final = 60.0  # seconds before the stated expiry at which a token is renewed
FIRST_SYNC_FROM: Final = "2000-01-01T00:00:00+00:00"  # Walmart serves the last 180 days


def walmart_time(iso: str) -> str:
    """An ISO time as Walmart's date filters take it: UTC, to the second, with a Z."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class WalmartClient(ProviderClient):
    """A `ProviderClient` holding a Walmart access token and sending Walmart's headers."""

    def __init__(
        self,
        base_url: str,
        *,
        credentials: dict[str, Any],
        rate: RateLimit | None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url,
            provider=PROVIDER,
            rate=rate,
            transport=transport,
            headers={"Accept": "application/json", "WM_SVC.NAME": SERVICE_NAME},
        )
        pair = f"{credentials.get('client_id', '')}:{credentials.get('client_secret', '')}"
        self._basic = "Basic " + base64.b64encode(pair.encode()).decode()
        self._expires_at = 0.0
        self.tokens_fetched = 0

    def authenticate(self) -> None:
        """Get a new access token with the client credentials.

        Raises:
            ProviderAuthError: when Walmart refuses the client id or secret.
        """
        body = self.json(
            "POST",
            TOKEN_PATH,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": self._basic, "WM_QOS.CORRELATION_ID": str(uuid.uuid4())},
        )
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ProviderError(f"{PROVIDER}: the token response has no access_token")
        self.set_header("WM_SEC.ACCESS_TOKEN", token)
        lifetime = float(body.get("expires_in") or 900)
        self._expires_at = self._clock() + max(lifetime - TOKEN_MARGIN, 0.0)
        self.tokens_fetched += 1

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET with a fresh correlation id, renewing the token when it is due or refused."""
        if self._clock() >= self._expires_at:
            self.authenticate()
        try:
            return self._get(path, params)
        except ProviderAuthError as exc:
            if exc.status != 401:  # 403: the app lacks the scope; a new token will not help
                raise
            self.authenticate()
            return self._get(path, params)

    def _get(self, path: str, params: dict[str, Any] | None) -> Any:
        headers = {"WM_QOS.CORRELATION_ID": str(uuid.uuid4())}
        return self.json("GET", path, params=params, headers=headers)


def _client(client: ProviderClient) -> WalmartClient:
    if not isinstance(client, WalmartClient):
        raise TypeError("the Walmart connector needs the client its open() made")
    return client


def _not_found(exc: ProviderError) -> bool:
    """Walmart's answer to a query that matches no order."""
    return exc.status == 404 and "CONTENT_NOT_FOUND" in str(exc)


class WalmartConnector:
    """Orders of one Walmart Marketplace seller (see the module docstring)."""

    provider = PROVIDER

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> WalmartClient:
        """A client holding a fresh access token."""
        rate = float(account.settings.get("requests_per_second", DEFAULT_RATE))
        client = WalmartClient(
            account.base_url,
            credentials=account.credentials,
            rate=RateLimit(rate, burst=10) if rate > 0 else None,
            transport=transport,
        )
        try:
            client.authenticate()
        except BaseException:
            client.close()
            raise
        return client

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """The next page of orders changed in this sync's window."""
        walmart = _client(client)
        since, until = window(state, account, now)
        cursor = state.get("cursor")
        if cursor:
            path, params = ORDERS_PATH + cursor, None
        else:
            path, params = (
                ORDERS_PATH,
                {
                    "lastModifiedStartDate": walmart_time(since or FIRST_SYNC_FROM),
                    "lastModifiedEndDate": walmart_time(until),
                    "limit": PAGE_SIZE,
                },
            )
        try:
            body = walmart.get(path, params)
        except ProviderError as exc:
            if not _not_found(exc):
                raise
            body = {"list": {"meta": {"totalCount": 0, "limit": PAGE_SIZE}, "elements": {}}}
        meta = body.get("list", {}).get("meta", {}) if isinstance(body, dict) else {}
        state["cursor"] = meta.get("nextCursor") or None
        if isinstance(meta.get("totalCount"), int):
            state["total"] = meta["totalCount"]
        done = state["cursor"] is None
        return Page(
            payload=body,
            state=state,
            done=done,
            next_since=next_since(until) if done else None,
            total=state.get("total"),
        )


CONNECTOR = WalmartConnector()
