"""DHL Express (MyDHL API) connector against its sandbox over real HTTP, on real databases."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from starlette.responses import Response

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.canonical import MappedShipment
from cbe_app.hub.providers.base import AccountConfig, ShipmentRequest
from cbe_app.hub.providers.dhl import client as dhl
from cbe_app.hub.providers.dhl.mapper import map_payload
from cbe_app.hub.providers.dhl.render import CHECKPOINTS, area_description
from cbe_app.hub.providers.dhl.shipments import label, message_reference
from cbe_app.hub.runs import QuarantineItem, SyncRun
from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS, SandboxControl, json_response
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

CARRIER = "dhl"
SHIPPER = {
    "company": "CBE Demo GmbH",
    "name": "Lena Vogel",
    "phone": "+4934112345678",
    "email": "shipping@cbe-demo.example",
    "lines": ["Am Exer 10"],
    "city": "Leipzig",
    "postcode": "04158",
    "country": "DE",
}
PARCEL = ShipmentRequest(
    reference="PCL-2024-000123",
    service="Express Worldwide",
    ship_to_name="Jane Roe",
    ship_to_country="US",
    ship_to_city="New York",
    ship_to_postcode="10001",
    ship_to_lines=("350 Fifth Avenue", "Suite 2100"),
    ship_to_phone="+12125550100",
    ship_to_email="jane.roe@example.com",
    weight_g=1200,
    declared_value="89.90",
    currency="EUR",
    contents="Merino wool jumpers",
)


@dataclass
class LoseFirstAnswer(SandboxControl):
    """A sandbox whose first shipment answer never arrives (a timeout after DHL created it)."""

    lost: int = 0

    def refuse(self, key: str) -> Response | None:
        if key.endswith(":answer") and not self.lost:
            self.lost += 1
            return json_response({"error": "gateway timeout"}, 504, {"Retry-After": "0"})
        return super().refuse(key)


def account(running: RunningSandbox, **settings: object) -> AccountConfig:
    """A DHL account at the sandbox, outside the hub (for the connector alone)."""
    return AccountConfig(
        1,
        CARRIER,
        f"{running.url}/{CARRIER}",
        DEMO_CREDENTIALS[CARRIER],
        {"requests_per_second": 0, "shipper": SHIPPER, **settings},
    )


def test_every_step_has_a_checkpoint_whose_code_maps_back_to_it() -> None:
    maps = pack_status_maps()
    assert {s: maps.shipment(CARRIER, code).value for s, (code, _) in CHECKPOINTS.items()} == {
        s: s for s in CHECKPOINTS
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
    assert assert_parcels_match(sandbox_data, CARRIER, code, area_description) == len(numbers)
    second = sync(code)  # only parcels still under way are asked about again
    assert second["created"] == second["updated"] == second["quarantined"] == 0
    assert second["unchanged"] == sum(
        max(p.steps, key=lambda s: s.at).status not in ("delivered", "returned")
        for p in sandbox_data.parcel_list(CARRIER)
    )
    print(f"dhl: {len(numbers)} parcels in {elapsed:.2f} s ({len(numbers) / elapsed:.0f}/s)")


def test_small_batches_walk_through_every_number(
    backend: Backend,
    sandbox: RunningSandbox,
    sandbox_data: SandboxData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dhl.CONNECTOR, "batch_size", 7)
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


def test_a_wrong_password_fails_the_sync_with_a_clear_reason(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    seed_parcels(sandbox_data, CARRIER, limit=3)
    wrong = {**DEMO_CREDENTIALS[CARRIER], "password": "not-the-password"}
    code = connect(sandbox, CARRIER, credentials=wrong)
    with pytest.raises(JobFailed, match=r"dhl refused the credentials \(401\).*Unauthorized"):
        sync(code)


def test_numbers_dhl_does_not_know_are_quarantined(
    backend: Backend, sandbox: RunningSandbox, sandbox_data: SandboxData
) -> None:
    numbers = seed_parcels(sandbox_data, CARRIER, limit=20)
    report_number("1999999990", CARRIER)
    code = connect(sandbox, CARRIER)
    assert sync(code) == {"created": len(numbers), "updated": 0, "unchanged": 0, "quarantined": 1}
    with session_scope() as session:
        [held] = session.scalars(select(QuarantineItem)).all()
        assert (held.kind, held.external_id, held.status) == ("shipment", "1999999990", "open")
        assert held.reason == "DHL answered 404 Not data found: No data found"
        assert held.raw["instance"].startswith("/expressapi/shipments/1999999990/tracking?")


def test_a_batch_dhl_knows_nothing_of_becomes_one_reject_per_number(
    sandbox: RunningSandbox,
) -> None:
    config = account(sandbox)
    client = dhl.CONNECTOR.open(config)
    page = dhl.CONNECTOR.fetch(client, config, {"numbers": ["1999999990", "1999999991"]}, utcnow())
    client.close()
    result = map_payload(page.payload)
    assert not result.records
    assert [r.external_id for r in result.rejects] == ["1999999990", "1999999991"]
    assert (page.done, page.state) == (False, {})


def test_a_429_waits_as_long_as_retry_after_asks(sandbox_data: SandboxData) -> None:
    running = start_in_thread(sandbox_data, SandboxControl(requests_per_second=1.0, burst=1))
    recording = Recording()
    config = account(running)
    numbers = [p.shipment.tracking_number for p in sandbox_data.parcel_list(CARRIER)[:25]]
    try:
        client = dhl.CONNECTOR.open(config, transport=recording)
        started = time.perf_counter()
        for _ in range(2):
            page = dhl.CONNECTOR.fetch(client, config, {"numbers": numbers}, utcnow())
            assert len(map_payload(page.payload).records) == 25
        elapsed = time.perf_counter() - started
        client.close()
    finally:
        running.stop()
    assert [status for _, status, _ in recording.seen] == [200, 429, 200]
    assert elapsed >= 1.0  # Retry-After: 1


def test_the_same_parcel_asked_twice_is_one_shipment_even_after_a_lost_answer(
    sandbox_data: SandboxData,
) -> None:
    running = start_in_thread(sandbox_data, LoseFirstAnswer())
    recording = Recording()
    config = account(running)
    try:
        client = dhl.CONNECTOR.open(config, transport=recording)
        first = dhl.CONNECTOR.create_shipment(client, config, PARCEL)  # retried after a 504
        again = dhl.CONNECTOR.create_shipment(client, config, PARCEL)  # the hub asks again
        by_reference = client.json(
            "GET",
            "/tracking",
            params={"shipmentReference": PARCEL.reference, "shipperAccountNumber": "123456789"},
        )
        [shipment], [repeat] = first.records, again.records
        assert isinstance(shipment, MappedShipment) and isinstance(repeat, MappedShipment)
        numbers = [shipment.tracking_number]
        page = dhl.CONNECTOR.fetch(client, config, {"numbers": numbers}, utcnow())
        client.close()
    finally:
        running.stop()
    assert (shipment.tracking_number, shipment.provider_status) == (
        repeat.tracking_number,
        "created",
    )
    assert [s["shipmentTrackingNumber"] for s in by_reference["shipments"]] == [
        shipment.tracking_number
    ]
    pdf = label(first.raws[0])
    assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(b"%%EOF\n")
    assert first.raws[0]["trackingUrl"].endswith(f"/shipments/{shipment.tracking_number}/tracking")
    posts = [status for path, status, _ in recording.seen if path.endswith("/shipments")]
    assert posts == [504, 201, 201]
    keys = {r.headers["message-reference"] for r in recording.requests if r.method == "POST"}
    assert keys == {message_reference(PARCEL.reference)}
    [label_created] = map_payload(page.payload).records
    assert isinstance(label_created, MappedShipment)
    assert (label_created.provider_status, label_created.order_ref) == ("SD", PARCEL.reference)
    assert 28 <= len(message_reference(PARCEL.reference)) <= 36


def test_an_invalid_shipment_is_refused_with_dhls_validation_details(
    sandbox: RunningSandbox,
) -> None:
    config = account(sandbox)
    client = dhl.CONNECTOR.open(config)
    try:
        with pytest.raises(
            dhl.ProviderError,
            match=r"answered 422: .*Multiple problems found.*required key \[pickup\]",
        ):
            client.json("POST", "/shipments", json={"productCode": "P"})
        no_shipper = account(sandbox, shipper=None)
        with pytest.raises(dhl.ProviderError, match="need a shipper address"):
            dhl.CONNECTOR.create_shipment(client, no_shipper, PARCEL)
    finally:
        client.close()
