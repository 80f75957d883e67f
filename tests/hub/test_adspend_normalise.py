"""Ad spend made canonical: days, amounts and counts as exports write them, ISO codes, and the
base amount at the ECB rate of the day (the nearest earlier published one on a weekend)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from cbe_app.core.fx import FxRate, UnknownRate, reference_rate
from cbe_app.hub.canonical import MappedAdSpend
from cbe_app.hub.normalise import EcbRates, NormalisationError
from cbe_app.hub.normalise_adspend import normalise_ad_spend, read_amount, read_count, read_day

SUNDAY = date(2026, 3, 1)  # the ECB publishes no rate at weekends: Friday 27 February's holds


def spend(**changes: object) -> MappedAdSpend:
    fields: dict[str, object] = {
        "provider": "adspend",
        "day": SUNDAY,
        "platform": " Google Ads ",
        "campaign": "Shopping - DE",
        "country": "Germany",
        "currency": "eur",
        "spend": Decimal("20.00"),
        "impressions": 2000,
        "clicks": 40,
        "row": 7,
    }
    return MappedAdSpend(**(fields | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2026-03-01", SUNDAY),
        ("2026/03/01", SUNDAY),
        ("2026.3.1", SUNDAY),
        ("20260301", SUNDAY),
        ("2026年3月1日", SUNDAY),
        ("2026-03-01T00:00:00", SUNDAY),  # an Excel date cell, as the file reader passes it
        ("2026-03-01 00:00:00", SUNDAY),
        ("01.03.2026", SUNDAY),  # dots: always day first
        ("13/03/2026", date(2026, 3, 13)),  # 13 cannot be a month
        ("03/13/2026", date(2026, 3, 13)),
        ("03/03/2026", date(2026, 3, 3)),
        ("Mar 01, 2026", SUNDAY),  # Amazon Ads
        ("March 1, 2026", SUNDAY),
        (date(2026, 3, 1), SUNDAY),
        (datetime(2026, 3, 1, 23, 59), SUNDAY),
    ],
)
def test_days_in_the_forms_exports_write(written: object, day: date) -> None:
    assert read_day(written) == day


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("01/03/2026", "could be 1 March 2026 or 3 January 2026; write it as 2026-03-01"),
        ("2026-02-30", "day '2026-02-30' is not a date"),
        ("next Monday", "is not a date; write it as YYYY-MM-DD"),
        ("", "the day is missing"),
        (None, "the day is missing"),
    ],
)
def test_a_day_that_needs_a_guess_is_refused_with_the_reason(written: object, reason: str) -> None:
    with pytest.raises(NormalisationError, match=reason.replace("(", r"\(")):
        read_day(written)


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("¥1,234.50", Decimal("1234.50")),
        ("¥1,234", Decimal(1234)),
        ("US$ 12.00", Decimal("12.00")),
        ("USD 1,234.50", Decimal("1234.50")),
        ("1.234,50 €", Decimal("1234.50")),
        ("1 234,5", Decimal("1234.5")),
        ("12,5", Decimal("12.5")),
        ("12元", Decimal(12)),
        ("(5.00)", Decimal("-5.00")),
        ("-$5", Decimal(-5)),
        (12.5, Decimal("12.5")),
        (7, Decimal(7)),
    ],
)
def test_amounts_with_signs_codes_and_separators(written: object, amount: Decimal) -> None:
    assert read_amount(written, "spend") == amount


@pytest.mark.parametrize("written", ["12abc", "abc", "1,2,3", float("nan"), True])
def test_what_is_not_an_amount_is_refused(written: object) -> None:
    with pytest.raises(NormalisationError, match="spend is not a number"):
        read_amount(written, "spend")
    with pytest.raises(NormalisationError, match="spend is missing"):
        read_amount("--", "spend")


def test_counts_are_whole_numbers_or_nothing() -> None:
    assert [read_count(v, "clicks") for v in ("12,345", 12.0, 7, "--", "", None)] == [
        12345,
        12,
        7,
        None,
        None,
        None,
    ]
    for bad in ("12.5", "-3", "many", -1):
        with pytest.raises(NormalisationError, match="clicks must be a whole number of 0 or more"):
            read_count(bad, "clicks")


def test_a_weekend_day_is_converted_at_the_last_published_rate() -> None:
    record = normalise_ad_spend(spend(), EcbRates(), "USD")
    friday = reference_rate("EUR", "USD", date(2026, 2, 27))
    assert record.fx == reference_rate("EUR", "USD", SUNDAY)
    assert (record.fx.rate, record.fx.rate_date) == (friday.rate, date(2026, 2, 27))
    assert record.key == (SUNDAY, "Google Ads", "Shopping - DE", "DE")
    assert (record.currency, record.spend_minor) == ("EUR", 2000)
    assert record.spend_base_minor == round(2000 * friday.rate)
    assert record.ref == "2026-03-01|Google Ads|Shopping - DE|Germany"  # as the rows named it
    assert record.as_contract() == {
        "kind": "ad_spend",
        "provider": "adspend",
        "day": "2026-03-01",
        "platform": "Google Ads",
        "campaign": "Shopping - DE",
        "country": "DE",
        "currency": "EUR",
        "spend": "20.00",
        "base_currency": "USD",
        "spend_base": str(Decimal(record.spend_base_minor).scaleb(-2)),
        "fx_rate": format(friday.rate, "f"),
        "fx_date": "2026-02-27",
        "impressions": 2000,
        "clicks": 40,
    }


def test_no_country_and_no_counts_are_allowed() -> None:
    for blank in ("", "--", "Unknown"):
        record = normalise_ad_spend(spend(country=blank, impressions=None), EcbRates(), "EUR")
        assert (record.country, record.impressions, record.spend_base_minor) == ("", None, 2000)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"currency": "XYZ"}, "row 7: unknown currency 'XYZ'"),
        ({"currency": ""}, "row 7: the currency is missing"),
        ({"spend": Decimal("-5.00")}, "row 7: spend is negative: -5.00"),
        ({"country": "Narnia"}, "row 7: unknown country 'Narnia'"),
        ({"platform": "  "}, "row 7: the platform is missing"),
        ({"platform": "x" * 41}, "row 7: platform 'xxxx"),
        ({"campaign": "c" * 201}, "row 7: campaign 'cccc"),
        ({"clicks": -1, "row": 0}, "clicks is negative: -1"),
    ],
)
def test_what_cannot_be_canonical_says_why(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(NormalisationError) as caught:
        normalise_ad_spend(spend(**changes), EcbRates(), "USD")
    assert str(caught.value).startswith(reason)


class NoRates:
    def rate(self, currency: str, base: str, day: date) -> FxRate:
        raise UnknownRate(f"No ECB reference rate for {currency} on or before {day}")


def test_a_currency_without_a_reference_rate_says_so() -> None:
    with pytest.raises(NormalisationError, match="row 7: No ECB reference rate for EUR"):
        normalise_ad_spend(spend(), NoRates(), "USD")
