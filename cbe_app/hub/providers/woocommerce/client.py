"""WooCommerce REST API v3: orders changed since the last sync, in pages of 100.

Authentication is a REST API key (WooCommerce › Settings › Advanced › REST API): over HTTPS,
`consumer_key:consumer_secret` in HTTP Basic auth, as WooCommerce documents. Some servers
drop the `Authorization` header before PHP sees it; for those, `settings["query_string_auth"]`
sends the two as `consumer_key`/`consumer_secret` query parameters instead (WooCommerce's
documented fallback). A wrong key gets WooCommerce's 401 (`woocommerce_rest_cannot_view` or
`woocommerce_rest_authentication_error`).

Orders come from `GET /wp-json/wc/v3/orders` with `modified_after`/`modified_before` (both
exclusive, UTC to the second, `dates_are_gmt=true`), `orderby=modified&order=asc`,
`per_page=100` (WordPress's maximum) and `page`. `X-WP-Total` is the sync's total and
`X-WP-TotalPages` its pages: the sync is done when it has read as many orders as the total
says (or a page comes back empty). The window is fixed for the whole sync, so an order can
only leave it (changed again meanwhile), which moves every later order one place up; when
`X-WP-Total` shrinks, the next request steps back by as much with `offset` (which WordPress
takes instead of `page`), re-reading a few orders rather than skipping any.

WooCommerce itself documents no rate limit for this API: the shop is the seller's own
WordPress server, and a page of 100 orders is heavy PHP work. The client paces itself at a
polite 5 requests a second (bursts of 10) unless `settings["requests_per_second"]` says
otherwise (0: unpaced), and honours `Retry-After` from hosts and CDNs that do limit. The
state is `{since, until, position, total}`: `position` is how many orders were read.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from cbe_app.hub.providers.base import AccountConfig, Page, next_since, window
from cbe_app.hub.providers.http import ProviderClient, ProviderError, RateLimit

PAGE_SIZE = 100
ORDERS_PATH = "/wp-json/wc/v3/orders"
REQUESTS_PER_SECOND = 5.0
BURST = 10


def gmt_time(iso: str) -> str:
    """An ISO time as WooCommerce's date filters take it with `dates_are_gmt`: UTC seconds."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class WooCommerceConnector:
    """Orders of one WooCommerce shop."""

    provider = "woocommerce"

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> ProviderClient:
        """A client sending the shop's REST API key (unless it goes in the query string)."""
        rate = float(account.settings.get("requests_per_second", REQUESTS_PER_SECOND))
        headers = {"Accept": "application/json"}
        if not account.settings.get("query_string_auth"):
            pair = f"{account.credentials.get('consumer_key', '')}:" + str(
                account.credentials.get("consumer_secret", "")
            )
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        return ProviderClient(
            account.base_url,
            provider=self.provider,
            transport=transport,
            rate=RateLimit(rate, burst=BURST) if rate > 0 else None,
            headers=headers,
        )

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """The next page of orders changed in this sync's window."""
        since, until = window(state, account, now)
        position = int(state.get("position", 0))
        response = self._page(client, account, since, until, position)
        total = int(response.headers.get("X-WP-Total", 0))
        shrunk = int(state.get("total") or 0) - total
        if shrunk > 0 and position > 0:  # orders left the window before `position`: step back
            position = max(0, position - shrunk)
            response = self._page(client, account, since, until, position)
            total = int(response.headers.get("X-WP-Total", 0))
        orders = orjson.loads(response.content)
        if not isinstance(orders, list):
            raise ProviderError(f"{self.provider}: the orders list is not a JSON array")
        state["position"], state["total"] = position + len(orders), total
        done = not orders or state["position"] >= total
        return Page(
            payload=orders,
            state=state,
            done=done,
            next_since=next_since(until) if done else None,
            total=total,
        )

    def _page(
        self,
        client: ProviderClient,
        account: AccountConfig,
        since: str | None,
        until: str,
        position: int,
    ) -> httpx.Response:
        params: dict[str, Any] = {
            "orderby": "modified",
            "order": "asc",
            "dates_are_gmt": "true",
            "modified_before": gmt_time(until),
            "per_page": PAGE_SIZE,
        }
        if since:
            params["modified_after"] = gmt_time(since)
        if position % PAGE_SIZE == 0:
            params["page"] = position // PAGE_SIZE + 1
        else:  # after a step back; WordPress then ignores `page`
            params["offset"] = position
        if account.settings.get("query_string_auth"):
            params["consumer_key"] = account.credentials.get("consumer_key", "")
            params["consumer_secret"] = account.credentials.get("consumer_secret", "")
        return client.request("GET", ORDERS_PATH, params=params)


CONNECTOR = WooCommerceConnector()
