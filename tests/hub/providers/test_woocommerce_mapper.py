"""The WooCommerce mapper: the documented examples map and normalise; payment keys; bad records."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cbe_app.hub.canonical import MappedOrder, OrderStatus, PaymentStatus
from cbe_app.hub.normalise import EcbRates, normalise_order
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.providers.woocommerce.mapper import PROVIDER, map_payload, payment_status_key
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers" / "woocommerce"

# Order `status` options from the v3 orders reference, plus block checkout's draft status.
ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
)
# Every payment key the mapper derives.
PAYMENT_KEYS = ("unpaid", "paid", "partially_refunded", "refunded", "failed", "cancelled")


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
    records = orders(load(name))
    assert records
    for record in records:
        assert record.provider == PROVIDER
        normalise_order(record, maps, rates, "USD")


def test_list_page_orders(maps: StatusMaps, rates: EcbRates) -> None:
    first, second = orders(load("orders_list.json"))
    one = normalise_order(first, maps, rates, "USD")
    assert (one.external_id, one.status, one.payment_status) == (
        "727",
        OrderStatus.AWAITING_FULFILLMENT,
        PaymentStatus.PAID,
    )
    assert one.placed_at == datetime(2017, 3, 22, 19, 28, 2, tzinfo=UTC)  # the *_gmt time
    assert first.updated_at == datetime(2017, 3, 22, 19, 28, 8, tzinfo=UTC)
    assert (one.currency, one.total_minor, one.shipping_minor) == ("USD", 2935, 1000)
    assert (one.country, one.customer_email) == ("US", "john.doe@example.com")
    # The first line has no SKU: its product id stands in; prices are per unit.
    assert [(ln.sku, ln.quantity, ln.unit_price_minor) for ln in one.lines] == [
        ("93", 2, 300),
        ("Bar3", 1, 1200),
    ]

    two = normalise_order(second, maps, rates, "USD")
    assert (two.external_id, two.status, two.payment_status) == (
        "723",
        OrderStatus.SHIPPED,
        PaymentStatus.PARTIALLY_REFUNDED,
    )
    assert (two.provider_payment_status, two.refunded_minor) == ("partially_refunded", 1900)
    assert (two.country, two.customer_email) == ("BR", "joao.silva@example.com")
    assert [ln.sku for ln in two.lines] == ["87", "34"]


def test_batch_response_marks_deleted_orders_as_trash(maps: StatusMaps, rates: EcbRates) -> None:
    records = orders(load("orders_batch_response.json"))
    keys = [(r.external_id, r.provider_status) for r in records]
    assert keys == [
        ("728", "pending"),
        ("729", "processing"),
        ("727", "completed"),
        ("723", "trash"),
    ]
    deleted = normalise_order(records[-1], maps, rates, "USD")
    assert deleted.status is OrderStatus.CANCELLED
    assert deleted.payment_status is PaymentStatus.PARTIALLY_REFUNDED  # from its own status
    assert records[0].provider_payment_status == "unpaid"


def test_shipment_tracking_extension_numbers_are_read() -> None:
    raw = copy.deepcopy(load("order_retrieve.json"))
    raw["meta_data"].append(
        {
            "id": 13200,
            "key": "_wc_shipment_tracking_items",
            "value": [
                {
                    "tracking_provider": "dhl",
                    "tracking_number": "JD014600003828",
                    "tracking_id": "a",
                },
                {
                    "tracking_provider": "dhl",
                    "tracking_number": "JD014600003828",
                    "tracking_id": "b",
                },
                {
                    "tracking_provider": "usps",
                    "tracking_number": " 9400111899 ",
                    "tracking_id": "c",
                },
                {
                    "tracking_provider": "",
                    "custom_tracking_provider": "4PX",
                    "tracking_number": "4PX3001234567890CN",
                    "tracking_id": "d",
                },
            ],
        }
    )
    (record,) = orders(raw)
    assert record.tracking_numbers == ("JD014600003828", "9400111899", "4PX3001234567890CN")
    assert record.tracking_carriers == ("dhl", "usps", "4PX")  # the slug, else the custom name


@pytest.mark.parametrize(
    ("status", "paid", "refunded", "key"),
    [
        ("pending", False, "0", "unpaid"),
        ("on-hold", False, "0", "unpaid"),
        ("checkout-draft", False, "0", "unpaid"),
        ("processing", False, "0", "paid"),
        ("completed", False, "0", "paid"),
        ("on-hold", True, "0", "paid"),
        ("failed", False, "0", "failed"),
        ("cancelled", False, "0", "cancelled"),
        ("trash", False, "0", "cancelled"),
        ("cancelled", True, "0", "paid"),
        ("completed", True, "5.00", "partially_refunded"),
        ("completed", True, "29.35", "refunded"),
        ("refunded", True, "0", "refunded"),
    ],
)
def test_payment_key_is_derived_from_status_date_paid_and_refunds(
    status: str, paid: bool, refunded: str, key: str
) -> None:
    assert payment_status_key(status, paid, Decimal(refunded), Decimal("29.35")) == key


def test_a_bad_record_is_rejected_with_its_reason_and_the_rest_maps() -> None:
    good, other = load("orders_list.json")
    bad_total = {**other, "total": "thirty-nine"}
    no_id = {k: v for k, v in good.items() if k != "id"}
    result = map_payload([good, bad_total, no_id])
    assert [(type(r), getattr(r, "external_id", "")) for r in result.records] == [
        (MappedOrder, "727")
    ]
    assert [(r.external_id, r.reason) for r in result.rejects] == [
        ("723", "total is not a number: 'thirty-nine'"),
        ("", "id is missing"),
    ]
    assert result.rejects[0].raw is bad_total and result.rejects[1].raw is no_id


def test_a_line_of_a_deleted_product_without_sku_is_rejected() -> None:
    raw = copy.deepcopy(load("order_retrieve.json"))
    raw["line_items"][0]["product_id"] = 0
    (reject,) = map_payload(raw).rejects
    assert reject.reason == "line item 315 has no sku or product id"


def test_local_times_are_not_used_when_the_gmt_time_is_missing() -> None:
    raw = {k: v for k, v in load("order_retrieve.json").items() if k != "date_created_gmt"}
    (reject,) = map_payload(raw).rejects
    assert reject.reason == "date_created_gmt is missing"


@pytest.mark.parametrize("payload", [{"code": "woocommerce_rest_invalid_id"}, "order", 7])
def test_unknown_payloads_are_refused(payload: Any) -> None:
    with pytest.raises(MappingError, match="not a WooCommerce"):
        map_payload(payload)


def test_status_map_covers_every_documented_status(maps: StatusMaps) -> None:
    for key in ORDER_STATUSES:
        maps.order(PROVIDER, key)
    for key in PAYMENT_KEYS:
        maps.payment(PROVIDER, key)
    assert maps.order(PROVIDER, "On-Hold") is OrderStatus.PENDING
    assert maps.payment(PROVIDER, "cancelled") is PaymentStatus.VOIDED
