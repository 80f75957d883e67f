"""Recording stock history: the stock levels of now, kept as the stock of a day.

Each product's units are worth its unit cost in the base currency at the ECB reference rate
of that day (the cost is kept in the supplier's currency). Recording the same day again
replaces its rows, so an hourly job leaves the day's last levels: its end-of-day stock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Table, select
from sqlmodel import Session

from cbe_app.core.fx import FxRate, UnknownRate, reference_rate
from cbe_app.core.money import convert_minor
from cbe_app.db import upsert
from cbe_app.hub.catalog import Product, StockLevel
from cbe_app.hub.inventory import StockDay

STOCK_DAYS: Table = StockDay.__table__  # type: ignore[attr-defined]
_LEVELS: Table = StockLevel.__table__  # type: ignore[attr-defined]
_PRODUCTS: Table = Product.__table__  # type: ignore[attr-defined]


@dataclass
class StockRecord:
    """What recording a day wrote, and the products it could not value (and why)."""

    rows: int = 0
    unvalued: dict[str, str] = field(default_factory=dict)  # SKU -> reason


class DayRates:
    """Reference rates into the base currency for one day, looked up once per currency."""

    def __init__(self, base_currency: str, day: date) -> None:
        self.base, self.day = base_currency, day
        self._found: dict[str, FxRate] = {}

    def convert(self, minor: int, currency: str) -> int:
        """`minor` units of `currency` in minor units of the base currency.

        Raises:
            UnknownRate: the ECB never published a rate for the currency by that day.
        """
        rate = self._found.get(currency)
        if rate is None:
            rate = self._found[currency] = reference_rate(currency, self.base, self.day)
        return convert_minor(minor, currency, self.base, rate.rate)


def record_stock_day(session: Session, day: date, base_currency: str, now: datetime) -> StockRecord:
    """Keep the current stock levels as the stock of `day`, each valued at cost."""
    levels = session.execute(
        select(
            _LEVELS.c.warehouse_id,
            _LEVELS.c.product_id,
            _LEVELS.c.on_hand,
            _PRODUCTS.c.sku,
            _PRODUCTS.c.unit_cost_minor,
            _PRODUCTS.c.cost_currency,
        ).join(_PRODUCTS, _PRODUCTS.c.id == _LEVELS.c.product_id)
    ).all()
    rates, record, rows = DayRates(base_currency, day), StockRecord(), []
    for level in levels:
        units = max(level.on_hand, 0)  # a count below zero is a booking error, not stock
        try:
            value = rates.convert(units * level.unit_cost_minor, level.cost_currency)
        except UnknownRate as exc:
            record.unvalued[level.sku] = str(exc)
            continue
        rows.append(
            {
                "day": day,
                "warehouse_id": level.warehouse_id,
                "product_id": level.product_id,
                "on_hand": units,
                "value_base_minor": value,
                "recorded_at": now,
            }
        )
    upsert(session, STOCK_DAYS, rows, keys=["day", "warehouse_id", "product_id"])
    record.rows = len(rows)
    return record
