"""Stripe API v1: the charges and refunds created since the last sync, 100 a page.

Authentication is the account's secret (or restricted) key as `Authorization: Bearer`, with
`Stripe-Version` pinned so that object shapes do not change under the mapper when the account's
default version is upgraded.

One source per money movement: a capture is a Charge (`GET /v1/charges`), money back is a
Refund (`GET /v1/refunds`). Payment intents and balance transactions describe the same money
again, so the sync does not list them (the mapper still reads them, for webhooks). Refunds are
listed with `expand[]=data.charge`: a refund carries no order reference of its own, its charge
does (`metadata.order_id`), and the expanded charge, as it is now, also refreshes the stored
charge's refunded amount, which the `created` filter would otherwise never revisit.

Both lists filter on `created[gte]` / `created[lt]` (Unix seconds of the sync window) and come
newest first, paged with `starting_after=<last id of the page>` while `has_more`. The window is
fixed on the first page and Stripe never creates objects in the past, so each list is stable
while it is paged. The state is `{since, until, list, starting_after}`: the list being paged
(charges, then refunds) and the cursor in it, so a sync resumed after any page asks for
exactly the next one.

Limits: Stripe allows 100 requests a second in live mode and 25 in test mode (keys `sk_test_…`
/ `rk_test_…`); the client paces itself at that rate unless the account's settings say
otherwise (`requests_per_second`, 0 = unpaced), and retries 429 and 5xx answers with backoff.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from cbe_app.hub.providers.base import AccountConfig, Page, next_since, window
from cbe_app.hub.providers.http import ProviderClient, ProviderError, RateLimit

API_VERSION = "2024-06-20"
PAGE_SIZE = 100  # Stripe's maximum `limit`
LIVE_RATE, TEST_RATE = 100.0, 25.0
LISTS = ("charges", "refunds")
_EXPAND = {"refunds": "data.charge"}


def _epoch(moment: str) -> int:
    """An ISO time as Stripe's `created` unit: whole Unix seconds."""
    return int(datetime.fromisoformat(moment).timestamp())


def default_rate(secret_key: str) -> float:
    """Stripe's documented request rate for the key's mode."""
    return TEST_RATE if secret_key.startswith(("sk_test_", "rk_test_")) else LIVE_RATE


class StripeConnector:
    """Charges and refunds of one Stripe account."""

    provider = "stripe"

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> ProviderClient:
        """A client sending the account's secret key and the pinned API version."""
        key = str(account.credentials.get("secret_key", ""))
        rate = float(account.settings.get("requests_per_second", default_rate(key)))
        return ProviderClient(
            account.base_url,
            provider=self.provider,
            transport=transport,
            rate=RateLimit(rate, burst=max(1, int(rate))) if rate > 0 else None,
            headers={
                "Authorization": f"Bearer {key}",
                "Stripe-Version": str(account.settings.get("api_version", API_VERSION)),
                "Accept": "application/json",
            },
        )

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """The next page of the list being paged (charges, then refunds) in this window."""
        since, until = window(state, account, now)
        kind = state.setdefault("list", LISTS[0])
        params: dict[str, Any] = {"limit": PAGE_SIZE, "created[lt]": _epoch(until)}
        if since:
            params["created[gte]"] = _epoch(since)
        if state.get("starting_after"):
            params["starting_after"] = state["starting_after"]
        if kind in _EXPAND:
            params["expand[]"] = _EXPAND[kind]
        body = client.json("GET", f"/v1/{kind}", params=params)
        items = body.get("data") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise ProviderError(f"stripe: /v1/{kind} did not answer a list object")
        done = self._advance(state, kind, items, bool(body.get("has_more")))
        return Page(
            payload=body,
            state=state,
            done=done,
            next_since=next_since(until) if done else None,
        )

    @staticmethod
    def _advance(state: dict[str, Any], kind: str, items: list[Any], has_more: bool) -> bool:
        """Move the state past this page; True when the last list is through."""
        last = items[-1].get("id") if items and isinstance(items[-1], dict) else None
        if has_more and last:
            state["starting_after"] = last
            return False
        state["starting_after"] = None
        following = LISTS.index(kind) + 1
        if following == len(LISTS):
            return True
        state["list"] = LISTS[following]
        return False


CONNECTOR = StripeConnector()
