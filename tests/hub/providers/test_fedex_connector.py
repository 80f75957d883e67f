"""FedEx Track connector against its sandbox over real HTTP, on real databases."""

from __future__ import annotations

import math
import time

import pytest
from sqlalchemy import select

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.providers.base import AccountConfig
from cbe_app.hub.providers.fedex import client as fedex
from cbe_app.hub.providers.fedex.mapper import NOT_FOUND, map_payload
from cbe_app.hub.providers.fedex.render import SCANS
from cbe_app.hub.runs import QuarantineItem, SyncRun
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread
from cbe_app.hub.statusmap import pack_status_maps
from cbe_app.jobs.runner import JobFailed
from tests.conftest import Backend
from tests.hub.connectors import (
    Recording,
    assert_parcels_match,
    connect,
    report_number,
    seed_parcels,
    sync,
)

CARRIER = "fedex"


def fedex_location(location: str) -> str:
    """What FedEx makes of a demo location: the city in capitals, as FedEx prints it."""
    city, sep, rest = location.partition(",")
    return f"{city.upper()}{sep}{rest}" if sep else location


def account(running: RunningSandbox, **settings: object) -> AccountConfig:
    """A FedEx account at the sandbox, outside the hub (for the connector alone)."""
    return AccountConfig(
        1,
        CARRIER,
        f"{running.url}/{CARRIER}",
        DEMO_CREDENTIALS[CARRIER],
        {"requests_per_second": 0, **settings},
    )


def test_every_step_has_a_scan_whose_code_maps_back_to_it() -> None:
    maps = pack_status_maps()
    assert {s: maps.shipment(CARRIER, scan.event_type).value for s, scan in SCANS.items()} == {
        s: s for s in SCANS
    }


def test_a_sync_tracks_every_parcel_once_and_a_second_finds_nothing_new(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    numbers = seed_parcels(sandbox_data, CARRIER)
    code = connect(sandbox, CARRIER)
    started = time.perf_counter()
    first = sync(code)
    elapsed = time.perf_counter() - started
    assert first == {"created": len(numbers), "updated": 0, "unchanged": 0, "quarantined": 0}
    assert assert_parcels_match(sandbox_data, CARRIER, code, fedex_location) == len(numbers)
    second = sync(code)  # only parcels still under way are asked about again
    assert second["created"] == second["updated"] == second["quarantined"] == 0
    assert second["unchanged"] == sum(
        p.steps[-1].status not in ("delivered", "returned")
        for p in sandbox_data.parcel_list(CARRIER)
    )
    print(f"fedex: {len(numbers)} parcels in {elapsed:.2f} s ({len(numbers) / elapsed:.0f}/s)")


def test_small_batches_walk_through_every_number(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fedex.CONNECTOR, "batch_size", 7)
    numbers = seed_parcels(sandbox_data, CARRIER, limit=60)
    code = connect(sandbox, CARRIER)
    assert sync(code)["created"] == len(numbers)
    with session_scope() as session:
        assert session.scalars(select(SyncRun.pages)).one() == math.ceil(len(numbers) / 7)


def test_failures_and_throttling_are_retried(backend: Backend, sandbox_data: SandboxData) -> None:
    flaky = start_in_thread(sandbox_data, SandboxControl(fail_every=3))
    try:
        numbers = seed_parcels(sandbox_data, CARRIER, limit=150)
        code = connect(flaky, CARRIER)
        assert sync(code)["created"] == len(numbers)
    finally:
        flaky.stop()


def test_a_wrong_secret_fails_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    seed_parcels(sandbox_data, CARRIER, limit=3)
    wrong = {**DEMO_CREDENTIALS[CARRIER], "client_secret": "not-the-secret"}
    code = connect(sandbox, CARRIER, credentials=wrong)
    with pytest.raises(JobFailed, match=r"fedex refused the credentials \(401\).*NOT\.AUTHORIZED"):
        sync(code)


def test_numbers_fedex_does_not_know_are_quarantined(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    numbers = seed_parcels(sandbox_data, CARRIER, limit=20)
    report_number("799999999990", CARRIER)
    code = connect(sandbox, CARRIER)
    assert sync(code) == {"created": len(numbers), "updated": 0, "unchanged": 0, "quarantined": 1}
    with session_scope() as session:
        [held] = session.scalars(select(QuarantineItem)).all()
        assert (held.kind, held.external_id, held.status) == ("shipment", "799999999990", "open")
        assert NOT_FOUND in held.reason
        assert held.raw["error"]["code"] == NOT_FOUND


def test_a_token_is_renewed_before_it_runs_out_and_when_refused(
    sandbox_data: SandboxData,
) -> None:
    control = SandboxControl()
    running = start_in_thread(sandbox_data, control)
    recording = Recording()
    config = account(running)
    numbers = [p.shipment.tracking_number for p in sandbox_data.parcel_list(CARRIER)[:5]]
    try:
        client = fedex.CONNECTOR.open(config, transport=recording)
        page = fedex.CONNECTOR.fetch(client, config, {"numbers": numbers}, utcnow())
        assert len(map_payload(page.payload).records) == 5
        control.tokens.clear()  # FedEx forgets the token early: a 401, a new token, again
        fedex.CONNECTOR.fetch(client, config, {"numbers": numbers}, utcnow())
        assert isinstance(client, fedex.FedExClient)
        client.token_expires_at = time.monotonic() + 30  # within the last minute: renew first
        fedex.CONNECTOR.fetch(client, config, {"numbers": numbers}, utcnow())
        client.close()
    finally:
        running.stop()
    paths = [(path.rsplit("/", 1)[-1], status) for path, status, _ in recording.seen]
    assert paths == [
        ("token", 200),
        ("trackingnumbers", 200),
        ("trackingnumbers", 401),
        ("token", 200),
        ("trackingnumbers", 200),
        ("token", 200),
        ("trackingnumbers", 200),
    ]
    tokens = [auth for path, _, auth in recording.seen if path.endswith("trackingnumbers")]
    assert tokens[1] == tokens[0] != tokens[2] != tokens[3]


def test_a_429_waits_as_long_as_retry_after_asks(sandbox_data: SandboxData) -> None:
    running = start_in_thread(sandbox_data, SandboxControl(requests_per_second=1.0, burst=1))
    recording = Recording()
    config = account(running)
    numbers = [p.shipment.tracking_number for p in sandbox_data.parcel_list(CARRIER)[:30]]
    try:
        client = fedex.CONNECTOR.open(config, transport=recording)
        started = time.perf_counter()
        for _ in range(3):
            page = fedex.CONNECTOR.fetch(client, config, {"numbers": numbers}, utcnow())
            assert len(map_payload(page.payload).records) == 30
        elapsed = time.perf_counter() - started
        client.close()
    finally:
        running.stop()
    statuses = [status for path, status, _ in recording.seen if path.endswith("trackingnumbers")]
    assert statuses.count(429) >= 2 and statuses.count(200) == 3
    assert elapsed >= 2.0  # Retry-After: 1 after each of the two throttled requests


def test_more_than_30_numbers_are_refused_as_fedex_does(sandbox: RunningSandbox) -> None:
    config = account(sandbox)
    client = fedex.CONNECTOR.open(config)
    body = fedex.track_request([f"7000000000{n:02d}" for n in range(31)])
    with pytest.raises(fedex.ProviderError, match=r"answered 400: .*LIMITEXCEEDED"):
        client.json("POST", fedex.TRACK_PATH, json=body)
    client.close()
