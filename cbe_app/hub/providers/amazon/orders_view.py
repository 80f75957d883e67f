"""The sandbox's index of the demo's Amazon orders: per marketplace, sorted by change and by
purchase time, so that a getOrders page is a few bisections and a merge of small slices.

A page continues after the key (time, demo index) of the last order it returned, so pages
stay exact however the marketplaces interleave, and no request scans the whole channel.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from cbe_app.hub.providers.amazon.render import marketplace_of
from cbe_app.hub.sandbox.data import SandboxOrder

Key = tuple[datetime, int]
_END = 1 << 62  # an index after every order: (moment, _END) sorts after every key at moment


@dataclass(frozen=True, slots=True)
class _Sorted:
    keys: list[Key]
    items: list[SandboxOrder]


def _key(field: str, item: SandboxOrder) -> Key:
    return (item.updated_at if field == "updated" else item.order.placed_at, item.index)


class OrdersView:
    """Sorted views of one channel's orders (built on first use, then read only)."""

    def __init__(self, orders: list[SandboxOrder]) -> None:
        self._orders = orders

    @cached_property
    def _by_id(self) -> dict[str, SandboxOrder]:
        return {item.order.external_id: item for item in self._orders}

    @cached_property
    def _views(self) -> dict[tuple[str, str], _Sorted]:
        groups: dict[tuple[str, str], list[tuple[Key, SandboxOrder]]] = {}
        for item in self._orders:
            marketplace = marketplace_of(item)
            for field in ("updated", "created"):
                groups.setdefault((field, marketplace), []).append((_key(field, item), item))
        views = {}
        for group, pairs in groups.items():
            pairs.sort(key=lambda pair: pair[0])
            views[group] = _Sorted([k for k, _ in pairs], [i for _, i in pairs])
        return views

    def find(self, order_id: str) -> SandboxOrder | None:
        """The order with this AmazonOrderId."""
        return self._by_id.get(order_id)

    def page(
        self, marketplaces: list[str], cursor: dict[str, Any]
    ) -> tuple[list[SandboxOrder], list[Any] | None]:
        """The next `cursor["limit"]` orders of the window, and the key to continue after.

        Args:
            marketplaces: the marketplace ids asked for.
            cursor: `field` ("updated" or "created"), `after` and `before` (inclusive ISO
                times), `limit`, and `last` ([ISO time, index] of the previous page's last
                order, or None on the first page).

        Returns:
            The page's orders in key order, and the last one's key as JSON when more follow.
        """
        field, limit = cursor["field"], int(cursor["limit"])
        before: Key = (datetime.fromisoformat(cursor["before"]), _END)
        last = cursor.get("last")
        start: Key = (
            (datetime.fromisoformat(last[0]), int(last[1]))
            if last
            else (datetime.fromisoformat(cursor["after"]), -1)
        )
        slices = []
        more = False
        for marketplace in dict.fromkeys(marketplaces):
            view = self._views.get((field, marketplace))
            if view is None:
                continue
            lo = bisect.bisect_right(view.keys, start)
            hi = bisect.bisect_right(view.keys, before)
            stop = min(hi, lo + limit + 1)  # one extra tells whether another page follows
            slices.append(zip(view.keys[lo:stop], view.items[lo:stop], strict=True))
            more = more or hi > stop
        merged = list(itertools.islice(heapq.merge(*slices, key=lambda pair: pair[0]), limit + 1))
        more = more or len(merged) > limit
        page = merged[:limit]
        if not more or not page:
            return [item for _, item in page], None
        moment, index = page[-1][0]
        return [item for _, item in page], [moment.isoformat(), index]
