"""getOrders' query, read as eBay reads it: the `filter` criteria and `limit`/`offset`.

`filter` takes comma-separated criteria: `creationdate:[start..end]` and
`lastmodifieddate:[start..end]` (ISO 8601 UTC with a Z, both ends inclusive, the end
optional; creationdate wins when both are sent) and `orderfulfillmentstatus:{A|B}` (only
NOT_STARTED|IN_PROGRESS and FULFILLED|IN_PROGRESS). Whatever eBay refuses raises `EbayError`
with eBay's errorId and message.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from cbe_app.hub.sandbox.data import SandboxOrder

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
DEFAULT_DAYS = 90  # without a date filter, eBay returns the orders of the last 90 days
_CRITERION = re.compile(r"(\w+):(\[[^\]]*\]|\{[^}]*\})")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z")
_FILTERS = frozenset({"creationdate", "lastmodifieddate", "orderfulfillmentstatus"})
_STATUS_SETS = (
    frozenset({"NOT_STARTED", "IN_PROGRESS"}),
    frozenset({"FULFILLED", "IN_PROGRESS"}),
)
_TWO_YEARS = timedelta(days=731)


class EbayError(Exception):
    """A request eBay refuses with a 400: its errorId and message."""

    def __init__(self, error_id: int, message: str) -> None:
        super().__init__(message)
        self.error_id = error_id


class OrderFilter(NamedTuple):
    """A parsed getOrders filter: which date, its inclusive range, and fulfilment statuses."""

    field: str
    start: datetime
    end: datetime
    statuses: frozenset[str] | None


def default_filter(now: datetime) -> OrderFilter:
    """What getOrders returns without a date filter: orders created in the last 90 days."""
    return OrderFilter("creationdate", now - timedelta(days=DEFAULT_DAYS), now, None)


def _time(text: str, now: datetime) -> datetime:
    if not _TIME.fullmatch(text):
        raise EbayError(30810, "Invalid date format")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment > now + timedelta(minutes=1):  # a little slack for clocks
        raise EbayError(30850, "Start and end dates can't be in the future")
    return moment


def _statuses(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    wanted = frozenset(raw.strip("{}").split("|"))
    if wanted not in _STATUS_SETS:
        raise EbayError(30800, f"Invalid filter value {raw} for filter orderfulfillmentstatus")
    return wanted


def _range(name: str, raw: str, now: datetime) -> tuple[datetime, datetime]:
    start_text, dots, end_text = raw.strip("[]").partition("..")
    if not dots or not raw.startswith("["):
        raise EbayError(30800, f"Invalid filter value {raw} for filter {name}")
    if not start_text:
        raise EbayError(30820, "Start date is missing")
    start = _time(start_text, now)
    end = _time(end_text, now) if end_text else now
    if start > end:
        raise EbayError(30840, "Start date should be before end date")
    if end - start > _TWO_YEARS:
        raise EbayError(
            30830, "Time range between start date and end date must be within '2' years."
        )
    return start, end


def parse_filter(raw: str, now: datetime) -> OrderFilter:
    """A getOrders `filter` (see the module docstring); `now` is the wall clock.

    Raises:
        EbayError: for the filters and values eBay refuses.
    """
    criteria = dict(_CRITERION.findall(raw))
    unknown = sorted(set(criteria) - _FILTERS) if criteria else [raw.partition(":")[0]]
    if unknown:
        raise EbayError(30700, f"Invalid filter name: {unknown[0]}")
    statuses = _statuses(criteria.get("orderfulfillmentstatus"))
    name = next((n for n in ("creationdate", "lastmodifieddate") if n in criteria), None)
    if name is None:
        return default_filter(now)._replace(statuses=statuses)
    return OrderFilter(name, *_range(name, criteria[name], now), statuses)


def page_params(params: Mapping[str, str]) -> tuple[int, int]:
    """`limit` (1–200, default 50) and `offset` (from 0).

    Raises:
        EbayError: 31100 for a bad limit, 31000 for a bad offset.
    """
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise EbayError(31100, f"Invalid limit: {params.get('limit')}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise EbayError(31100, f"Invalid limit: {limit}")
    try:
        offset = int(params.get("offset", 0))
    except ValueError:
        raise EbayError(31000, f"Invalid offset: {params.get('offset')}") from None
    if offset < 0:
        raise EbayError(31000, f"Invalid offset: {offset}")
    return limit, offset


class SortedView:
    """Orders sorted once by one of their times, for inclusive range look-ups by bisection."""

    def __init__(
        self, items: Sequence[SandboxOrder], key: Callable[[SandboxOrder], datetime]
    ) -> None:
        self.items = sorted(items, key=lambda s: (key(s), s.index))
        self.keys = [key(s) for s in self.items]

    def between(self, start: datetime, end: datetime) -> Sequence[SandboxOrder]:
        """The orders whose time is in [start, end]."""
        low = bisect.bisect_left(self.keys, start)
        return self.items[low : bisect.bisect_right(self.keys, end)]
