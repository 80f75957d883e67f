"""Amazon SP-API Orders v0: the orders changed since the last sync, each with its items.

Endpoints: `GET /orders/v0/orders` (getOrders) with `MarketplaceIds` (comma-separated, at most
50), `LastUpdatedAfter`, `LastUpdatedBefore` and `MaxResultsPerPage` (at most 100). A page's
`payload.NextToken` brings the next one; it is sent with `MarketplaceIds` only, since Amazon
ignores other filters beside it. getOrders carries no items, so every order is followed by
`GET /orders/v0/orders/{orderId}/orderItems` (getOrderItems, paged by its own `NextToken`),
and the items go on the order as `OrderItems`, where the mapper reads them. A page's payload
is the getOrders body with those items attached.

Auth: Login with Amazon (see `session`): the account's `client_id`, `client_secret` and
`refresh_token` give an access token sent as `x-amz-access-token`. The token endpoint is the
`lwa_url` setting, by default https://api.amazon.com/auth/o2/token for Amazon's SP-API hosts
and `<base URL>/auth/o2/token` elsewhere (the sandbox). The marketplaces are the
`marketplace_ids` setting (a list or comma-separated), else the credentials' `marketplace_id`.

Limits: Amazon's default usage plans, getOrders 0.0167 requests/s with a burst of 20 and
getOrderItems 0.5/s with a burst of 30, each paced on its own. `requests_per_second` in the
settings replaces getOrders' rate (0 turns all pacing off), `order_items_per_second`
getOrderItems' (0: unpaced). A 429 is retried with backoff (never sooner than a
`Retry-After`, when Amazon sends one).

Cursor: a sync step must stay short (the job runner holds its lock for seconds), and at
Amazon's pace a page of 100 orders needs minutes of getOrderItems calls. So a step lists a
page only when getOrders' plan allows it now, then fetches items only while its time budget
lasts; the page's orders not itemised yet wait in the state (`pending`, raw getOrders
orders) with the page's `next_token`, the window (`since`, `until`) and the count of pages
listed. With pacing off a whole page is itemised in one step and `pending` stays empty.
`LastUpdatedBefore` must be at least two minutes in the past, so the window ends there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

import httpx

from cbe_app.hub.providers.amazon.mapper import order_items_of
from cbe_app.hub.providers.amazon.orders_v0 import ITEMS_KEY
from cbe_app.hub.providers.amazon.session import SpApiSession, lwa_url
from cbe_app.hub.providers.base import AccountConfig, Page, next_since, window
from cbe_app.hub.providers.http import ProviderClient, ProviderError, RateLimit
from cbe_app.hub.providers.parsing import MappingError

GET_ORDERS: Final = "getOrders"
GET_ORDER_ITEMS: Final = "getOrderItems"
ORDERS_PATH: Final = "/orders/v0/orders"
PAGE_SIZE = 100
MAX_MARKETPLACES: Final = 50
STEP_SECONDS = 4.0  # a step's budget for HTTP calls, well inside the job runner's lock
LAST_UPDATE_LAG: Final = timedelta(minutes=2, seconds=30)  # Amazon wants ≥ 2 minutes ago
FIRST_SYNC_FROM: Final = "2000-01-01T00:00:00+00:00"  # getOrders needs a start, even at first


def usage_plans(settings: dict[str, Any]) -> dict[str, RateLimit | None]:
    """Each operation's pacing: Amazon's default usage plans unless the settings say otherwise."""
    orders_rate = float(settings.get("requests_per_second", 0.0167))
    if orders_rate <= 0:
        return {GET_ORDERS: None, GET_ORDER_ITEMS: None}
    items_rate = float(settings.get("order_items_per_second", 0.5))
    return {
        GET_ORDERS: RateLimit(orders_rate, burst=20),
        GET_ORDER_ITEMS: RateLimit(items_rate, burst=30) if items_rate > 0 else None,
    }


def marketplace_ids(account: AccountConfig) -> str:
    """The account's marketplaces as getOrders' comma-separated `MarketplaceIds`.

    Raises:
        ProviderError: when the account names none, or more than Amazon accepts.
    """
    wanted = account.settings.get("marketplace_ids") or account.credentials.get("marketplace_id")
    raw = wanted.split(",") if isinstance(wanted, str) else list(wanted or [])
    ids = list(dict.fromkeys(str(i).strip() for i in raw if str(i).strip()))
    if not ids or len(ids) > MAX_MARKETPLACES:
        raise ProviderError(
            f"amazon: the account must name 1 to {MAX_MARKETPLACES} marketplaces "
            f"(settings marketplace_ids or credentials marketplace_id), not {len(ids)}"
        )
    return ",".join(ids)


def amazon_time(iso: str) -> str:
    """An ISO time as Amazon takes it: UTC, to the second, with a Z."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _session(client: ProviderClient) -> SpApiSession:
    if not isinstance(client, SpApiSession):
        raise TypeError("the Amazon connector needs the client its open() made")
    return client


class AmazonConnector:
    """Orders of one Amazon seller account in its marketplaces (see the module docstring)."""

    provider = "amazon"

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> SpApiSession:
        """A session holding a fresh LWA access token."""
        session = SpApiSession(
            account.base_url,
            token_url=lwa_url(account.base_url, account.settings),
            credentials=account.credentials,
            plans=usage_plans(account.settings),
            transport=transport,
        )
        try:
            session.authenticate()
        except BaseException:
            session.close()
            raise
        return session

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """The next orders of this sync's window, as many as the step's budget itemises."""
        session = _session(client)
        fresh = "until" not in state
        _, until = window(state, account, now)
        if fresh:  # Amazon refuses a LastUpdatedBefore less than two minutes old
            until = state["until"] = (now - LAST_UPDATE_LAG).isoformat()
            state.update(pages=0, next_token=None, pending=[])
        deadline = session.now() + STEP_SECONDS
        if not state["pending"] and (state["pages"] == 0 or state["next_token"]):
            self._list(session, account, state, deadline)
        orders = self._itemise(session, state, deadline)
        done = state["pages"] > 0 and not state["next_token"] and not state["pending"]
        return Page(
            payload={"payload": {"Orders": orders}},
            state=state,
            done=done,
            next_since=next_since(until) if done else None,
        )

    def _list(
        self, session: SpApiSession, account: AccountConfig, state: dict[str, Any], deadline: float
    ) -> None:
        """List the next getOrders page into `pending`, unless its plan makes us wait too long."""
        remaining = deadline - session.now()
        if session.seconds_until(GET_ORDERS) > remaining:
            session.pause(remaining)  # spend this step waiting; a later step lists the page
            return
        params: dict[str, Any] = {"MarketplaceIds": marketplace_ids(account)}
        if state["next_token"]:
            params["NextToken"] = state["next_token"]
        else:
            params |= {
                "LastUpdatedAfter": amazon_time(state["since"] or FIRST_SYNC_FROM),
                "LastUpdatedBefore": amazon_time(state["until"]),
                "MaxResultsPerPage": PAGE_SIZE,
            }
        body = session.call(GET_ORDERS, ORDERS_PATH, params)
        payload = body.get("payload") if isinstance(body, dict) else None
        if not isinstance(payload, dict) or not isinstance(payload.get("Orders"), list):
            raise ProviderError("amazon: a getOrders response without payload.Orders")
        state["pending"] = payload["Orders"]
        state["next_token"] = payload.get("NextToken") or None
        state["pages"] += 1

    def _itemise(
        self, session: SpApiSession, state: dict[str, Any], deadline: float
    ) -> list[dict[str, Any]]:
        """Attach items to pending orders while the budget lasts (at least one per step)."""
        pending: list[dict[str, Any]] = state["pending"]
        done: list[dict[str, Any]] = []
        while pending:
            remaining = deadline - session.now()
            if done and (remaining <= 0 or session.seconds_until(GET_ORDER_ITEMS) > remaining):
                break
            order = pending[0]
            done.append({**order, ITEMS_KEY: self._items(session, order.get("AmazonOrderId"))})
            pending.pop(0)
        return done

    def _items(self, session: SpApiSession, order_id: Any) -> list[Any]:
        """Every item of one order, following getOrderItems' NextToken."""
        if not isinstance(order_id, str) or not order_id:
            raise ProviderError("amazon: a getOrders order without AmazonOrderId")
        path = f"{ORDERS_PATH}/{order_id}/orderItems"
        items: list[Any] = []
        token: str | None = None
        while True:
            body = session.call(GET_ORDER_ITEMS, path, {"NextToken": token} if token else None)
            try:
                _, page = order_items_of(body)
            except MappingError as exc:
                raise ProviderError(f"amazon: getOrderItems of {order_id}: {exc}") from exc
            items.extend(page)
            token = body["payload"].get("NextToken") or None
            if token is None:
                return items


CONNECTOR = AmazonConnector()
