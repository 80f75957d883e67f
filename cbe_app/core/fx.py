"""Reference exchange rates (ECB, bundled with `currencyconverter`, so they work offline).

A rate is taken on the order's own date, or the nearest earlier published day when the ECB
published none that day (weekends, holidays, or dates after the bundled file ends). The rate
and the day it comes from are both returned, so stored amounts say where they came from.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from currency_converter import CurrencyConverter

from cbe_app.core.pickling import by_position

RATE_SOURCE = "ECB"
_MAX_LOOKBACK_DAYS = 3660  # ten years: far beyond any real gap, yet the walk always ends


@by_position
@dataclass(frozen=True, slots=True)
class FxRate:
    """How many units of `target` one unit of `source` buys, as published on `rate_date`."""

    source: str
    target: str
    rate: Decimal
    rate_date: date
    provider: str = RATE_SOURCE


class UnknownRate(LookupError):
    """No reference rate exists for this currency pair on or before the date."""


@functools.cache
def _ecb() -> CurrencyConverter:
    # Loading parses the bundled history once per process (about half a second).
    return CurrencyConverter(decimal=True)


def _per_euro(currency: str, on: date) -> tuple[Decimal, date] | None:
    """ECB's units of `currency` per euro on `on`, or on the nearest earlier published day."""
    if currency == "EUR":
        return Decimal(1), on
    rates = _ecb()._rates.get(currency)
    if not rates:
        return None
    bounds = _ecb().bounds[currency]
    day = min(on, bounds.last_date)
    for _ in range(_MAX_LOOKBACK_DAYS):
        if day < bounds.first_date:
            return None
        value = rates.get(day)
        if value is not None:
            return Decimal(value), day
        day -= timedelta(days=1)
    return None


def reference_rate(source: str, target: str, on: date) -> FxRate:
    """The ECB reference rate from `source` to `target` for a day.

    Raises:
        UnknownRate: when the ECB never published one of the currencies by that day.
    """
    source, target = source.upper(), target.upper()
    if source == target:
        return FxRate(source, target, Decimal(1), on)
    src = _per_euro(source, on)
    dst = _per_euro(target, on)
    if src is None or dst is None:
        missing = source if src is None else target
        raise UnknownRate(f"No ECB reference rate for {missing} on or before {on.isoformat()}")
    rate = (dst[0] / src[0]).quantize(Decimal("1e-10")).normalize()
    return FxRate(source, target, rate, min(src[1], dst[1]))
