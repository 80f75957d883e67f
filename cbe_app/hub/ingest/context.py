"""What an ingest needs besides the records: the account, the rules, the rates and the time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import orjson

from cbe_app.hub.normalise import EcbRates, FxSource
from cbe_app.hub.statusmap import StatusMaps


@dataclass(frozen=True, slots=True)
class AccountRef:
    """The account records come from (ids only; no ORM object crosses into the ingest)."""

    id: int
    provider: str
    kind: str
    channel_id: int | None = None
    carrier_id: int | None = None


@dataclass
class IngestContext:
    """The rules an ingest applies, built once per sync and reused for every page."""

    account: AccountRef
    maps: StatusMaps
    base_currency: str
    now: datetime
    fx: FxSource = field(default_factory=EcbRates)
    skus: dict[str, str] = field(default_factory=dict)  # channel SKU -> canonical SKU
    # (day, currency, base) of the rates written in this context's transaction
    rates_written: set[tuple[Any, str, str]] = field(default_factory=set, compare=False)


@dataclass
class IngestSummary:
    """What an ingest did, as the CLI and the sync history report it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0

    def add(self, other: IngestSummary) -> None:
        """Accumulate another page's counts."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.quarantined += other.quarantined

    def as_dict(self) -> dict[str, int]:
        """The JSON summary printed by `import` and `sync`."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
        }


def fingerprint(*parts: Any) -> str:
    """A short stable digest of canonical content, to tell unchanged from updated.

    orjson writes enums, datetimes and dataclasses itself (repr() of the same parts costs
    several times more on a large sync); anything else goes through str().
    """
    return hashlib.blake2b(orjson.dumps(parts, default=str), digest_size=16).hexdigest()


R = TypeVar("R")


def newest_per_key(
    records: Iterable[R], key: Callable[[R], str], updated: Callable[[R], datetime | None]
) -> dict[str, R]:
    """One copy per key, the newest by `updated` (the later one on a tie).

    A page, a batch of pages or a webhook burst can carry the same record twice; an older copy
    arriving after a newer one must not win.
    """
    chosen: dict[str, R] = {}
    for record in records:
        k = key(record)
        seen = chosen.get(k)
        if seen is None or not is_stale(updated(record), updated(seen)):
            chosen[k] = record
    return chosen


def is_stale(incoming: datetime | None, stored: datetime | None) -> bool:
    """True when the incoming copy is older than what is stored: it must not overwrite it."""
    return incoming is not None and stored is not None and incoming < stored
