"""PayPal mapper: every fixture maps and normalises; statuses, money and rejects are exact."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cbe_app.core.money import to_minor
from cbe_app.hub.canonical import MappedPayment, PaymentStatus, RecordKind
from cbe_app.hub.normalise import EcbRates, Payment, normalise_payment
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.providers.paypal.mapper import PROVIDER, map_payload
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers" / "paypal"

# Payment records each fixture yields: the Transaction Search page also holds two currency
# conversions, a payment the seller sent and a bank withdrawal, which are not payments.
EXPECTED_RECORDS = {
    "authorization.json": 1,
    "capture.json": 1,
    "refund.json": 1,
    "transactions_page.json": 6,
    "webhook_payment_capture_completed.json": 1,
    "webhook_payment_capture_refunded.json": 1,
}

# Status enums from PayPal's OpenAPI specs: reporting_transactions_v1 transaction_status, and
# payments_payment_v2 capture_status, authorization_status and refund_status.
TRANSACTION_STATUS = ("D", "P", "S", "V")
STATUS_ENUMS = {
    "transaction": TRANSACTION_STATUS,
    "transaction_refund": TRANSACTION_STATUS,
    "capture": ("COMPLETED", "DECLINED", "PARTIALLY_REFUNDED", "PENDING", "REFUNDED", "FAILED"),
    "authorization": ("CREATED", "CAPTURED", "DENIED", "PARTIALLY_CAPTURED", "VOIDED", "PENDING"),
    "refund": ("CANCELLED", "FAILED", "PENDING", "COMPLETED"),
}


@pytest.fixture(scope="module")
def maps() -> StatusMaps:
    return pack_status_maps()


@pytest.fixture(scope="module")
def rates() -> EcbRates:
    return EcbRates()


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def payments(payload: Any) -> list[MappedPayment]:
    result = map_payload(payload)
    assert not result.rejects
    records = [r for r in result.records if isinstance(r, MappedPayment)]
    assert len(records) == len(result.records)
    return records


def normalised(record: MappedPayment, maps: StatusMaps, rates: EcbRates) -> Payment:
    return normalise_payment(record, maps, rates, "USD")


def test_the_expected_fixtures_are_there() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.json")) == sorted(EXPECTED_RECORDS)


@pytest.mark.parametrize("name", sorted(EXPECTED_RECORDS))
def test_every_fixture_maps_and_normalises(name: str, maps: StatusMaps, rates: EcbRates) -> None:
    records = payments(load(name))
    assert len(records) == EXPECTED_RECORDS[name]
    for record in records:
        payment = normalised(record, maps, rates)
        assert payment.provider == PROVIDER and payment.kind in {"charge", "refund"}
        assert payment.amount_minor >= 0


@pytest.mark.parametrize("name", sorted(EXPECTED_RECORDS))
def test_each_record_keeps_a_raw_payload_that_maps_to_it_again(name: str) -> None:
    result = map_payload(load(name))
    for index, record in enumerate(result.records):
        raw = result.raw_of(index)
        assert raw is not None
        assert map_payload(raw).records == [record]


def test_a_checkout_payment_and_its_refund_from_transaction_search(
    maps: StatusMaps, rates: EcbRates
) -> None:
    by_id = {r.external_id: r for r in payments(load("transactions_page.json"))}
    sale = normalised(by_id["1FN09943JY662130R"], maps, rates)
    assert (sale.kind, sale.status, sale.provider_status) == (
        "charge",
        PaymentStatus.PAID,
        "transaction:S",
    )
    assert (sale.currency, sale.amount_minor, sale.amount_base_minor) == ("USD", 4500, 4500)
    assert (sale.order_ref, sale.customer_email) == ("SO-2001", "maria.lopez@example.com")
    assert sale.created_at == datetime(2025, 1, 6, 9, 14, 22, tzinfo=UTC)
    refund = normalised(by_id["5MY68312XY824091W"], maps, rates)
    assert (refund.kind, refund.status, refund.provider_status) == (
        "refund",
        PaymentStatus.REFUNDED,
        "transaction_refund:S",
    )
    assert (refund.amount_minor, refund.order_ref) == (1500, "SO-2001")  # -15.00 made positive


def test_transaction_search_statuses_currencies_and_references(
    maps: StatusMaps, rates: EcbRates
) -> None:
    by_id = {
        r.external_id: normalised(r, maps, rates) for r in payments(load("transactions_page.json"))
    }
    eur = by_id["7GH41286KD553620B"]
    assert (eur.currency, eur.amount_minor) == ("EUR", 8990)
    assert eur.amount_base_minor == to_minor(Decimal("89.90") * eur.fx.rate, "USD")
    jpy = by_id["9KL20475BN338164T"]
    assert (jpy.status, jpy.currency, jpy.amount_minor) == (PaymentStatus.PENDING, "JPY", 2980)
    assert jpy.order_ref == "SO-2003"  # custom_field: no invoice_id on this payment
    assert jpy.source_updated_at == datetime(2025, 1, 9, 2, 25, 44, tzinfo=UTC)
    reversed_sale = by_id["2WD73819CE405627N"]
    assert (reversed_sale.status, reversed_sale.refunded_minor) == (PaymentStatus.REFUNDED, 2000)
    assert by_id["6PA38104LK922517X"].status is PaymentStatus.FAILED
    skipped = {"0TB51984SG1173029", "3UX92045MA7713248", "4RS62918TU140385V", "8QE57201HJ663918D"}
    assert not skipped & set(by_id)


def test_payments_v2_objects(maps: StatusMaps, rates: EcbRates) -> None:
    (capture,) = payments(load("capture.json"))
    payment = normalised(capture, maps, rates)
    assert (payment.external_id, payment.kind, payment.status) == (
        "1FN09943JY662130R",
        "charge",
        PaymentStatus.PARTIALLY_REFUNDED,
    )
    assert (payment.amount_minor, payment.order_ref, payment.customer_email) == (
        4500,
        "SO-2001",
        None,
    )
    assert payment.source_updated_at == datetime(2025, 1, 8, 11, 2, 41, tzinfo=UTC)
    (authorization,) = payments(load("authorization.json"))
    assert (authorization.provider_status, authorization.amount, authorization.currency) == (
        "authorization:CREATED",
        Decimal("129.00"),
        "EUR",
    )
    assert normalised(authorization, maps, rates).status is PaymentStatus.AUTHORIZED
    (refund,) = payments(load("refund.json"))
    assert (refund.kind, refund.provider_status, refund.amount) == (
        "refund",
        "refund:COMPLETED",
        Decimal("15.00"),
    )
    assert refund.created_at == datetime(2025, 1, 8, 11, 2, 41, tzinfo=UTC)  # from -08:00


def test_webhooks_carry_their_resource(maps: StatusMaps, rates: EcbRates) -> None:
    (capture,) = payments(load("webhook_payment_capture_completed.json"))
    payment = normalised(capture, maps, rates)
    assert (payment.external_id, payment.status, payment.currency) == (
        "3C679366HH908993F",
        PaymentStatus.PAID,
        "AUD",
    )
    assert (payment.amount_minor, payment.order_ref) == (6495, "SO-2007")
    (refund,) = payments(load("webhook_payment_capture_refunded.json"))
    assert (refund.kind, refund.external_id, refund.order_ref) == (
        "refund",
        "1JU08902781691411",
        "SO-2004",
    )
    order_approved = {"event_type": "CHECKOUT.ORDER.APPROVED", "resource_type": "checkout-order"}
    assert map_payload(order_approved | {"resource": {"id": "5O190127TN364715T"}}).records == []


def test_a_bad_webhook_resource_is_rejected_with_the_whole_event() -> None:
    event = load("webhook_payment_capture_completed.json")
    del event["resource"]["create_time"]
    (reject,) = map_payload(event).rejects
    assert (reject.external_id, reject.reason) == ("3C679366HH908993F", "create_time is missing")
    assert reject.raw is event


@pytest.mark.parametrize(
    ("drop", "kind"),
    [
        ("capture.json", "capture"),
        ("authorization.json", "authorization"),
        ("refund.json", "refund"),
    ],
)
def test_objects_without_links_are_told_apart_by_their_fields(drop: str, kind: str) -> None:
    obj = load(drop)
    del obj["links"]
    (record,) = payments(obj)
    assert record.provider_status.startswith(f"{kind}:")


def test_a_bad_row_is_rejected_and_the_rest_of_the_page_maps() -> None:
    page = load("transactions_page.json")
    no_id, bad_amount = page["transaction_details"][0], page["transaction_details"][1]
    del no_id["transaction_info"]["transaction_id"]
    bad_amount["transaction_info"]["transaction_amount"]["value"] = "89,90"
    result = map_payload(page)
    assert len(result.records) == 4
    missing, unreadable = result.rejects
    assert (missing.provider, missing.kind, missing.external_id) == (
        PROVIDER,
        RecordKind.PAYMENT,
        "",
    )
    assert missing.reason == "transaction_id is missing" and missing.raw is no_id
    assert unreadable.external_id == "7GH41286KD553620B"
    assert unreadable.reason == "transaction_amount.value is not a number: '89,90'"
    assert unreadable.raw is bad_amount


def test_a_row_without_an_event_code_is_rejected_not_skipped() -> None:
    row = copy.deepcopy(load("transactions_page.json")["transaction_details"][0])
    del row["transaction_info"]["transaction_event_code"]
    (reject,) = map_payload({"transaction_details": [row], "total_pages": 1}).rejects
    assert reject.reason == "transaction_event_code is missing"


@pytest.mark.parametrize(
    "payload",
    [[], {"id": "5O190127TN364715T", "status": "COMPLETED", "intent": "CAPTURE"}, {"foo": 1}],
)
def test_an_unknown_shape_is_an_error(payload: Any) -> None:
    with pytest.raises(MappingError):
        map_payload(payload)


def test_the_status_map_covers_every_documented_status(maps: StatusMaps) -> None:
    for source, statuses in STATUS_ENUMS.items():
        for status in statuses:
            key = f"{source}:{status}"
            assert isinstance(maps.payment(PROVIDER, key), PaymentStatus), key
