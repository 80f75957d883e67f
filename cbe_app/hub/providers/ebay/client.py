"""eBay Sell Fulfillment API: orders changed since the last sync, 200 a page, with tracking.

Authentication is an OAuth 2 user access token. `open` exchanges the account's refresh token
for one at `POST /identity/v1/oauth2/token` (`grant_type=refresh_token`, the app's
`client_id:client_secret` in HTTP Basic, scope `sell.fulfillment`) and sends it as
`Authorization: Bearer`. Access tokens live two hours, so a 401 during a sync gets one new
token and one retry. eBay answers a bad refresh token (expired after 18 months, or revoked)
with a 400 `invalid_grant`: that is a credentials problem too, reported as such.

Orders come from getOrders, `GET /sell/fulfillment/v1/order`, with
`filter=lastmodifieddate:[<since>..<until>]` in eBay's syntax (UTC, milliseconds, a Z; both
ends inclusive), `limit=200` (eBay's maximum) and `offset` paging; `total` is the sync's
total, and a page without `next` is the last. eBay keeps orders for two years and refuses
longer ranges, so a first sync (or one after two idle years) starts 730 days before its end.
The window is fixed for the whole sync, so an order can only leave it (changed again
meanwhile); when `total` shrinks, the offset steps back by as much, re-reading a few orders
rather than skipping any.

Orders carry no tracking numbers, only `fulfillmentHrefs`. For each order of the page that
has some, one getShippingFulfillments call fetches its parcels; the page is then
`{"page": <getOrders body>, "shippingFulfillments": {orderId: <getShippingFulfillments body>}}`
(each part exactly as eBay sends it), which the mapper reads. `settings["tracking"] = False`
skips those calls, and the payload is the getOrders body alone.

eBay's default quota for the Fulfillment API is 100,000 calls a day, tracking calls included;
the client paces itself at that average (about 1.16 a second, in bursts of up to 100) unless
`settings["requests_per_second"]` says otherwise (0: unpaced), and honours `Retry-After` on
a 429. The state is `{since, until, offset, total}`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from cbe_app.hub.providers.base import AccountConfig, Page, next_since, window
from cbe_app.hub.providers.http import ProviderAuthError, ProviderClient, ProviderError, RateLimit

PAGE_SIZE = 200
TOKEN_PATH = "/identity/v1/oauth2/token"  # noqa: S105 - a path, not a secret
ORDERS_PATH = "/sell/fulfillment/v1/order"
SCOPE = "https://api.ebay.com/oauth/api_scope/sell.fulfillment"
DAILY_CALLS = 100_000
BURST = 100
LOOKBACK = timedelta(days=730)


def filter_time(iso: str) -> str:
    """An ISO time as eBay's filters want it: UTC, milliseconds, a Z."""
    moment = datetime.fromisoformat(iso).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class EbayConnector:
    """Orders (and their parcels' tracking numbers) of one eBay seller."""

    provider = "ebay"

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> ProviderClient:
        """A client holding a fresh user access token."""
        rate = float(account.settings.get("requests_per_second", DAILY_CALLS / 86_400))
        client = ProviderClient(
            account.base_url,
            provider=self.provider,
            transport=transport,
            rate=RateLimit(rate, burst=BURST) if rate > 0 else None,
            headers={"Accept": "application/json"},
        )
        self.authorize(client, account)
        return client

    def authorize(self, client: ProviderClient, account: AccountConfig) -> None:
        """Exchange the refresh token for an access token and send it from now on.

        Raises:
            ProviderAuthError: eBay refused the app's credentials or the refresh token.
        """
        creds = account.credentials
        pair = f"{creds.get('client_id', '')}:{creds.get('client_secret', '')}"
        form = {
            "grant_type": "refresh_token",
            "refresh_token": str(creds.get("refresh_token", "")),
            "scope": SCOPE,
        }
        basic = {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
        try:
            body = client.json("POST", TOKEN_PATH, data=form, headers=basic)
        except ProviderError as exc:
            if exc.status == 400:  # invalid_grant / invalid_scope: the grant, not the call
                raise ProviderAuthError(
                    f"{self.provider} refused the credentials (400): {exc}", status=400
                ) from exc
            raise
        if not isinstance(body, Mapping) or not body.get("access_token"):
            raise ProviderError(f"{self.provider}: the token response has no access_token")
        client.set_header("Authorization", f"Bearer {body['access_token']}")

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """The next page of orders changed in this sync's window."""
        since, until = window(state, account, now)
        # eBay keeps two years of orders and refuses longer ranges (errorId 30830).
        oldest = datetime.fromisoformat(until) - LOOKBACK
        start = max(datetime.fromisoformat(since), oldest) if since else oldest
        criteria = f"lastmodifieddate:[{filter_time(start.isoformat())}..{filter_time(until)}]"
        offset = int(state.get("offset", 0))
        body = self._orders(client, account, criteria, offset)
        shrunk = int(state.get("total") or 0) - int(body.get("total") or 0)
        if shrunk > 0 and offset > 0:  # orders left the window before `offset`: step back
            offset = max(0, offset - shrunk)
            body = self._orders(client, account, criteria, offset)
        orders = body.get("orders") or []
        state["offset"], state["total"] = offset + len(orders), int(body.get("total") or 0)
        done = not orders or not body.get("next")
        payload: Any = body
        if account.settings.get("tracking", True):
            parcels = self._shipping_fulfillments(client, account, orders)
            payload = {"page": body, "shippingFulfillments": parcels}
        return Page(
            payload=payload,
            state=state,
            done=done,
            next_since=next_since(until) if done else None,
            total=state["total"],
        )

    def _orders(
        self, client: ProviderClient, account: AccountConfig, criteria: str, offset: int
    ) -> dict[str, Any]:
        params = {"filter": criteria, "limit": PAGE_SIZE, "offset": offset}
        body = self._get(client, account, ORDERS_PATH, params)
        if not isinstance(body, dict):
            raise ProviderError(f"{self.provider}: getOrders did not answer an object")
        return body

    def _shipping_fulfillments(
        self, client: ProviderClient, account: AccountConfig, orders: list[Any]
    ) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for order in orders:
            if not isinstance(order, Mapping) or not order.get("fulfillmentHrefs"):
                continue
            order_id = str(order.get("orderId", ""))
            path = f"{ORDERS_PATH}/{quote(order_id, safe='')}/shipping_fulfillment"
            try:
                found[order_id] = self._get(client, account, path)
            except ProviderError as exc:
                if exc.status not in (400, 404):
                    raise
                # The order is gone from eBay's view since the page was read: its tracking
                # numbers come with its next change.
        return found

    def _get(
        self,
        client: ProviderClient,
        account: AccountConfig,
        path: str,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return client.json("GET", path, params=params)
        except ProviderAuthError as exc:
            if exc.status != 401:
                raise
            self.authorize(client, account)  # the access token expired: one new one, one retry
            return client.json("GET", path, params=params)


CONNECTOR = EbayConnector()
