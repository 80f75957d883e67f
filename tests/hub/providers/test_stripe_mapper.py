"""Stripe mapper: every fixture maps and normalises; statuses, money and rejects are exact."""

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
from cbe_app.hub.providers.stripe.mapper import PROVIDER, map_payload
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers" / "stripe"

# Payment records each fixture yields (event_plan_created is about a plan: none; the balance
# transaction list has a payout and a Stripe fee besides its charge and refund).
EXPECTED_RECORDS = {
    "balance_transaction.json": 1,
    "balance_transactions_list.json": 2,
    "charge.json": 1,
    "charges_list.json": 5,
    "event_charge_refunded.json": 1,
    "event_payment_intent_succeeded.json": 1,
    "event_plan_created.json": 0,
    "payment_intent.json": 1,
    "payment_intents_list.json": 3,
    "refund.json": 1,
    "refunds_list.json": 2,
}

# The status enums of the Stripe API reference (docs.stripe.com/api): charge.status,
# payment_intent.status, refund.status, balance_transaction.status.
STATUS_ENUMS = {
    "charge": ("succeeded", "pending", "failed"),
    "payment_intent": (
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
        "requires_capture",
        "canceled",
        "succeeded",
    ),
    "refund": ("pending", "requires_action", "succeeded", "failed", "canceled"),
    "balance_transaction": ("available", "pending"),
    "balance_transaction_refund": ("available", "pending"),
}
# Keys the mapper composes for a succeeded charge from captured / refunded / amount_refunded.
CHARGE_COMPOSITES = ("uncaptured", "uncaptured_refunded", "refunded", "partially_refunded")


@pytest.fixture(scope="module")
def maps() -> StatusMaps:
    return pack_status_maps()


@pytest.fixture(scope="module")
def rates() -> EcbRates:
    return EcbRates()


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def payments(name: str) -> list[MappedPayment]:
    result = map_payload(load(name))
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
    records = payments(name)
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


def test_a_captured_charge_with_its_order_and_buyer(maps: StatusMaps, rates: EcbRates) -> None:
    first = payments("charges_list.json")[0]
    payment = normalised(first, maps, rates)
    assert payment.external_id == "ch_3QfA1b2eZvKYlo2C0a1b2c3d"
    assert (payment.kind, payment.status, payment.provider_status) == (
        "charge",
        PaymentStatus.PAID,
        "charge:succeeded",
    )
    assert (payment.currency, payment.amount_minor, payment.refunded_minor) == ("USD", 4999, 0)
    assert payment.amount_base_minor == 4999 and payment.fx.rate == 1
    assert payment.order_ref == "SO-1001"
    assert payment.customer_email == "ana.silva@example.com"
    assert payment.created_at == datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert payment.source_updated_at is None  # Stripe objects carry no modification time


def test_partial_refunds_zero_decimal_and_isk_amounts(maps: StatusMaps, rates: EcbRates) -> None:
    _, eur, jpy, isk, gbp = (normalised(r, maps, rates) for r in payments("charges_list.json"))
    assert (eur.status, eur.currency, eur.amount_minor, eur.refunded_minor) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        "EUR",
        12000,
        2000,
    )
    assert eur.order_ref == "SO-1002"  # metadata.order
    assert eur.customer_email == "jonas.weber@example.de"  # receipt_email
    assert eur.amount_base_minor == to_minor(Decimal("120.00") * eur.fx.rate, "USD")
    assert (jpy.currency, jpy.amount_minor) == ("JPY", 2980)  # zero-decimal: 2980 yen
    assert (isk.currency, isk.amount_minor) == ("ISK", 5000)  # Stripe's 500000 = 5000 kronur
    assert (gbp.status, gbp.provider_status) == (PaymentStatus.FAILED, "charge:failed")


def test_the_openapi_fixtures_map(maps: StatusMaps, rates: EcbRates) -> None:
    (charge,) = payments("charge.json")
    assert (charge.provider_status, charge.amount, charge.currency) == (
        "charge:uncaptured",
        Decimal("1.00"),
        "USD",
    )
    assert normalised(charge, maps, rates).status is PaymentStatus.AUTHORIZED
    assert charge.created_at == datetime(2009, 2, 13, 23, 31, 30, tzinfo=UTC)
    (intent,) = payments("payment_intent.json")
    assert (intent.external_id, intent.amount) == ("pi_1PgafyB7WZ01zgkWSjxsAJo3", Decimal("10.99"))
    assert normalised(intent, maps, rates).status is PaymentStatus.PENDING
    (refund,) = payments("refund.json")
    assert (refund.kind, normalised(refund, maps, rates).status) == (
        "refund",
        PaymentStatus.REFUNDED,
    )
    (txn,) = payments("balance_transaction.json")
    assert (txn.external_id, txn.kind, txn.provider_status) == (
        "txn_1PgaxNB7WZ01zgkWEV3TLf40",
        "charge",
        "balance_transaction:available",
    )


def test_events_date_the_object_and_skip_other_objects(maps: StatusMaps, rates: EcbRates) -> None:
    (refunded,) = payments("event_charge_refunded.json")
    payment = normalised(refunded, maps, rates)
    assert (payment.status, payment.refunded_minor) == (PaymentStatus.REFUNDED, 2980)
    assert payment.source_updated_at == datetime(2025, 1, 8, 15, tzinfo=UTC)  # event created
    (intent,) = payments("event_payment_intent_succeeded.json")
    assert (intent.provider_status, intent.order_ref) == ("payment_intent:succeeded", "SO-1006")
    assert map_payload(load("event_plan_created.json")).records == []


def test_a_bad_event_object_is_rejected_with_the_whole_event() -> None:
    event = load("event_charge_refunded.json")
    event["data"]["object"]["amount"] = None
    result = map_payload(event)
    (reject,) = result.rejects
    assert (reject.external_id, reject.reason) == (
        "ch_3QfC3d2eZvKYlo2C2c3d4e5f",
        "amount is missing",
    )
    assert reject.raw is event and not result.records


def test_ledger_refunds_are_positive_and_payouts_are_not_payments() -> None:
    charge, refund = payments("balance_transactions_list.json")
    assert (charge.amount, charge.kind) == (Decimal("49.99"), "charge")
    assert (refund.kind, refund.amount, refund.currency) == ("refund", Decimal("20.00"), "EUR")
    assert refund.provider_status == "balance_transaction_refund:pending"


def test_an_expanded_parent_gives_the_order_and_email() -> None:
    refund = copy.deepcopy(load("refund.json"))
    refund["charge"] = load("charges_list.json")["data"][0]
    record, charge = map_payload(refund).records
    assert isinstance(record, MappedPayment)
    assert (record.order_ref, record.customer_email) == ("SO-1001", "Ana.Silva@example.com")
    # The expanded charge comes along as it is now, so its refunded amount stays current.
    assert isinstance(charge, MappedPayment)
    assert (charge.kind, charge.external_id) == ("charge", "ch_3QfA1b2eZvKYlo2C0a1b2c3d")


def test_a_page_of_refunds_yields_each_expanded_charge_once() -> None:
    page = load("refunds_list.json")
    charge = load("charges_list.json")["data"][1] | {"amount_refunded": 3000}
    for refund in page["data"]:
        refund["charge"] = charge  # two partial refunds of one charge
    result = map_payload(page)
    assert [(r.kind, r.external_id) for r in result.records if isinstance(r, MappedPayment)] == [
        ("refund", "re_3QfB2c2eZvKYlo2C1r2s3t4u"),
        ("refund", "re_3QfH8i2eZvKYlo2C7r8s9t0u"),
        ("charge", charge["id"]),
    ]
    refreshed = result.records[2]
    assert isinstance(refreshed, MappedPayment) and refreshed.refunded == Decimal("30.00")
    assert result.raw_of(2) is charge


def test_a_bad_record_is_rejected_and_the_rest_of_the_page_maps() -> None:
    page = load("charges_list.json")
    no_id, text_amount = page["data"][1], page["data"][2]
    del no_id["id"]
    text_amount["amount"] = "29.80"
    result = map_payload(page)
    assert [r.external_id for r in result.records if isinstance(r, MappedPayment)] == [
        "ch_3QfA1b2eZvKYlo2C0a1b2c3d",
        "ch_3QfD4e2eZvKYlo2C3d4e5f6g",
        "ch_3QfE5f2eZvKYlo2C4e5f6g7h",
    ]
    missing, unreadable = result.rejects
    assert (missing.provider, missing.kind, missing.external_id) == (
        PROVIDER,
        RecordKind.PAYMENT,
        "",
    )
    assert missing.reason == "id is missing" and missing.raw is no_id
    assert unreadable.external_id == "ch_3QfC3d2eZvKYlo2C2c3d4e5f"
    assert unreadable.reason == "amount is not a whole number of minor units: '29.80'"
    assert unreadable.raw is text_amount


def test_an_unknown_currency_or_object_is_a_reject() -> None:
    page = {"object": "list", "data": [{"object": "customer", "id": "cus_1"}], "has_more": False}
    (reject,) = map_payload(page).rejects
    assert reject.reason.startswith("object 'customer' is not a charge")
    charge = load("charge.json") | {"currency": "xyz"}
    assert map_payload(charge).rejects[0].reason == "currency is not an ISO 4217 code: 'XYZ'"


@pytest.mark.parametrize(
    "payload", [[], {"object": "customer", "id": "cus_1"}, {"object": "list"}, {"data": []}]
)
def test_an_unknown_shape_is_an_error(payload: Any) -> None:
    with pytest.raises(MappingError):
        map_payload(payload)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"captured": True, "refunded": False, "amount_refunded": 0}, "charge:succeeded"),
        ({"captured": False, "refunded": False}, "charge:uncaptured"),
        (
            {"captured": False, "refunded": True, "amount_refunded": 100},
            "charge:uncaptured_refunded",
        ),
        ({"captured": True, "refunded": True, "amount_refunded": 100}, "charge:refunded"),
        ({"captured": True, "refunded": False, "amount_refunded": 40}, "charge:partially_refunded"),
        ({"status": "pending"}, "charge:pending"),
        ({"status": "failed", "captured": False}, "charge:failed"),
    ],
)
def test_charge_status_keys(changes: dict[str, Any], key: str) -> None:
    (record,) = map_payload(load("charge.json") | changes).records
    assert isinstance(record, MappedPayment) and record.provider_status == key


def test_the_status_map_covers_every_key_the_mapper_makes(maps: StatusMaps) -> None:
    keys = [f"{kind}:{status}" for kind, values in STATUS_ENUMS.items() for status in values]
    keys += [f"charge:{composite}" for composite in CHARGE_COMPOSITES]
    for key in keys:
        assert isinstance(maps.payment(PROVIDER, key), PaymentStatus), key
