"""A provider sandbox served over real HTTP for the whole test run (a small demo business)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cbe_app.dbtypes import utcnow
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread

SANDBOX_ORDERS = 3_000


@pytest.fixture(scope="session")
def sandbox_data() -> SandboxData:
    """The demo business the sandboxes serve (3,000 orders ending today)."""
    return SandboxData.demo(orders=SANDBOX_ORDERS, seed=11, now=utcnow())


@pytest.fixture(scope="session")
def sandbox(sandbox_data: SandboxData) -> Iterator[RunningSandbox]:
    """Every provider's sandbox on one local port."""
    running = start_in_thread(sandbox_data)
    yield running
    running.stop()
