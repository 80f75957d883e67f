"""DHL Express (MyDHL API) mapper: fixtures, normalisation, rejects and the status map."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cbe_app.hub.canonical import MappedShipment, RecordKind, ShipmentStatus
from cbe_app.hub.normalise import normalise_shipment
from cbe_app.hub.providers.dhl.mapper import CREATED, PROVIDER, map_payload
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps, status_key

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers" / "dhl"

# DHL Express checkpoint codes (events[].typeCode) from DHL's public checkpoint code list,
# and the mapper's own key for a POST /shipments response.
DHL_STATUS_CODES = (
    "AD", "AF", "AR", "BA", "BL", "BN", "BR", "CA", "CC", "CD", "CI", "CM", "CR", "CS", "CU",
    "DD", "DF", "DI", "DM", "DP", "DS", "DU", "EM", "ES", "FD", "HI", "HN", "HO", "HP", "IA",
    "IC", "IR", "LV", "MC", "MD", "MS", "NA", "ND", "NH", "OH", "OK", "PD", "PL", "PU", "PY",
    "RD", "RR", "RT", "RW", "SA", "SC", "SD", "SI", "SM", "SS", "ST", "TD", "TI", "TP", "TR",
    "TT", "UD", "UV", "WC", CREATED,
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
        assert normalise_shipment(record, maps).provider == "dhl"


def test_the_spec_examples(maps: StatusMaps) -> None:
    [tracked] = shipments(load("tracking_spec_example.json"))
    shipment = normalise_shipment(tracked, maps)
    assert (shipment.tracking_number, shipment.status) == ("1234567890", ShipmentStatus.PICKED_UP)
    [event] = shipment.events
    assert event.at == datetime(2020, 6, 10, 13, 6, tzinfo=UTC)  # no GMTOffset in 2.7: UTC
    assert (event.description, event.location) == (
        "Shipment picked up (signed by Mr.Grey)",
        "Brisbane-AU",
    )
    assert (shipment.order_ref, shipment.service) == ("Customer reference", "N")
    assert shipment.promised_at == datetime(2020, 6, 12, tzinfo=UTC)
    [created] = shipments(load("create_shipment_spec_example.json"))
    label = normalise_shipment(created, maps)
    assert (label.tracking_number, label.status, label.provider_status) == (
        "123456790",
        ShipmentStatus.LABEL_CREATED,
        "created",
    )
    assert (label.service, label.events) == ("EXPRESS WORLDWIDE", ())
    assert label.promised_at == datetime(2021, 9, 27, tzinfo=UTC)


def test_a_delivered_parcel_from_china(maps: StatusMaps) -> None:
    [record] = shipments(load("tracking_delivered_cn_de.json"))
    shipment = normalise_shipment(record, maps)
    assert (shipment.tracking_number, shipment.status, shipment.provider_status) == (
        "4417365882",
        ShipmentStatus.DELIVERED,
        "OK",
    )
    assert shipment.order_ref == "SO-20240304-118"
    assert shipment.delivered_at == datetime(2024, 3, 7, 10, 32, tzinfo=UTC)
    assert [e.provider_status for e in shipment.events] == [
        "PU", "PL", "DF", "AF", "DF", "AF", "CR", "DF", "AR", "WC", "OK",
    ]  # fmt: skip
    assert shipment.events[0].at == datetime(2024, 3, 4, 9, 42, tzinfo=UTC)
    assert shipment.events[6].status == ShipmentStatus.IN_TRANSIT  # clearance release
    assert shipment.events[9].status == ShipmentStatus.OUT_FOR_DELIVERY
    assert shipment.events[-1].description == "Delivered (signed by K. Weber)"
    assert shipment.events[-1].location == "Hamburg-DE"


def test_a_multi_shipment_page(maps: StatusMaps) -> None:
    held, pieces, back = (
        normalise_shipment(r, maps) for r in shipments(load("tracking_multi.json"))
    )
    assert (held.status, held.provider_status, held.order_ref) == (
        ShipmentStatus.CUSTOMS,
        "CD",
        "ORD-55871",  # the CU reference, not the first one
    )
    # levelOfDetail=piece: the shipment has no events of its own; its two pieces share two
    assert (pieces.status, len(pieces.events)) == (ShipmentStatus.OUT_FOR_DELIVERY, 4)
    assert pieces.events[-1].at == datetime(2024, 5, 21, 22, 30, tzinfo=UTC)
    assert (back.status, back.events[1].status) == (
        ShipmentStatus.RETURNED,
        ShipmentStatus.EXCEPTION,
    )


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "errors").glob("*.json")))
def test_every_problem_body_is_a_readable_reject(name: str) -> None:
    payload = load(f"errors/{name}")
    result = map_payload(payload)
    assert not result.records
    [reject] = result.rejects
    assert (reject.provider, reject.kind, reject.raw) == (PROVIDER, RecordKind.SHIPMENT, payload)
    assert reject.reason.startswith("DHL answered ")
    assert payload["detail"] in reject.reason


def test_a_problem_names_the_number_it_was_asked_about() -> None:
    [reject] = map_payload(load("errors/tracking_single_404.json")).rejects
    assert reject.external_id == "1251820953"
    assert reject.reason == "DHL answered 404 Not data found: No data found"
    [by_reference] = map_payload(load("errors/tracking_multi_404.json")).rejects
    assert by_reference.external_id == "ShipReferenceRCS03"


def test_one_malformed_shipment_is_rejected_and_the_others_map() -> None:
    payload = copy.deepcopy(load("tracking_multi.json"))
    bad = payload["shipments"][0]
    bad["events"][2]["date"] = "14/05/2024"
    result = map_payload(payload)
    assert [r.tracking_number for r in result.records if isinstance(r, MappedShipment)] == [
        "8839201746",
        "9012345678",
    ]
    [reject] = result.rejects
    assert reject.external_id == "5786694471"
    assert reject.reason == (
        "the DF checkpoint's date and time is not a date and time: '14/05/2024T03:10:00'"
    )
    assert reject.raw is bad


def test_a_shipment_without_checkpoints_is_rejected() -> None:
    payload = copy.deepcopy(load("tracking_spec_example.json"))
    payload["shipments"][0]["events"] = []
    [reject] = map_payload(payload).rejects
    assert "no checkpoints for 1234567890" in reject.reason


def test_a_single_tracking_entry_maps() -> None:
    entry = load("tracking_delivered_cn_de.json")["shipments"][0]
    [record] = shipments(entry)
    assert record.provider_status == "OK"


def test_a_page_of_several_bodies_maps_them_all() -> None:
    # The connector's page when DHL's multi-shipment answer left a number out: that answer,
    # then the single look-up's 404 problem.
    found, missing = load("tracking_delivered_cn_de.json"), load("errors/tracking_single_404.json")
    result = map_payload([found, missing])
    assert [r.tracking_number for r in result.records if isinstance(r, MappedShipment)] == [
        "4417365882"
    ]
    assert [r.external_id for r in result.rejects] == ["1251820953"]
    assert result.raw_of(0) is found["shipments"][0]


@pytest.mark.parametrize("payload", [[], [[]], None, {"shipments": {}}, {"foo": "bar"}])
def test_unknown_shapes_raise(payload: Any) -> None:
    with pytest.raises(MappingError):
        map_payload(payload)


def test_the_status_map_covers_every_documented_code(maps: StatusMaps) -> None:
    table = maps.by_provider[PROVIDER].shipment
    assert [c for c in DHL_STATUS_CODES if status_key(c) not in table] == []
    assert {maps.shipment(PROVIDER, c) for c in DHL_STATUS_CODES} == set(ShipmentStatus)
