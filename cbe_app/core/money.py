"""Money as integers of the currency's minor units, with exact conversion to and from Decimal.

Amounts are stored as minor units (cents, pence, yen) so sums are exact on SQLite and
PostgreSQL alike; `Decimal` is what users and APIs see. Minor-unit exponents come from CLDR
(through Babel), so JPY has none and KWD has three.
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_EVEN, Decimal

from babel.numbers import get_currency_precision, list_currencies


@functools.cache
def minor_exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has (USD 2, JPY 0)."""
    code = currency.upper()
    if code not in list_currencies():
        raise ValueError(f"Unknown currency code {currency!r}")
    return int(get_currency_precision(code))


@functools.cache
def _scale(currency: str) -> tuple[Decimal, Decimal]:
    # (10 ** exponent, the quantum of one minor unit), worked out once per currency: a large
    # sync converts millions of amounts.
    exponent = minor_exponent(currency)
    return Decimal(10) ** exponent, Decimal(1).scaleb(-exponent)


_ONE = Decimal(1)


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """An amount in major units (Decimal('12.34') USD) as minor units (1234), rounded half-even."""
    scale, _ = _scale(currency)
    exact = amount if type(amount) is Decimal else Decimal(amount)
    return int((exact * scale).quantize(_ONE, ROUND_HALF_EVEN))


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units (1234) as a Decimal amount in major units with the currency's places (12.34)."""
    scale, quantum = _scale(currency)
    return (Decimal(minor) / scale).quantize(quantum)


def convert_minor(minor: int, source: str, target: str, rate: Decimal) -> int:
    """Minor units of `source` as minor units of `target` at `rate` (target per source)."""
    if source == target and rate == _ONE:  # most of a shop's orders: nothing to convert
        return minor
    return to_minor(from_minor(minor, source) * rate, target)
