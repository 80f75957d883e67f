"""Shopify Admin REST: orders changed since the last sync, in pages of 250.

Authentication is the shop's Admin API access token in `X-Shopify-Access-Token`. The first
request filters by `updated_at_min/max` and sorts by `updated_at`; later pages follow the
`Link` header's `page_info` cursor, which must be sent alone (Shopify refuses filters beside
it). Shopify's REST limit is a leaky bucket of 40 requests draining 2 per second, so the
client paces itself at that rate unless the account's settings say otherwise, and honours
`Retry-After` on a 429.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson

from cbe_app.hub.providers.base import AccountConfig, Page, next_since, window
from cbe_app.hub.providers.http import ProviderClient, RateLimit

API_VERSION = "2024-10"
PAGE_SIZE = 250
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def next_page_info(link_header: str | None) -> str | None:
    """The `page_info` of the `rel="next"` link, if there is one."""
    match = _NEXT.search(link_header or "")
    if not match:
        return None
    values = parse_qs(urlsplit(match.group(1)).query).get("page_info")
    return values[0] if values else None


class ShopifyConnector:
    """Orders of one Shopify shop."""

    provider = "shopify"

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> ProviderClient:
        """A client sending the shop's access token."""
        rate = float(account.settings.get("requests_per_second", 2.0))
        return ProviderClient(
            account.base_url,
            provider=self.provider,
            transport=transport,
            rate=RateLimit(rate, burst=40) if rate > 0 else None,
            headers={
                "X-Shopify-Access-Token": str(account.credentials.get("access_token", "")),
                "Accept": "application/json",
            },
        )

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """The next page of orders changed in this sync's window."""
        since, until = window(state, account, now)
        version = account.settings.get("api_version", API_VERSION)
        path = f"/admin/api/{version}/orders.json"
        if state.get("page_info"):
            params: dict[str, Any] = {"limit": PAGE_SIZE, "page_info": state["page_info"]}
        else:
            params = {
                "status": "any",
                "limit": PAGE_SIZE,
                "order": "updated_at asc",
                "updated_at_max": until,
            }
            if since:
                params["updated_at_min"] = since
            state["total"] = self._count(client, version, since, until)
        response = client.request("GET", path, params=params)
        state["page_info"] = next_page_info(response.headers.get("Link"))
        done = state["page_info"] is None
        return Page(
            payload=orjson.loads(response.content),
            state=state,
            done=done,
            next_since=next_since(until) if done else None,
            total=state.get("total"),
        )

    def _count(
        self, client: ProviderClient, version: str, since: str | None, until: str
    ) -> int | None:
        params = {"status": "any", "updated_at_max": until} | (
            {"updated_at_min": since} if since else {}
        )
        body = client.json("GET", f"/admin/api/{version}/orders/count.json", params=params)
        return int(body["count"]) if isinstance(body, dict) and "count" in body else None


CONNECTOR = ShopifyConnector()
