"""Amazon SP-API orders: every reference example maps, normalises and keeps its meaning."""

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
from cbe_app.hub.providers.amazon.mapper import (
    PROVIDER,
    changed_order_id,
    map_payload,
    order_items_of,
)
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers" / "amazon"
ORDER_FIXTURES = sorted(
    p.name
    for p in FIXTURES.glob("*.json")
    if "order_items" not in p.name and "errors" not in p.name and "notification" not in p.name
)

# Copied from the models: ordersV0.json Order.OrderStatus (also the notification's
# Summary.OrderStatus) and orders_2026-01-01.json FulfillmentStatus, plus the mapper's
# derived DELIVERED.
V0_ORDER_STATUSES = [
    "Pending",
    "Unshipped",
    "PartiallyShipped",
    "Shipped",
    "Canceled",
    "Unfulfillable",
    "InvoiceUnconfirmed",
    "PendingAvailability",
]
V2026_FULFILLMENT_STATUSES = [
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
]
DERIVED_KEYS = ["DELIVERED"]


@pytest.fixture(scope="module")
def maps() -> StatusMaps:
    return pack_status_maps()


@pytest.fixture(scope="module")
def rates() -> EcbRates:
    return EcbRates()


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def only_order(payload: Any) -> MappedOrder:
    result = map_payload(payload)
    assert not result.rejects
    assert len(result.records) == 1
    record = result.records[0]
    assert isinstance(record, MappedOrder)
    return record


def canonical(record: MappedOrder, maps: StatusMaps, rates: EcbRates) -> Order:
    return normalise_order(record, maps, rates, "USD")


@pytest.mark.parametrize("name", ORDER_FIXTURES)
def test_every_order_example_maps_and_normalises(
    name: str, maps: StatusMaps, rates: EcbRates
) -> None:
    result = map_payload(load(name))
    assert result.rejects == []
    assert result.records
    for record in result.records:
        assert isinstance(record, MappedOrder)
        assert record.provider == PROVIDER
        assert record.currency
        canonical(record, maps, rates)


def test_priced_v0_order_with_its_items_attached(maps: StatusMaps, rates: EcbRates) -> None:
    body = load("v0_get_order_sandbox_test_case_200.json")
    order_id, items = order_items_of(load("v0_get_order_items_sandbox_test_case_200.json"))
    assert order_id == body["payload"]["AmazonOrderId"] == "902-1845936-5435065"
    body["payload"]["OrderItems"] = items  # what the connector does before mapping

    order = canonical(only_order(body), maps, rates)

    assert order.status is OrderStatus.AWAITING_FULFILLMENT
    assert order.payment_status is PaymentStatus.AUTHORIZED
    assert order.placed_at == datetime(1970, 1, 19, 3, 58, 30, tzinfo=UTC)
    assert order.source_updated_at == datetime(1970, 1, 19, 3, 58, 32, tzinfo=UTC)
    assert (order.currency, order.total_minor, order.total_base_minor) == ("USD", 1101, 1101)
    # No ShippingAddress without a Restricted Data Token: the marketplace's country stands in,
    # never the seller's DefaultShipFromLocationAddress.
    assert order.country == "US"
    assert order.customer_email is None
    assert [(ln.sku, ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        ("NABetaASINB00551Q3CS", 1, 1000)
    ]


def test_pending_v0_order_has_no_total_but_a_marketplace_currency(
    maps: StatusMaps, rates: EcbRates
) -> None:
    record = only_order(load("v0_get_orders_example.json"))

    assert record.external_id == "902-3159896-1390916"
    assert (record.total, record.currency, record.country) == (None, "USD", "US")
    order = canonical(record, maps, rates)
    assert order.status is OrderStatus.PENDING
    assert order.payment_status is PaymentStatus.PENDING
    assert order.total_minor == 0
    assert order.customer_email == "user@example.com"
    assert order.customer_name == "John Doe"


def test_v0_item_price_is_for_the_whole_quantity(maps: StatusMaps, rates: EcbRates) -> None:
    body = load("v0_get_order_example.json")
    body["payload"]["OrderItems"] = [
        {
            "ASIN": "B00TEST0001",
            "SellerSKU": "MUG-BLUE",
            "OrderItemId": "1",
            "QuantityOrdered": 2,
            "ItemPrice": {"CurrencyCode": "USD", "Amount": "17.90"},
            "ShippingPrice": {"CurrencyCode": "USD", "Amount": "4.99"},
        },
        {"ASIN": "B00TEST0002", "OrderItemId": "2", "QuantityOrdered": 0},
    ]

    record = only_order(body)

    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in record.lines] == [
        ("MUG-BLUE", 2, Decimal("8.95"))
    ]
    assert record.shipping == Decimal("4.99")
    # No OrderTotal: the normaliser totals the lines and shipping.
    assert canonical(record, maps, rates).total_minor == 1790 + 499


def test_iba_order_keeps_its_euro_total_and_german_destination(
    maps: StatusMaps, rates: EcbRates
) -> None:
    order = canonical(only_order(load("v0_get_order_sandbox_iba.json")), maps, rates)

    assert order.external_id == "921-3175655-0452641"
    assert (order.status, order.payment_status) == (OrderStatus.SHIPPED, PaymentStatus.PAID)
    assert (order.currency, order.total_minor, order.country) == ("EUR", 10000, "DE")
    assert order.fx.source == "EUR" and order.total_base_minor > 0


def test_2026_order_with_proceeds_packages_and_items(maps: StatusMaps, rates: EcbRates) -> None:
    order = canonical(only_order(load("v2026_get_order_example.json")), maps, rates)

    assert order.external_id == "202-1234567-8901234"
    assert order.provider_status == "SHIPPED"  # its package is still in transit
    assert (order.status, order.payment_status) == (OrderStatus.SHIPPED, PaymentStatus.PAID)
    assert order.placed_at == datetime(2024, 12, 25, 9, 15, tzinfo=UTC)
    assert (order.currency, order.total_minor, order.shipping_minor) == ("GBP", 10397, 1000)
    assert order.country == "GB"
    assert order.customer_email == "buyer-email@marketplace.amazon.co.uk"
    assert order.customer_phone == "+441611234567"
    assert [(ln.sku, ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        ("ECHO-DOT-4-UK-CHARCOAL-3PACK", 3, 2999)
    ]
    assert tuple(number for number, _ in order.tracking) == ("RR123456789GB",)


def test_2026_shipped_order_with_every_package_delivered_is_delivered(
    maps: StatusMaps, rates: EcbRates
) -> None:
    order = canonical(only_order(load("v2026_search_orders_example.json")), maps, rates)

    assert order.provider_status == "DELIVERED"
    assert order.status is OrderStatus.DELIVERED
    assert (order.currency, order.total_minor) == ("USD", 15499)
    assert [(ln.sku, ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        ("ECHO-DOT-4-CHARCOAL", 2, 4999),
        ("FIRE-TV-4K-2021", 1, 4999),
    ]
    assert tuple(number for number, _ in order.tracking) == ("1Z999AA1234567890",)


def test_yen_order_has_no_minor_units(maps: StatusMaps, rates: EcbRates) -> None:
    order = canonical(only_order(load("v2026_search_orders_sandbox_jp.json")), maps, rates)

    assert (order.currency, order.total_minor, order.country) == ("JPY", 19940, "JP")
    assert order.as_contract()["total"] == "19940"


def test_order_items_alone_and_notifications_map_to_nothing() -> None:
    for name in ("v0_get_order_items_example.json", "order_change_notification_example.json"):
        result = map_payload(load(name))
        assert (result.records, result.rejects) == ([], [])
    assert order_items_of(load("v0_get_order_items_example.json"))[0] == "903-1671087-0812628"
    assert changed_order_id(load("order_change_notification_example.json")) == (
        "903-8868176-2219830"
    )


def test_a_bad_order_is_rejected_with_its_reason_and_the_rest_maps() -> None:
    page = load("v0_get_orders_sandbox_test_case_200.json")
    good = page["payload"]["Orders"][0]
    no_id = copy.deepcopy(good)
    del no_id["AmazonOrderId"]
    bad_total = copy.deepcopy(good)
    bad_total["AmazonOrderId"] = "902-0000000-0000001"
    bad_total["OrderTotal"]["Amount"] = "eleven"
    page["payload"]["Orders"] = [good, no_id, bad_total]

    result = map_payload(page)

    assert [r.external_id for r in result.records] == ["902-1845936-5435065"]
    assert [(r.kind, r.external_id, r.reason) for r in result.rejects] == [
        (RecordKind.ORDER, "", "AmazonOrderId is missing"),
        (RecordKind.ORDER, "902-0000000-0000001", "OrderTotal.Amount is not a number: 'eleven'"),
    ]
    assert result.rejects[1].raw is bad_total


def test_items_in_another_currency_than_the_order_are_rejected() -> None:
    body = load("v0_get_order_sandbox_test_case_200.json")
    body["payload"]["OrderItems"] = order_items_of(load("v0_get_order_items_example.json"))[1]

    result = map_payload(body)

    assert result.records == []
    assert result.rejects[0].reason == "OrderItems[0].ItemPrice is in JPY, the order in USD"


def test_unknown_marketplace_without_a_total_is_rejected() -> None:
    body = load("v0_get_order_example.json")
    body["payload"]["MarketplaceId"] = "AXXXXXXXXXXXXX"

    result = map_payload(body)

    assert "marketplace 'AXXXXXXXXXXXXX' is not one whose currency is known" in (
        result.rejects[0].reason
    )


def test_error_bodies_and_unknown_shapes_raise() -> None:
    with pytest.raises(MappingError, match="InvalidInput: Invalid Input"):
        map_payload(load("v0_get_orders_sandbox_400_errors.json"))
    with pytest.raises(MappingError, match="not an Amazon Orders API response"):
        map_payload({"items": []})
    with pytest.raises(MappingError, match="JSON object"):
        map_payload([])
    with pytest.raises(MappingError, match="is not ORDER_CHANGE"):
        map_payload({"NotificationType": "FEED_PROCESSING_FINISHED"})


def test_2026_order_without_fulfillment_data_says_what_to_request() -> None:
    body = load("v2026_get_order_sandbox_us.json")
    del body["order"]["fulfillment"]

    reason = map_payload(body).rejects[0].reason

    assert "includedData FULFILLMENT" in reason


@pytest.mark.parametrize("status", V0_ORDER_STATUSES + V2026_FULFILLMENT_STATUSES + DERIVED_KEYS)
def test_status_map_knows_every_amazon_status(status: str, maps: StatusMaps) -> None:
    assert maps.order(PROVIDER, status) in OrderStatus
    assert maps.payment(PROVIDER, status) in PaymentStatus
