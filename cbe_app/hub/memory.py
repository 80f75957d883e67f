"""Garbage collection on the sync's hot path.

A page of parsed JSON is hundreds of thousands of small containers, which the cyclic collector
counts as allocations: with its defaults it runs a full pass over every live object of the
process many times per page, a third of the cost of mapping and normalising. Those objects
hold no cycles (reference counting frees them), so while a sync works the collector runs
rarely; its settings come back afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

SYNC_THRESHOLDS = (100_000, 50, 100)


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Collect rarely inside the block; the process's own thresholds come back after it."""
    before = gc.get_threshold()
    gc.set_threshold(*SYNC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def settle_for_sync() -> None:
    """For a process that only syncs (the read-ahead helper): what exists now is kept for good."""
    gc.freeze()
    gc.set_threshold(*SYNC_THRESHOLDS)
