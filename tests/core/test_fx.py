from datetime import date
from decimal import Decimal

import pytest

from cbe_app.core.fx import UnknownRate, reference_rate


def test_same_currency_is_one() -> None:
    rate = reference_rate("usd", "USD", date(2025, 3, 1))
    assert rate.rate == Decimal(1)
    assert rate.rate_date == date(2025, 3, 1)


def test_ecb_rate_of_a_published_day() -> None:
    # ECB published EUR/USD 1.0411 on 2025-02-28 (the bundled eurofxref history).
    rate = reference_rate("EUR", "USD", date(2025, 2, 28))
    assert rate.rate_date == date(2025, 2, 28)
    assert rate.rate == Decimal("1.0411")
    assert rate.provider == "ECB"


def test_weekend_takes_the_nearest_earlier_published_day() -> None:
    saturday = date(2025, 3, 1)
    rate = reference_rate("EUR", "USD", saturday)
    assert rate.rate_date == date(2025, 2, 28)
    assert rate.rate == reference_rate("EUR", "USD", date(2025, 2, 28)).rate


def test_cross_rate_goes_through_the_euro() -> None:
    on = date(2025, 2, 28)
    jpy_usd = reference_rate("JPY", "USD", on).rate
    eur_usd = reference_rate("EUR", "USD", on).rate
    eur_jpy = reference_rate("EUR", "JPY", on).rate
    assert abs(jpy_usd - eur_usd / eur_jpy) < Decimal("1e-9")


def test_dates_after_the_bundled_history_use_its_last_day() -> None:
    far = reference_rate("EUR", "GBP", date(2099, 1, 1))
    assert far.rate_date < date(2099, 1, 1)
    assert far.rate > 0


def test_before_a_currency_existed_is_an_error() -> None:
    with pytest.raises(UnknownRate, match="CNY"):
        reference_rate("CNY", "USD", date(2000, 1, 3))
