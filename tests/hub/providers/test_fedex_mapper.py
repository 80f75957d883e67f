"""FedEx Track API mapper: fixtures, normalisation, rejects and the status map."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cbe_app.hub.canonical import MappedShipment, RecordKind, ShipmentStatus
from cbe_app.hub.normalise import normalise_shipment
from cbe_app.hub.providers.fedex.mapper import PROVIDER, map_payload
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps, status_key

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers" / "fedex"

# Every status code FedEx documents for scanEvents[].eventType, derivedStatusCode and
# latestStatusDetail.code/derivedCode (Track API and its Web Services predecessor), including
# the possession codes (SH, CU, BR, TP) and the derived "IN" (initiated / label created).
FEDEX_STATUS_CODES = (
    "AA", "AC", "AD", "AE", "AF", "AO", "AP", "AR", "AS", "AX", "BR", "CA", "CC", "CD", "CH",
    "CP", "CU", "DD", "DE", "DL", "DO", "DP", "DR", "DS", "DY", "EA", "ED", "EO", "EP", "FD",
    "HA", "HL", "HP", "IN", "IP", "IT", "IX", "LO", "LP", "OC", "OD", "OF", "OX", "PD", "PF",
    "PL", "PM", "PU", "PX", "RC", "RD", "RG", "RM", "RP", "RR", "RS", "SE", "SF", "SH", "SP",
    "TP", "TR",
)  # fmt: skip


@pytest.fixture(scope="module")
def maps() -> StatusMaps:
    return pack_status_maps()


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def shipments(payload: Any) -> list[MappedShipment]:
    result = map_payload(payload)
    assert not result.rejects, result.rejects
    assert all(isinstance(r, MappedShipment) for r in result.records)
    return [r for r in result.records if isinstance(r, MappedShipment)]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_every_fixture_maps_without_rejects_and_normalises(name: str, maps: StatusMaps) -> None:
    records = shipments(load(name))
    assert records
    for record in records:
        shipment = normalise_shipment(record, maps)
        assert shipment.provider == "fedex"
        assert shipment.events == tuple(sorted(shipment.events, key=lambda e: e.at))


def test_a_delivered_international_parcel(maps: StatusMaps) -> None:
    [record] = shipments(load("track_delivered_international.json"))
    shipment = normalise_shipment(record, maps)
    assert shipment.tracking_number == "794699425370"
    assert (shipment.status, shipment.provider_status) == (ShipmentStatus.DELIVERED, "DL")
    assert shipment.order_ref == "ORD-100234"  # CUSTOMER_REFERENCE wins over SHIPPER_REFERENCE
    assert shipment.service == "FedEx International Priority"
    assert shipment.delivered_at == datetime(2024, 6, 14, 18, 7, tzinfo=UTC)
    assert shipment.promised_at is None
    assert [e.status.value for e in shipment.events] == [
        "label_created", "picked_up", "in_transit", "in_transit", "in_transit", "in_transit",
        "in_transit", "in_transit", "in_transit", "out_for_delivery", "delivered",
    ]  # fmt: skip
    first, last = shipment.events[0], shipment.events[-1]
    assert first.at == datetime(2024, 6, 9, 16, 3, tzinfo=UTC)
    assert (first.provider_status, first.location) == ("OC", "")
    assert last.description == "Delivered: Left at front door. Signature Service not requested."
    assert last.location == "AUSTIN, TX, US"
    assert shipment.events[1].at == datetime(2024, 6, 10, 9, 45, tzinfo=UTC)  # +08:00 scan
    assert shipment.source_updated_at == last.at


def test_a_page_with_a_customs_hold_and_a_label(maps: StatusMaps) -> None:
    held, label = (
        normalise_shipment(r, maps) for r in shipments(load("track_page_customs_and_label.json"))
    )
    assert (held.tracking_number, held.status, held.provider_status) == (
        "771230456789",
        ShipmentStatus.CUSTOMS,
        "CD",
    )
    assert held.order_ref == "PO-7781"
    assert held.promised_at == datetime(2024, 7, 5, 16, 0, tzinfo=UTC)
    assert held.events[-1].description == "Clearance delay: Import clearance delay"
    assert held.events[-1].location == "COLOGNE, DE"
    assert (label.tracking_number, label.status) == ("771230456790", ShipmentStatus.LABEL_CREATED)
    assert label.promised_at == datetime(2024, 7, 9, 18, 0, tzinfo=UTC)
    assert label.order_ref == ""


def test_an_unknown_number_is_a_readable_reject() -> None:
    payload = load("errors/track_not_found.json")
    result = map_payload(payload)
    assert not result.records
    [reject] = result.rejects
    assert (reject.provider, reject.kind, reject.external_id) == (
        PROVIDER,
        RecordKind.SHIPMENT,
        "123456789012",
    )
    assert "does not know tracking number '123456789012'" in reject.reason
    assert "TRACKING.TRACKINGNUMBER.NOTFOUND" in reject.reason
    assert reject.raw is payload["output"]["completeTrackResults"][0]["trackResults"][0]


def test_a_refused_request_is_a_reject_with_the_body() -> None:
    payload = load("errors/request_refused.json")
    [reject] = map_payload(payload).rejects
    assert reject.reason == (
        "FedEx refused the request (TRACKING.TRACKINGNUMBER.EMPTY): Please provide tracking number."
    )
    assert reject.raw is payload


def test_one_malformed_result_is_rejected_and_the_others_map() -> None:
    payload = copy.deepcopy(load("track_page_customs_and_label.json"))
    bad = payload["output"]["completeTrackResults"][0]["trackResults"][0]
    bad["scanEvents"][1]["date"] = "yesterday morning"
    result = map_payload(payload)
    assert [r.tracking_number for r in result.records if isinstance(r, MappedShipment)] == [
        "771230456790"
    ]
    [reject] = result.rejects
    assert reject.external_id == "771230456789"
    assert reject.reason == "scanEvents[].date is not a date and time: 'yesterday morning'"
    assert reject.raw is bad


def test_a_single_track_result_and_fedex_sample_offsets_are_read() -> None:
    result = load("track_page_customs_and_label.json")["output"]["completeTrackResults"][1]
    single = copy.deepcopy(result["trackResults"][0])
    single["scanEvents"][0]["date"] = "2024-08-12T15:18:10 -0500"  # as in FedEx's own sample
    [record] = shipments(single)
    assert record.events[0].at == datetime(2024, 8, 12, 20, 18, 10, tzinfo=UTC)


def test_the_status_falls_back_to_the_newest_scan() -> None:
    single = copy.deepcopy(load("track_delivered_international.json"))
    result = single["output"]["completeTrackResults"][0]["trackResults"][0]
    del result["latestStatusDetail"]
    [record] = shipments(single)
    assert record.provider_status == "DL"


@pytest.mark.parametrize("payload", [[], "text", {"output": {"completeTrackResults": {}}}, {}])
def test_unknown_shapes_raise(payload: Any) -> None:
    with pytest.raises(MappingError):
        map_payload(payload)


def test_the_status_map_covers_every_documented_code(maps: StatusMaps) -> None:
    table = maps.by_provider[PROVIDER].shipment
    assert [c for c in FEDEX_STATUS_CODES if status_key(c) not in table] == []
    assert {maps.shipment(PROVIDER, c) for c in FEDEX_STATUS_CODES} == set(ShipmentStatus)
    assert maps.shipment(PROVIDER, "od") == ShipmentStatus.OUT_FOR_DELIVERY  # any case
