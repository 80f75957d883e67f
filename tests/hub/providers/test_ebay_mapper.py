"""The eBay mapper: fixtures map and normalise; composite status keys; destinations; bad records."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cbe_app.hub.canonical import MappedOrder, OrderStatus, PaymentStatus
from cbe_app.hub.normalise import EcbRates, normalise_order
from cbe_app.hub.providers.ebay.mapper import PROVIDER, map_payload, order_status_key
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers" / "ebay"

# Enumerations from eBay's Fulfillment API type pages (OrderFulfillmentStatus,
# CancelStateEnum, OrderPaymentStatusEnum).
FULFILLMENT_STATUSES = ("NOT_STARTED", "IN_PROGRESS", "FULFILLED")
CANCEL_STATES = ("NONE_REQUESTED", "IN_PROGRESS", "CANCELED")
PAYMENT_STATUSES = ("FAILED", "FULLY_REFUNDED", "PAID", "PARTIALLY_REFUNDED", "PENDING")


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def maps() -> StatusMaps:
    return pack_status_maps()


@pytest.fixture(scope="module")
def rates() -> EcbRates:
    return EcbRates()


def orders(payload: Any) -> list[MappedOrder]:
    result = map_payload(payload)
    assert result.rejects == []
    assert all(isinstance(r, MappedOrder) for r in result.records)
    return [r for r in result.records if isinstance(r, MappedOrder)]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_every_fixture_maps_without_rejects_and_normalises(
    name: str, maps: StatusMaps, rates: EcbRates
) -> None:
    for record in orders(load(name)):
        assert record.provider == PROVIDER
        normalise_order(record, maps, rates, "USD")


def test_orders_page(maps: StatusMaps, rates: EcbRates) -> None:
    domestic, international, partly_refunded = orders(load("get_orders_page.json"))

    one = normalise_order(domestic, maps, rates, "USD")
    assert (one.external_id, one.status, one.payment_status) == (
        "05-11842-63021",
        OrderStatus.AWAITING_FULFILLMENT,
        PaymentStatus.PAID,
    )
    assert one.placed_at == datetime(2024, 9, 3, 17, 42, 18, tzinfo=UTC)
    assert domestic.updated_at == datetime(2024, 9, 3, 17, 43, 5, tzinfo=UTC)
    assert (one.currency, one.total_minor, one.shipping_minor) == ("USD", 4597, 599)
    assert (one.country, one.customer_email) == ("US", "7f3c1a9be2d04c61b3a2@members.ebay.com")
    assert [(ln.sku, ln.quantity, ln.unit_price_minor) for ln in one.lines] == [
        ("POLE-CRB-PAIR", 2, 1999)
    ]

    # eBay International Shipping: shipTo is eBay's Kentucky hub, the buyer is in Germany.
    two = normalise_order(international, maps, rates, "USD")
    assert (two.country, two.status) == ("DE", OrderStatus.PARTIALLY_SHIPPED)
    assert (two.customer_name, two.customer_phone) == ("Markus Brandl", "+49892345678")
    assert [ln.sku for ln in two.lines] == ["SOCK-MER-3P-L", "225900011122-630112345678"]

    three = normalise_order(partly_refunded, maps, rates, "USD")
    assert (three.currency, three.country, three.status) == ("GBP", "IE", OrderStatus.SHIPPED)
    assert three.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    # Shipping is after its discount; the PENDING refund is not counted yet.
    assert (three.total_minor, three.shipping_minor, three.refunded_minor) == (5720, 500, 1200)
    assert three.customer_email == "aoife.kelly@example.ie"


def test_cancelled_order(maps: StatusMaps, rates: EcbRates) -> None:
    (record,) = orders(load("get_order_cancelled.json"))
    order = normalise_order(record, maps, rates, "USD")
    assert (order.provider_status, order.status) == ("CANCELED", OrderStatus.CANCELLED)
    assert (order.payment_status, order.refunded_minor) == (PaymentStatus.REFUNDED, 8200)
    assert (order.currency, order.country, order.customer_ref) == ("AUD", "NZ", "tom_in_auckland")


def test_fully_refunded_after_shipping_is_returned(maps: StatusMaps, rates: EcbRates) -> None:
    (record,) = orders(load("get_order_returned.json"))
    order = normalise_order(record, maps, rates, "USD")
    assert (order.provider_status, order.status) == ("FULFILLED/FULLY_REFUNDED", "returned")
    assert (order.currency, order.total_minor, order.refunded_minor) == ("EUR", 16190, 16190)
    assert order.country == "AT"


def test_a_page_with_shipping_fulfillments_brings_tracking_numbers(
    maps: StatusMaps, rates: EcbRates
) -> None:
    page = load("get_orders_page.json")
    parcels = {
        "17-11799-40218": {
            "fulfillments": [
                {
                    "fulfillmentId": "9405509699937003457459",
                    "shipmentTrackingNumber": "9405509699937003457459",
                    "shippingCarrierCode": "USPS",
                    "shippedDate": "2024-09-04T15:00:00.000Z",
                    "lineItems": [{"lineItemId": "10069912345002", "quantity": 1}],
                },
                {"fulfillmentId": "x", "shipmentTrackingNumber": "770012345678"},
            ],
            "total": 2,
        },
        "05-11842-63021": {"fulfillments": [], "total": 0},
    }
    records = orders({"page": page, "shippingFulfillments": parcels})
    assert [r.external_id for r in records] == [o["orderId"] for o in page["orders"]]
    tracked = {r.external_id: (r.tracking_numbers, r.tracking_carriers) for r in records}
    assert tracked["17-11799-40218"] == (("9405509699937003457459", "770012345678"), ("USPS", ""))
    assert tracked["05-11842-63021"] == ((), ())
    normalised = normalise_order(records[2], maps, rates, "USD")
    assert [number for number, _ in normalised.tracking] == [
        "9405509699937003457459",
        "770012345678",
    ]
    assert orders({"page": load("get_orders_last_page.json"), "shippingFulfillments": {}}) == []


def test_empty_pages_map_to_nothing() -> None:
    assert orders(load("get_orders_last_page.json")) == []
    assert orders({"href": "https://api.ebay.com/sell/fulfillment/v1/order", "total": 0}) == []
    with pytest.raises(MappingError, match="not an eBay getOrders page"):
        map_payload({"id": 727, "total": "29.35", "status": "processing"})  # a WooCommerce order


def test_authenticity_guarantee_ships_to_the_buyer_not_the_authenticator() -> None:
    raw = copy.deepcopy(load("get_orders_page.json")["orders"][1])
    raw["program"] = {"authenticityVerification": {"status": "PASSED"}}
    (record,) = orders(raw)
    assert record.country == "US"


def test_digital_orders_take_the_buyers_tax_country() -> None:
    raw = copy.deepcopy(load("get_order_returned.json"))
    raw["fulfillmentStartInstructions"] = [{"fulfillmentInstructionsType": "DIGITAL"}]
    (record,) = orders(raw)
    assert record.country == "AT"


def test_a_bad_record_is_rejected_with_its_reason_and_the_rest_maps() -> None:
    page = copy.deepcopy(load("get_orders_page.json"))
    _, no_id, bad_total = page["orders"]
    del no_id["orderId"]
    bad_total["pricingSummary"]["total"]["value"] = "n/a"
    result = map_payload(page)
    assert [(type(r), getattr(r, "external_id", "")) for r in result.records] == [
        (MappedOrder, "05-11842-63021")
    ]
    assert [(r.external_id, r.reason) for r in result.rejects] == [
        ("", "orderId is missing"),
        ("17-11799-40218", "total.value is not a number: 'n/a'"),
    ]
    assert result.rejects[0].raw is no_id and result.rejects[1].raw is bad_total


def test_a_line_without_sku_or_item_id_is_rejected() -> None:
    raw = copy.deepcopy(load("get_order_cancelled.json"))
    del raw["lineItems"][0]["sku"], raw["lineItems"][0]["legacyItemId"]
    (reject,) = map_payload(raw).rejects
    assert (reject.external_id, reject.reason) == ("23-11860-12345", "legacyItemId is missing")


@pytest.mark.parametrize("payload", [{"errors": [{"errorId": 32100}]}, [], "order", None])
def test_unknown_payloads_are_refused(payload: Any) -> None:
    with pytest.raises(MappingError, match="not an eBay"):
        map_payload(payload)


def test_status_map_covers_every_combination_of_documented_statuses(maps: StatusMaps) -> None:
    for fulfilment, cancel, payment in itertools.product(
        FULFILLMENT_STATUSES, CANCEL_STATES, PAYMENT_STATUSES
    ):
        raw = {
            "orderFulfillmentStatus": fulfilment,
            "orderPaymentStatus": payment,
            "cancelStatus": {"cancelState": cancel, "cancelRequests": []},
        }
        maps.order(PROVIDER, order_status_key(raw))
    for payment in PAYMENT_STATUSES:
        maps.payment(PROVIDER, payment)
    requested: dict[str, Any] = {
        "orderFulfillmentStatus": "NOT_STARTED",
        "orderPaymentStatus": "PAID",
        "cancelStatus": {"cancelState": "IN_PROGRESS"},
    }
    assert order_status_key(requested) == "NOT_STARTED/CANCEL_REQUESTED"
    assert maps.order(PROVIDER, "not_started/fully_refunded") is OrderStatus.CANCELLED
    assert maps.payment(PROVIDER, "FULLY_REFUNDED") is PaymentStatus.REFUNDED


def test_unit_price_divides_the_line_cost_exactly() -> None:
    (record,) = orders(load("get_order_returned.json"))
    assert record.lines[0].unit_price == Decimal("149.00")
    assert record.shipping == Decimal("12.90")
