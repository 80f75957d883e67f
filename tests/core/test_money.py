from decimal import Decimal

import pytest

from cbe_app.core.money import convert_minor, from_minor, minor_exponent, to_minor


@pytest.mark.parametrize(("currency", "places"), [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3)])
def test_minor_exponent_comes_from_cldr(currency: str, places: int) -> None:
    assert minor_exponent(currency) == places


def test_unknown_currency_is_refused_with_its_code() -> None:
    with pytest.raises(ValueError, match="XYZ"):
        minor_exponent("XYZ")


def test_round_trip_keeps_exact_amounts() -> None:
    assert to_minor(Decimal("12.34"), "USD") == 1234
    assert from_minor(1234, "USD") == Decimal("12.34")
    assert str(from_minor(1234, "USD")) == "12.34"
    assert str(from_minor(2980, "JPY")) == "2980"
    assert str(from_minor(5, "USD")) == "0.05"


def test_rounding_is_half_even() -> None:
    assert to_minor("0.125", "USD") == 12
    assert to_minor("0.135", "USD") == 14
    assert to_minor("100.5", "JPY") == 100


def test_convert_minor_uses_target_places() -> None:
    # 10,000 JPY at 0.0066329 USD per JPY = 66.329 USD -> 6633 cents
    assert convert_minor(10_000, "JPY", "USD", Decimal("0.0066329")) == 6633
    # 19.99 EUR at 1.0823 = 21.635... USD
    assert convert_minor(1999, "EUR", "USD", Decimal("1.0823")) == 2164


def test_converting_to_the_same_currency_at_one_keeps_the_amount() -> None:
    for currency in ("USD", "JPY", "KWD"):
        for minor in (0, 1, 5, 1999, 10**15 + 7):
            assert convert_minor(minor, currency, currency, Decimal(1)) == minor
            assert convert_minor(minor, currency, currency, Decimal("1.000")) == minor
    # A rate other than one still converts, even between the same codes.
    assert convert_minor(1000, "USD", "USD", Decimal("1.5")) == 1500
