"""4PX mapper: fixtures, normalisation, rejects and the status map."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cbe_app.hub.canonical import MappedShipment, RecordKind, ShipmentStatus
from cbe_app.hub.normalise import normalise_shipment
from cbe_app.hub.providers.fourpx.mapper import PROVIDER, map_payload, platform_time
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps, status_key

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers" / "4px"

# ds.xms.order.get consignment_status values (the reference lists them; "ALL" is only a
# query filter).
CONSIGNMENT_STATUSES = ("P", "V", "H", "C", "F", "R", "X")

# 4PX track codes (businessLinkCode / tkCode) of 4PX's public tracking list, as collected in
# hrichiksite/trackpackapi carriers/fourpx.js @ 46c6b32b, plus six codes seen in live data.
TRACK_CODES = (
    "FPX_L_RPIF", "FPX_L_ATP", "FPX_L_PKED", "FPX_L_SC", "FPX_C_SPQS", "FPX_C_SPLS", "FPX_C_AAF",
    "FPX_C_RDFF", "FPX_C_ADFF", "FPX_C_DT", "FPX_C_DTTM", "FPX_C_DTCQ", "FPX_C_HF", "FPX_C_HFNP",
    "FPX_C_BTC", "FPX_C_PP", "FPX_C_ZDCH", "FPX_F_AF", "FPX_F_DF", "FPX_F_AMSC", "FPX_F_ZGWC",
    "FPX_F_ST", "FPX_Q_ECI", "FPX_Q_UEPC", "FPX_Q_ECC", "FPX_Q_AAEC", "FPX_Q_DFEC", "FPX_M_AAA",
    "FPX_M_DFA", "FPX_M_AAHK", "FPX_M_HA", "FPX_M_DAHK", "FPX_M_TDMF", "FPX_M_TDNF", "FPX_M_TDPH",
    "FPX_M_HCSC", "FPX_M_TDDB", "FPX_M_TD", "FPX_M_TDFM", "FPX_M_TDFC", "FPX_M_TDOL", "FPX_M_TDHM",
    "FPX_M_TDBW", "FPX_M_TDSC", "FPX_M_DC", "FPX_M_PT", "FPX_M_STUA", "FPX_M_STTC", "FPX_M_TDOP",
    "FPX_M_TDAC", "FPX_M_TDWF", "FPX_M_TDFD", "FPX_M_TDSA", "FPX_M_PRTS", "FPX_M_SE", "FPX_M_LDTP",
    "FPX_M_PCSM", "FPX_M_DFOA", "FPX_M_ADCA", "FPX_M_PPRL", "FPX_M_ATD", "FPX_M_ATA", "FPX_M_DFIC",
    "FPX_M_DFSP", "FPX_M_AADP", "FPX_M_IT", "FPX_M_CRSD", "FPX_I_CPC", "FPX_I_RCUK", "FPX_I_CR",
    "FPX_I_CP", "FPX_I_HC", "FPX_I_HCIT", "FPX_I_HCTI", "FPX_I_HCPW", "FPX_I_HCPA", "FPX_I_HCWI",
    "FPX_I_HCPI", "FPX_I_HCFE", "FPX_I_HCCB", "FPX_I_HCDN", "FPX_I_HCLE", "FPX_I_HCVC",
    "FPX_I_HCVV", "FPX_I_HCPR", "FPX_I_HCCI", "FPX_I_ICI", "FPX_I_HCRC", "FPX_I_HCCD", "FPX_I_HCAD",
    "FPX_I_HCUG", "FPX_I_HCAI", "FPX_I_HCCR", "FPX_I_HCAP", "FPX_I_HCWC", "FPX_I_HCRR",
    "FPX_I_HCNR", "FPX_I_HCPC", "FPX_I_HCCC", "FPX_I_HCCF", "FPX_I_CCHB", "FPX_I_CDSH",
    "FPX_I_DELAY", "FPX_I_DG", "FPX_D_DIP", "FPX_D_AAD", "FPX_D_DFD", "FPX_D_STPP", "FPX_D_HQ",
    "FPX_D_SHRP", "FPX_D_CCNS", "FPX_D_SD", "FPX_D_DD", "FPX_D_DDIA", "FPX_D_DDBT", "FPX_D_DDRH",
    "FPX_D_DDOH", "FPX_D_DDRR", "FPX_D_DDMD", "FPX_D_DDMS", "FPX_D_DDRS", "FPX_D_DDSR", "FPX_D_SH",
    "FPX_D_SHNP", "FPX_D_SHRC", "FPX_D_SHRD", "FPX_D_SHND", "FPX_D_SHWC", "FPX_D_SR", "FPX_D_RR",
    "FPX_D_PD", "FPX_D_AP", "FPX_D_DDCM", "FPX_D_DDCN", "FPX_D_DDSC", "FPX_D_DSRT", "FPX_D_ODBP",
    "FPX_D_DDAR", "FPX_D_DDTP", "FPX_D_DDBW", "FPX_D_DDNF", "FPX_D_DDNI", "FPX_D_DDCA",
    "FPX_D_DDRC", "FPX_D_SHWD", "FPX_D_SHCC", "FPX_D_SHPD", "FPX_D_SHAP", "FPX_D_CCPH",
    "FPX_D_DDCC", "FPX_D_APBR", "FPX_D_DDDC", "FPX_D_SHOA", "FPX_D_DDSS", "FPX_D_APC", "FPX_D_AOPC",
    "FPX_D_FD", "FPX_D_TPTDL", "FPX_D_SASPS", "FPX_D_HODP", "FPX_D_VN", "FPX_D_ADC", "FPX_D_OFD",
    "FPX_D_TDA", "FPX_D_FDPL", "FPX_D_FDIA", "FPX_D_FDLO", "FPX_D_FDVO", "FPX_D_LPRS", "FPX_D_FDNC",
    "FPX_D_DFCR", "FPX_D_FDSD", "FPX_D_RA", "FPX_D_SPRA", "FPX_D_POD", "FPX_D_FDNR", "FPX_D_ADWP",
    "FPX_D_FDWP", "FPX_S_SFBR", "FPX_S_CC", "FPX_S_OK", "FPX_S_OKGP", "FPX_S_OKVP", "FPX_S_OKPO",
    "FPX_S_OKCC", "FPX_S_OKSC", "FPX_S_OKRC", "FPX_S_OKIDC", "FPX_Y_DS", "FPX_Y_CCMC", "FPX_Y_CCSC",
    "FPX_Y_COBH", "FPX_Y_ADPR", "FPX_O_SIS", "FPX_O_RT", "FPX_O_SD", "FPX_O_PRUC", "FPX_O_PRRR",
    "FPX_O_PRIA", "FPX_O_PRRF", "FPX_O_SCBS", "FPX_O_IR", "FPX_O_IRI", "FPX_O_RTOC", "FPX_O_RTHM",
    "FPX_O_RR", "FPX_O_RFLM", "FPX_O_SPHS", "FPX_O_SHFC", "FPX_O_CRLB",
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
        assert normalise_shipment(record, maps).provider == "4px"


def test_the_reference_order_examples(maps: StatusMaps) -> None:
    [created] = shipments(load("order_create_success.json"))
    label = normalise_shipment(created, maps)
    assert (label.tracking_number, label.status, label.provider_status) == (
        "800900010807",
        ShipmentStatus.LABEL_CREATED,
        "P",
    )
    assert (label.order_ref, label.service, label.events) == ("753256426600898560", "DHL", ())
    [queried] = shipments(load("order_get.json"))
    consignment = normalise_shipment(queried, maps)
    assert (consignment.tracking_number, consignment.status) == (
        "305646756838",
        ShipmentStatus.IN_TRANSIT,  # C: outbound
    )
    assert consignment.order_ref == "AQ710216678CN"
    assert consignment.source_updated_at == datetime(2021, 1, 29, 1, 57, 42, tzinfo=UTC)


def test_a_delivered_parcel(maps: StatusMaps) -> None:
    [record] = shipments(load("tracking_delivered.json"))
    shipment = normalise_shipment(record, maps)
    assert (shipment.tracking_number, shipment.status, shipment.provider_status) == (
        "4PX3001467822519CN",
        ShipmentStatus.DELIVERED,
        "FPX_S_OK",
    )
    assert [e.status.value for e in shipment.events] == [
        "label_created", "picked_up", "in_transit", "in_transit", "in_transit", "in_transit",
        "in_transit", "in_transit", "in_transit", "out_for_delivery", "delivered",
    ]  # fmt: skip
    first, last = shipment.events[0], shipment.events[-1]
    assert first.at == datetime(2024, 9, 5, 6, 30, 19, tzinfo=UTC)  # 14:30:19 platform time
    assert (last.description, last.location) == ("Shipment delivered.", "LOS ANGELES, CA, US")
    assert shipment.source_updated_at == datetime(2024, 9, 11, 18, 41, tzinfo=UTC)


def test_a_parcel_held_in_customs_and_the_public_tracking(maps: StatusMaps) -> None:
    [held] = (normalise_shipment(r, maps) for r in shipments(load("tracking_held_in_customs.json")))
    assert (held.status, held.provider_status) == (ShipmentStatus.CUSTOMS, "FPX_I_HCPW")
    assert held.events[-1].description == "Held in customs, Need paperwork."
    [public] = (normalise_shipment(r, maps) for r in shipments(load("public_track.json")))
    assert (public.tracking_number, public.status) == (
        "4PX3001388123456CN",
        ShipmentStatus.OUT_FOR_DELIVERY,
    )
    assert public.events[0].at == datetime(2024, 8, 14, 6, 30, 19, tzinfo=UTC)  # tkDate, UTC


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "errors").glob("*.json")))
def test_every_refusal_is_a_readable_reject(name: str) -> None:
    payload = load(f"errors/{name}")
    result = map_payload(payload)
    assert not result.records
    [reject] = result.rejects
    assert (reject.provider, reject.kind, reject.raw) == (PROVIDER, RecordKind.SHIPMENT, payload)
    assert reject.external_id == payload["errors"][0]["reference_code"]
    assert payload["errors"][0]["error_msg"] in reject.reason


def test_a_failed_order_creation_names_the_order() -> None:
    [reject] = map_payload(load("errors/order_create_failed.json")).rejects
    assert reject.reason == (
        "4PX refused 736017796559863808 (DS000007): Ref_no: 736017796559863808 in processing"
    )


def test_one_malformed_consignment_is_rejected_and_the_others_map() -> None:
    payload = copy.deepcopy(load("order_get.json"))
    good = payload["data"][0]
    bad = copy.deepcopy(good)
    bad["consignment_info"]["4px_tracking_no"] = "305646756839"
    bad["consignment_info"]["4px_inbound_date"] = "soon"
    payload["data"].append(bad)
    result = map_payload(payload)
    assert [r.tracking_number for r in result.records if isinstance(r, MappedShipment)] == [
        "305646756838"
    ]
    [reject] = result.rejects
    assert reject.external_id == "305646756839"
    assert reject.reason == "consignment_info.4px_inbound_date is not a date and time: 'soon'"
    assert reject.raw is bad


def test_a_tracking_event_without_a_code_rejects_its_parcel() -> None:
    payload = copy.deepcopy(load("tracking_held_in_customs.json"))
    del payload["data"]["trackingList"][1]["businessLinkCode"]
    [reject] = map_payload(payload).rejects
    assert (reject.external_id, reject.reason) == (
        "4PX3001502239871CN",
        "businessLinkCode is missing",
    )


def test_platform_time() -> None:
    assert platform_time("2021-04-07 10:00:00", "t") == datetime(2021, 4, 7, 2, tzinfo=UTC)
    assert platform_time(1532592413187, "t") == datetime(2018, 7, 26, 8, 6, 53, 187000, UTC)
    assert platform_time("2024-09-05T05:09:00.000+0000", "t") == datetime(
        2024, 9, 5, 5, 9, tzinfo=UTC
    )
    with pytest.raises(MappingError, match="t is missing"):
        platform_time(" ", "t")


@pytest.mark.parametrize(
    "payload",
    [
        [1],
        [{"data": {}}],
        {"data": {}},
        {"result": "1", "data": [{"logistics_product_code": "A2"}]},
    ],
)
def test_unknown_shapes_raise(payload: Any) -> None:
    with pytest.raises(MappingError):
        map_payload(payload)


def test_a_batch_of_answers_maps_each_answer() -> None:
    delivered, unknown = load("tracking_delivered.json"), load("errors/order_cancel_failed.json")
    result = map_payload([delivered, unknown])
    assert [r.tracking_number for r in result.records if isinstance(r, MappedShipment)] == [
        "4PX3001467822519CN"
    ]
    [reject] = result.rejects
    assert (reject.external_id, reject.raw) == ("DJSH00717122700004", unknown)
    assert (map_payload([]).records, map_payload([]).rejects) == ([], [])


def test_a_success_without_data_maps_to_nothing() -> None:
    result = map_payload({"result": "1", "msg": "System processing succeeded", "errors": None})
    assert (result.records, result.rejects) == ([], [])


def test_the_status_map_covers_every_documented_code(maps: StatusMaps) -> None:
    table = maps.by_provider[PROVIDER].shipment
    codes = CONSIGNMENT_STATUSES + TRACK_CODES
    assert [c for c in codes if status_key(c) not in table] == []
    assert {maps.shipment(PROVIDER, c) for c in codes} == set(ShipmentStatus)
