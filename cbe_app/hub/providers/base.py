"""What a connector is: how to open an authenticated client and fetch one page at a time.

A sync calls `fetch` repeatedly, committing each page's records together with the state it
returns, so a sync interrupted anywhere resumes at the page after the last committed one.
The state is a small JSON dict the connector owns (page tokens, offsets, time windows).
When a page says `done`, its `next_since` becomes the account's incremental cursor: the next
sync asks only for what changed after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

from cbe_app.hub.providers.http import ProviderClient

# Providers index changes a little after they happen; each sync overlaps the previous window
# by this much so that nothing slips between two syncs (upserts make the overlap harmless).
OVERLAP = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """Where and how to reach one account (credentials already decrypted)."""

    account_id: int
    provider: str
    base_url: str
    credentials: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)
    since: str | None = None  # ISO time: the account's incremental cursor


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched page: what the mapper reads, and the state to continue from."""

    payload: Any
    state: dict[str, Any]
    done: bool
    next_since: str | None = None
    total: int | None = None  # records this sync will bring, when the provider says


class Connector(Protocol):
    """A provider's HTTP side. Implementations live in `providers/<name>/client.py`.

    Carrier connectors cannot list parcels; they look up numbers the hub knows. Such a
    connector sets `tracks_numbers = True` and `batch_size`: the sync puts the next numbers in
    `state["numbers"]` before each fetch, and ends the sync when none are left.
    """

    provider: str

    def open(
        self, account: AccountConfig, transport: httpx.BaseTransport | None = None
    ) -> ProviderClient:
        """An authenticated client for the account (fetching an access token if needed)."""
        ...

    def fetch(
        self, client: ProviderClient, account: AccountConfig, state: dict[str, Any], now: datetime
    ) -> Page:
        """The next page after `state` (an empty state starts a new sync)."""
        ...


def window(state: dict[str, Any], account: AccountConfig, now: datetime) -> tuple[str | None, str]:
    """The (since, until) ISO times of this sync, fixed on its first page and kept in the state.

    `since` is None on an account's first sync (fetch everything); `until` is a little before
    now, so that records changing while the sync runs are picked up by the next one.
    """
    if "until" not in state:
        state["since"] = account.since
        state["until"] = (now - timedelta(seconds=30)).isoformat()
    return state["since"], state["until"]


def next_since(until: str) -> str:
    """The cursor the next sync starts from: this sync's end, minus the overlap."""
    return (datetime.fromisoformat(until) - OVERLAP).isoformat()


@dataclass(frozen=True, slots=True)
class ShipmentRequest:
    """What a carrier needs to create a shipment (buy a label), from the hub's side.

    `reference` is the hub's own id for the parcel; connectors derive the idempotency key from
    it, so asking twice (a retry after a timeout) never buys two labels.
    """

    reference: str
    service: str
    ship_to_name: str
    ship_to_country: str
    ship_to_city: str
    ship_to_postcode: str
    ship_to_lines: tuple[str, ...]
    ship_to_phone: str
    ship_to_email: str
    weight_g: int
    declared_value: str  # decimal string, in `currency`
    currency: str
    contents: str
