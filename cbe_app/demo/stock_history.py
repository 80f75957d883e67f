"""The demo's stock history: what each warehouse held on the days before today.

A company's ERP keeps this; the demo makes it up the way stock really moves, backwards from
the levels it holds today: each earlier day held what the later day held plus what sold in
between, and whenever that climbs past the item's order-up-to level, a delivery must have
arrived that day (of about one replenishment cycle's demand, in whole cases). Demand follows
the same volume curve and product popularity as the demo's orders, so turnover computed from
the real order lines against this stock comes out the way a seller's does (several turns a
year). The last 120 days are kept day by day, earlier ones weekly, as ERPs thin out history.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from cbe_app.core.fx import UnknownRate
from cbe_app.db import upsert
from cbe_app.demo.catalogue import COVER_DAYS, UNITS_PER_ORDER
from cbe_app.demo.records import DemoDataset
from cbe_app.hub.catalog import Product, Warehouse
from cbe_app.hub.stock_history import STOCK_DAYS, DayRates

DAILY_DAYS = 120  # kept day by day; before that, one day a week
_CHUNK = 5_000
_WAREHOUSES: Table = Warehouse.__table__  # type: ignore[attr-defined]
_PRODUCTS: Table = Product.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class StockDayRec:
    """Units of a SKU in a warehouse at the end of a day."""

    day: date
    warehouse_code: str
    sku: str
    on_hand: int


def _kept(day: date, end: date) -> bool:
    return (end - day).days < DAILY_DAYS or day.weekday() == 6


def stock_history(data: DemoDataset) -> Iterator[StockDayRec]:
    """Every warehouse's units of every SKU on the kept days of the demo period (see above)."""
    expected = data.expected_orders()
    days = sorted(expected, reverse=True)  # from today backwards
    popularity = dict(zip((p.sku for p in data.products), data.popularity(), strict=True))
    held: dict[str, int] = {}
    for record in data.stock:
        held[record.sku] = held.get(record.sku, 0) + record.on_hand
    case_pack = {p.sku: max(p.case_pack, 1) for p in data.products}
    for record in data.stock:
        rng = random.Random(f"cbe-demo-stock/{data.seed}/{record.warehouse_code}/{record.sku}")  # noqa: S311 - demo data
        # The warehouse's part of the SKU's demand: where it is stocked deeper, it sells more.
        share = record.on_hand / held[record.sku] if held[record.sku] else 1 / len(data.warehouses)
        rate = UNITS_PER_ORDER * popularity[record.sku] * share
        mean_daily = rate * sum(expected.values()) / max(len(expected), 1)
        # Deliveries of 50–90 % of the usual cover, arriving when stock would pass 130 % of it
        # (or today's level, if that is higher): stock swings around what is there today.
        cover = COVER_DAYS[record.warehouse_code]
        top = max(mean_daily * cover * 1.3, record.on_hand)
        cycle = cover * rng.uniform(0.5, 0.9)
        level = record.on_hand
        for day in days:
            if _kept(day, data.end):
                yield StockDayRec(day, record.warehouse_code, record.sku, level)
            sold = _sold(rng, rate * expected[day])
            level += sold  # the day before held this day's stock and this day's sales
            if level > top:  # so a delivery came in on this day
                delivery = round(mean_daily * cycle / case_pack[record.sku]) * case_pack[record.sku]
                level = max(level - max(delivery, case_pack[record.sku]), 0)


def _sold(rng: random.Random, mean: float) -> int:
    """Units sold on a day: the expected number, give or take as days go."""
    return max(0, round(rng.gauss(mean, mean**0.5))) if mean > 0 else 0


def load_stock_history(
    session: Session, data: DemoDataset, base_currency: str, now: datetime
) -> int:
    """Write the demo's stock history (valued at cost at each day's ECB rate); returns rows."""
    warehouses: dict[str, int] = {
        row.code: row.id for row in session.execute(select(_WAREHOUSES.c.code, _WAREHOUSES.c.id))
    }
    products = {
        row.sku: row
        for row in session.execute(
            select(
                _PRODUCTS.c.sku,
                _PRODUCTS.c.id,
                _PRODUCTS.c.unit_cost_minor,
                _PRODUCTS.c.cost_currency,
            )
        )
    }
    rates: dict[date, DayRates] = {}
    written, chunk = 0, []
    for record in stock_history(data):
        product = products.get(record.sku)
        if product is None or record.warehouse_code not in warehouses:
            continue
        day_rates = rates.setdefault(record.day, DayRates(base_currency, record.day))
        try:
            value = day_rates.convert(
                record.on_hand * product.unit_cost_minor, product.cost_currency
            )
        except UnknownRate:
            continue  # not valued: the live recording names such products
        chunk.append(_row(record, warehouses[record.warehouse_code], product.id, value, now))
        if len(chunk) == _CHUNK:
            written += _write(session, chunk)
            chunk = []
    return written + _write(session, chunk)


def _row(
    record: StockDayRec, warehouse_id: int, product_id: int, value: int, now: datetime
) -> dict[str, Any]:
    return {
        "day": record.day,
        "warehouse_id": warehouse_id,
        "product_id": product_id,
        "on_hand": record.on_hand,
        "value_base_minor": value,
        "recorded_at": now,
    }


def _write(session: Session, rows: list[dict[str, Any]]) -> int:
    # Insert-if-missing: a re-load never overwrites a day the app itself recorded.
    upsert(session, STOCK_DAYS, rows, keys=["day", "warehouse_id", "product_id"], update=())
    return len(rows)
