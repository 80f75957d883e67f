"""The Shopify mapper: every fixture maps and normalises; composite status keys; bad records."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cbe_app.hub.canonical import MappedOrder, OrderStatus, PaymentStatus
from cbe_app.hub.normalise import EcbRates, Order, normalise_order
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.providers.shopify.mapper import PROVIDER, map_payload
from cbe_app.hub.providers.shopify.status import order_status_key
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers" / "shopify"

# Copied from Shopify's Order docs: REST `fulfillment_status` (null is sent as `unfulfilled`),
# plus `pending` (Shopify's sample webhook) and the mapper's composite keys.
ORDER_KEYS = (
    "unfulfilled",
    "partial",
    "fulfilled",
    "restocked",
    "pending",
    "cancelled",
    "returned",
    "delivered",
)
# `financial_status` (REST Order resource; `expired` from OrderDisplayFinancialStatus).
FINANCIAL_STATUSES = (
    "pending",
    "authorized",
    "partially_paid",
    "paid",
    "partially_refunded",
    "refunded",
    "voided",
    "expired",
)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def maps() -> StatusMaps:
    return pack_status_maps()


@pytest.fixture(scope="module")
def rates() -> EcbRates:
    return EcbRates()


def only_order(name: str, maps: StatusMaps, rates: EcbRates) -> tuple[MappedOrder, Order]:
    result = map_payload(load(name))
    assert not result.rejects and len(result.records) == 1
    record = result.records[0]
    assert isinstance(record, MappedOrder)
    return record, normalise_order(record, maps, rates, "USD")


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_every_fixture_maps_without_rejects_and_normalises(
    name: str, maps: StatusMaps, rates: EcbRates
) -> None:
    result = map_payload(load(name))
    assert result.rejects == []
    assert result.records
    for record in result.records:
        assert isinstance(record, MappedOrder) and record.provider == PROVIDER
        normalise_order(record, maps, rates, "USD")


def test_single_order_from_the_sdk_fixture(maps: StatusMaps, rates: EcbRates) -> None:
    record, order = only_order("order.json", maps, rates)
    assert order.external_id == "450789469"
    assert (order.status, order.payment_status) == (
        OrderStatus.AWAITING_FULFILLMENT,
        PaymentStatus.AUTHORIZED,
    )
    assert (order.provider_status, order.provider_payment_status) == ("unfulfilled", "authorized")
    assert order.placed_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert (order.currency, order.total_minor, order.total_base_minor) == ("USD", 40994, 40994)
    assert (order.country, order.customer_email) == ("US", "bob.norman@hostmail.com")
    assert [(ln.sku, ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        ("IPOD2008GREEN", 1, 19900),
        ("IPOD2008RED", 1, 19900),
        ("IPOD2008BLACK", 1, 19900),
    ]
    # Its only fulfilment failed: that tracking number never shipped anything.
    assert record.tracking_numbers == ()


def test_orders_page_from_the_sdk_fixture(maps: StatusMaps, rates: EcbRates) -> None:
    record, order = only_order("orders.json", maps, rates)
    assert record.external_id == "450789469"
    assert order.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    assert (order.total_minor, order.shipping_minor, order.lines) == (59894, 0, ())
    assert record.customer_ref == "207119551"


def test_webhook_in_the_buyers_currency(maps: StatusMaps, rates: EcbRates) -> None:
    record, order = only_order("webhook_orders_create.json", maps, rates)
    # Shop in USD, buyer paid in EUR: the presentment amounts, in EUR.
    assert (order.currency, order.total_minor, order.shipping_minor) == ("EUR", 5290, 990)
    assert order.base_currency == "USD" and order.fx.source == "EUR"
    assert order.placed_at == datetime(2024, 3, 14, 13, 21, 6, tzinfo=UTC)  # processed_at
    assert record.updated_at == datetime(2024, 3, 14, 13, 21, 8, tzinfo=UTC)
    assert (order.country, order.status, order.payment_status) == (
        "DE",
        OrderStatus.AWAITING_FULFILLMENT,
        PaymentStatus.PAID,
    )
    # The cup has no SKU: its variant id stands in.
    assert [(ln.sku, ln.quantity, ln.unit_price_minor) for ln in order.lines] == [
        ("TEA-SENCHA-100G", 2, 1250),
        ("45123456789013", 1, 1800),
    ]
    assert order.customer_phone == "+49301234567"


def test_delivered_order_keeps_only_live_tracking_numbers(
    maps: StatusMaps, rates: EcbRates
) -> None:
    record, order = only_order("webhook_orders_fulfilled.json", maps, rates)
    assert (order.provider_status, order.status) == ("delivered", OrderStatus.DELIVERED)
    assert (order.currency, order.country, order.total_minor) == ("GBP", "AU", 10450)
    assert record.tracking_numbers == ("RX123456785GB",)  # the cancelled fulfilment is left out


def test_fully_refunded_restocked_order_is_returned(maps: StatusMaps, rates: EcbRates) -> None:
    record, order = only_order("webhook_orders_updated_returned.json", maps, rates)
    assert (order.provider_status, order.status) == ("returned", OrderStatus.RETURNED)
    assert order.payment_status is PaymentStatus.REFUNDED
    assert (order.refunded_minor, order.total_minor) == (21400, 21400)
    assert order.customer_email == "marcus.hale@example.com"
    assert record.refunded == Decimal("214.00")


def _returned_order() -> dict[str, Any]:
    return copy.deepcopy(load("webhook_orders_updated_returned.json"))


def test_full_refund_without_restock_is_not_a_return() -> None:
    raw = _returned_order()
    raw["refunds"][0]["refund_line_items"][0]["restock_type"] = "no_restock"
    assert order_status_key(raw) == "delivered"
    raw["fulfillments"][0]["shipment_status"] = "in_transit"
    assert order_status_key(raw) == "fulfilled"


def test_legacy_refund_restock_flag_counts_as_a_return() -> None:
    raw = _returned_order()
    del raw["refunds"][0]["refund_line_items"][0]["restock_type"]
    assert order_status_key(raw) == "returned"
    raw["refunds"][0]["restock"] = False
    assert order_status_key(raw) != "returned"


def test_cancellation_wins_over_everything_else() -> None:
    raw = _returned_order()
    raw["cancelled_at"] = "2024-06-21T11:00:00+02:00"
    assert order_status_key(raw) == "cancelled"
    assert order_status_key({"fulfillment_status": None}) == "unfulfilled"


def test_a_bad_record_is_rejected_with_its_reason_and_the_rest_maps() -> None:
    good = load("order.json")["order"]
    no_id = {k: v for k, v in good.items() if k != "id"}
    bad_total = {**good, "id": 2, "total_price": "12,50"}
    result = map_payload({"orders": [good, no_id, bad_total]})
    assert [(type(r), getattr(r, "external_id", "")) for r in result.records] == [
        (MappedOrder, "450789469")
    ]
    assert [(r.external_id, r.reason) for r in result.rejects] == [
        ("", "id is missing"),
        ("2", "total_price is not a number: '12,50'"),
    ]
    assert result.rejects[0].raw is no_id and result.rejects[1].raw is bad_total


def test_foreign_currency_amounts_must_come_with_their_presentment_set() -> None:
    raw = load("webhook_orders_create.json")
    del raw["line_items"][0]["price_set"]
    (reject,) = map_payload(raw).rejects
    assert reject.reason == "price_set.presentment_money.amount is missing"


def test_refund_in_another_currency_is_rejected() -> None:
    raw = _returned_order()
    raw["refunds"][0]["transactions"][0]["currency"] = "USD"
    (reject,) = map_payload(raw).rejects
    assert reject.reason == "refund transaction 7233333333301 is in USD, the order in EUR"


def test_a_line_without_any_product_reference_is_rejected() -> None:
    raw = load("order.json")
    raw["order"]["line_items"][0].update(sku=None, variant_id=None, product_id=None)
    (reject,) = map_payload(raw).rejects
    assert reject.reason == "line item 466157049 has no sku, variant_id or product_id"


@pytest.mark.parametrize("payload", [{"products": []}, {"id": 1}, [], "orders", None])
def test_unknown_payloads_are_refused(payload: Any) -> None:
    with pytest.raises(MappingError, match="not a Shopify orders page"):
        map_payload(payload)


def test_status_map_covers_every_documented_status(maps: StatusMaps) -> None:
    for key in ORDER_KEYS:
        maps.order(PROVIDER, key)
    for key in FINANCIAL_STATUSES:
        maps.payment(PROVIDER, key)
    assert maps.order(PROVIDER, "partial") is OrderStatus.PARTIALLY_SHIPPED
    assert maps.payment(PROVIDER, "expired") is PaymentStatus.FAILED
