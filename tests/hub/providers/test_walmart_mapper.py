"""Walmart Marketplace orders: documented shapes map, normalise and keep their meaning."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cbe_app.hub.canonical import MappedOrder, OrderStatus, PaymentStatus, RecordKind
from cbe_app.hub.normalise import EcbRates, Order, normalise_order
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.providers.walmart.mapper import PROVIDER, event_order_id, map_payload
from cbe_app.hub.providers.walmart.status import order_key, payment_key
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers" / "walmart"
ORDER_FIXTURES = ["get_all_orders.json", "get_all_orders_last_page.json", "get_an_order.json"]

# Walmart's documented order-line statuses: the Orders API model's enum (US), Canada's
# spelling "Canceled" and Mexico's "OnHold"; then the mapper's derived keys.
LINE_STATUSES = ["Created", "Acknowledged", "Shipped", "Delivered", "Cancelled", "Refund"]
REGIONAL_STATUSES = ["Canceled", "OnHold"]
DERIVED_ORDER_KEYS = ["PartiallyShipped"]
DERIVED_PAYMENT_KEYS = ["PartiallyShipped", "PartiallyRefunded"]


@pytest.fixture(scope="module")
def maps() -> StatusMaps:
    return pack_status_maps()


@pytest.fixture(scope="module")
def rates() -> EcbRates:
    return EcbRates()


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def orders_of(payload: Any) -> dict[str, MappedOrder]:
    result = map_payload(payload)
    assert result.rejects == []
    records = {}
    for record in result.records:
        assert isinstance(record, MappedOrder)
        records[record.external_id] = record
    return records


def canonical(record: MappedOrder, maps: StatusMaps, rates: EcbRates) -> Order:
    return normalise_order(record, maps, rates, "USD")


@pytest.mark.parametrize("name", ORDER_FIXTURES)
def test_every_order_fixture_maps_and_normalises(
    name: str, maps: StatusMaps, rates: EcbRates
) -> None:
    records = orders_of(load(name))
    assert records
    for record in records.values():
        assert record.provider == PROVIDER
        order = canonical(record, maps, rates)
        assert (order.currency, order.country) == ("USD", "US")


def test_a_page_of_orders_in_every_state(maps: StatusMaps, rates: EcbRates) -> None:
    records = orders_of(load("get_all_orders.json"))
    got = {
        po: (o.status, o.payment_status, o.total_minor, o.shipping_minor, o.refunded_minor)
        for po, o in ((po, canonical(r, maps, rates)) for po, r in records.items())
    }

    assert got == {
        "109007446257351": (OrderStatus.AWAITING_FULFILLMENT, PaymentStatus.AUTHORIZED, 2705, 0, 0),
        # 59.00 + 4.87 tax + 5.99 shipping + 0.49 tax, and 2 cables 25.98 + 2.14 tax
        "109007446257352": (OrderStatus.PARTIALLY_SHIPPED, PaymentStatus.PAID, 9847, 599, 0),
        "109007446257353": (
            OrderStatus.DELIVERED,
            PaymentStatus.PARTIALLY_REFUNDED,
            3585,
            0,
            541,
        ),
        # Cancelled whole: the order keeps its value, the payment says nothing was charged.
        "109007446257354": (OrderStatus.CANCELLED, PaymentStatus.VOIDED, 1731, 0, 0),
    }


def test_order_fields_from_a_two_line_order(maps: StatusMaps, rates: EcbRates) -> None:
    record = orders_of(load("get_all_orders.json"))["109007446257352"]
    order = canonical(record, maps, rates)

    assert record.provider_status == "PartiallyShipped"
    assert order.placed_at == datetime(2025, 3, 14, 6, 14, 23, 638000, tzinfo=UTC)
    assert order.source_updated_at == datetime(2025, 3, 16, 5, 14, 23, 638000, tzinfo=UTC)
    assert order.country == "US"  # Walmart writes "USA"
    assert order.customer_email == "1b2c3d4e5f60718293a4b5c6d7e8f901@relay.walmart.com"
    assert order.customer_name == "Jordan Lee"
    assert order.customer_phone == "+12065550143"
    assert [(ln.sku, ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        ("BT-SPEAKER-X2", 1, 5900),
        ("USB-C-CABLE-2M", 2, 1299),  # the PRODUCT charge is for both units
    ]
    assert record.tracking_carriers == ("UPS",)
    assert order.tracking == (("1Z4A9W370312345678", ""),)  # UPS is no carrier the hub tracks


def test_multi_quantity_line_partly_cancelled(maps: StatusMaps, rates: EcbRates) -> None:
    record = orders_of(load("get_an_order.json"))["109007446257360"]
    order = canonical(record, maps, rates)

    assert (order.status, order.payment_status) == (OrderStatus.SHIPPED, PaymentStatus.PAID)
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in record.lines] == [
        ("TRAVEL-ADAPTER-UNI", 3, Decimal("17.99")),
        ("PACKING-CUBES-4", 1, Decimal("21.5")),
    ]
    assert (order.total_minor, order.shipping_minor) == (8967, 699)
    assert order.tracking == (("794698765432", "fedex"),)  # one parcel for both lines


def test_fully_refunded_order_is_returned(maps: StatusMaps, rates: EcbRates) -> None:
    order = canonical(
        orders_of(load("get_all_orders_last_page.json"))["109007446257355"], maps, rates
    )

    assert (order.status, order.payment_status) == (OrderStatus.RETURNED, PaymentStatus.REFUNDED)
    assert (order.total_minor, order.refunded_minor) == (4781, 4781)


def test_order_events_map_to_nothing_and_name_their_order() -> None:
    event = load("po_created_event.json")

    assert map_payload(event).records == []
    assert event_order_id(event) == "109007446257351"
    assert event_order_id({"source": {}, "payload": {"order": {"purchaseOrderId": "7"}}}) == "7"


def test_empty_page_maps_to_nothing() -> None:
    page = {"list": {"meta": {"totalCount": 0, "limit": 10, "nextCursor": None}, "elements": {}}}

    assert map_payload(page).records == []


def test_a_bad_order_is_rejected_with_its_reason_and_the_rest_maps() -> None:
    page = load("get_all_orders.json")
    orders = page["list"]["elements"]["order"]
    no_id = copy.deepcopy(orders[0])
    del no_id["purchaseOrderId"]
    bad_amount = copy.deepcopy(orders[0])
    bad_amount["purchaseOrderId"] = "109000000000001"
    charge = bad_amount["orderLines"]["orderLine"][0]["charges"]["charge"][0]
    charge["chargeAmount"]["amount"] = "n/a"
    orders[1:] = [no_id, bad_amount]

    result = map_payload(page)

    assert [r.external_id for r in result.records] == ["109007446257351"]
    assert [(r.kind, r.external_id, r.reason) for r in result.rejects] == [
        (RecordKind.ORDER, "", "purchaseOrderId is missing"),
        (
            RecordKind.ORDER,
            "109000000000001",
            "orderLines.orderLine[0].charges.charge[0].chargeAmount.amount is not a number: 'n/a'",
        ),
    ]
    assert result.rejects[1].raw is bad_amount


def test_charges_in_two_currencies_are_rejected() -> None:
    body = load("get_an_order.json")
    line = body["order"]["orderLines"]["orderLine"][1]
    line["charges"]["charge"][0]["chargeAmount"]["currency"] = "CAD"

    reason = map_payload(body).rejects[0].reason

    assert reason == "the order's charges must be in one currency, found CAD, USD"


def test_error_bodies_and_unknown_shapes_raise() -> None:
    with pytest.raises(MappingError, match="Walmart answered with errors"):
        map_payload({"errors": {"error": [{"code": "UNAUTHORIZED.GMP_GATEWAY_API"}]}})
    with pytest.raises(MappingError, match="not a Walmart orders response"):
        map_payload({"elements": []})
    with pytest.raises(MappingError, match="JSON object"):
        map_payload("[]")


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({"Created"}, "Created"),
        ({"Created", "Acknowledged"}, "Created"),
        ({"Acknowledged", "Cancelled"}, "Acknowledged"),
        ({"Shipped", "Acknowledged"}, "PartiallyShipped"),
        ({"Delivered", "Created"}, "PartiallyShipped"),
        ({"Shipped", "Delivered"}, "Shipped"),
        ({"Delivered", "Refund"}, "Delivered"),
        ({"Refund", "Cancelled"}, "Refund"),
        ({"Cancelled"}, "Cancelled"),
        ({"OnHold"}, "OnHold"),
        ({"OnHold", "Created"}, "Created+OnHold"),
    ],
)
def test_order_key_from_line_statuses(statuses: set[str], expected: str) -> None:
    assert order_key(frozenset(statuses)) == expected


def test_payment_key_notices_refunds() -> None:
    assert payment_key("Delivered", frozenset({"Delivered", "Refund"}), Decimal(0)) == (
        "PartiallyRefunded"
    )
    assert payment_key("Shipped", frozenset({"Shipped"}), Decimal("1.00")) == "PartiallyRefunded"
    assert payment_key("Refund", frozenset({"Refund"}), Decimal("5")) == "Refund"
    assert payment_key("Created", frozenset({"Created"}), Decimal(0)) == "Created"


@pytest.mark.parametrize("status", LINE_STATUSES + REGIONAL_STATUSES + DERIVED_ORDER_KEYS)
def test_status_map_knows_every_order_key(status: str, maps: StatusMaps) -> None:
    assert maps.order(PROVIDER, status) in OrderStatus


@pytest.mark.parametrize("status", LINE_STATUSES + REGIONAL_STATUSES + DERIVED_PAYMENT_KEYS)
def test_status_map_knows_every_payment_key(status: str, maps: StatusMaps) -> None:
    assert maps.payment(PROVIDER, status) in PaymentStatus


def test_a_carrier_outside_walmarts_list_is_read_from_other_carrier(
    maps: StatusMaps, rates: EcbRates
) -> None:
    payload = load("get_an_order.json")
    for line in payload["order"]["orderLines"]["orderLine"]:
        for entry in line["orderLineStatuses"]["orderLineStatus"]:
            if entry.get("trackingInfo"):
                entry["trackingInfo"]["carrierName"] = {"otherCarrier": "4PX", "carrier": None}
    (record,) = orders_of(payload).values()
    assert record.tracking_carriers == ("4PX",)
    assert canonical(record, maps, rates).tracking == (("794698765432", "4px"),)
