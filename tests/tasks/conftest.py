"""Fixtures of the job reliability tests: real workers, stopped whatever the test did."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Backend
from tests.tasks.workers import Worker


@pytest.fixture
def workers(backend: Backend) -> Iterator[list[Worker]]:
    """Workers a test starts (append them); each is stopped at the end, or killed if stuck."""
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()
