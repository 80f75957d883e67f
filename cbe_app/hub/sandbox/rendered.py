"""Rendered records kept as JSON bytes, so a sandbox serves big pages at the speed of a real API.

A sandbox's demo records never change while it runs, so each is rendered and encoded once;
a page is the cached pieces joined. Without this the sandbox, not the connector, would be
what a benchmark of a sync measures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import orjson

T = TypeVar("T")


class RenderedRecords(Generic[T]):
    """Each record's JSON, rendered on first use."""

    def __init__(self, render: Callable[[T], Any], key: Callable[[T], Any]) -> None:
        self._render, self._key = render, key
        self._bytes: dict[Any, bytes] = {}

    def one(self, item: T) -> bytes:
        """The record as JSON bytes."""
        key = self._key(item)
        encoded = self._bytes.get(key)
        if encoded is None:
            encoded = self._bytes[key] = orjson.dumps(self._render(item))
        return encoded

    def array(self, items: Iterable[T]) -> bytes:
        """The records as a JSON array."""
        return b"[" + b",".join(self.one(i) for i in items) + b"]"
