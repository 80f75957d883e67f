"""Inventory turnover, CAC and CAC/LTV against the same figures worked out by hand.

Stock is recorded day by day from the stock levels (as the hourly job does), sales are summed
from the order lines, ad spend sits in its table, and every KPI is compared with a plain
Python reckoning over the very same records, converted at the same ECB rates.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from cbe_app.core.fx import reference_rate
from cbe_app.core.money import convert_minor
from cbe_app.db import session_scope
from cbe_app.hub.catalog import StockLevel
from cbe_app.hub.orders import OrderLine
from cbe_app.hub.stock_history import STOCK_DAYS, record_stock_day
from cbe_app.reports.catalog import AD_SPEND, CHANNELS, ORDERS, PRODUCTS, WAREHOUSES
from cbe_app.reports.inventory import SALES_DAYS, record_inventory, record_sales_days
from cbe_app.reports.service import compact_rollups, run_kpi
from tests.conftest import Backend
from tests.reports.dataset import REGION, Business, build, write

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
FIRST = date(2026, 2, 20)
DAYS = 28
# sku: (category, unit cost in minor units, cost currency)
PRODUCT_COSTS = {
    "EAR-01": ("audio", 8_500, "CNY"),
    "LMP-02": ("home", 1_250, "USD"),
    "MUG-03": ("home", 990, "EUR"),
}
SOLD = ("awaiting_fulfillment", "shipped", "delivered")
NOT_SOLD = ("pending", "cancelled", "returned")
STOCK_LEVELS = StockLevel.__table__  # type: ignore[attr-defined]
ORDER_LINES = OrderLine.__table__  # type: ignore[attr-defined]


def _turnover(cogs: int, days: int, value: int) -> str | None:
    """COGS × days ÷ Σ stock value, as the KPI's formula works it out (four places)."""
    if not value:
        return None
    amount = (Decimal(cogs) / 100) * days / (Decimal(value) / 100)
    return str(amount.quantize(Decimal("0.0001")))


def _base(minor: int, currency: str, day: date) -> int:
    rate = reference_rate(currency, "USD", day)
    return convert_minor(minor, currency, "USD", rate.rate)


class Shop:
    """Products, two warehouses, 28 days of stock and orders, recorded as the jobs would."""

    def __init__(self, seed: int = 3) -> None:
        self.rng = random.Random(seed)
        self.stock: dict[date, dict[tuple[int, str], int]] = {}
        self.lines: list[tuple[int, date, str, int]] = []  # order, day, sku, units
        self.status: dict[int, str] = {}  # order -> status

    def write(self) -> None:
        with session_scope() as session:
            connection = session.connection()
            connection.execute(
                insert(CHANNELS),
                [{"id": 1, "code": "c1", "name": "Shop", "provider": "shopify", "created_at": NOW}],
            )
            connection.execute(
                insert(WAREHOUSES),
                [
                    {"id": 1, "code": "SZX", "name": "Shenzhen", "country": "CN", "city": ""},
                    {"id": 2, "code": "LEJ", "name": "Leipzig", "country": "DE", "city": ""},
                ],
            )
            connection.execute(
                insert(PRODUCTS),
                [
                    {
                        "id": n,
                        "sku": sku,
                        "name": sku.title(),
                        "category": category,
                        "unit_cost_minor": cost,
                        "cost_currency": currency,
                        **_product_defaults(),
                    }
                    for n, (sku, (category, cost, currency)) in enumerate(
                        PRODUCT_COSTS.items(), start=1
                    )
                ],
            )
            connection.execute(
                insert(STOCK_LEVELS),
                [
                    {
                        "warehouse_id": w,
                        "product_id": p,
                        "on_hand": 0,
                        "reserved": 0,
                        "updated_at": NOW,
                    }
                    for w in (1, 2)
                    for p in (1, 2, 3)
                ],
            )
        self._orders()
        for offset in range(DAYS):
            self._record_day(FIRST + timedelta(days=offset))

    def _orders(self) -> None:
        skus = list(PRODUCT_COSTS)
        order_rows, line_rows = [], []
        for n in range(1, 161):
            day = FIRST + timedelta(days=self.rng.randrange(DAYS))
            at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                seconds=self.rng.randrange(86_400)
            )
            self.status[n] = self.rng.choice(SOLD + NOT_SOLD)
            order_rows.append(_order(n, at, self.status[n]))
            for line_no, sku in enumerate(self.rng.sample(skus, self.rng.randrange(1, 3)), 1):
                units = self.rng.randrange(1, 4)
                line_rows.append(
                    {
                        "order_id": n,
                        "line_no": line_no,
                        "sku": sku,
                        "product_id": skus.index(sku) + 1,
                        "quantity": units,
                        "unit_price_minor": 2_000 + 100 * line_no,
                    }
                )
                self.lines.append((n, day, sku, units))
        with session_scope() as session:
            session.connection().execute(insert(ORDERS), order_rows)
            session.connection().execute(insert(ORDER_LINES), line_rows)

    def _record_day(self, day: date) -> None:
        levels = {(w, sku): self.rng.randrange(0, 400) for w in (1, 2) for sku in PRODUCT_COSTS}
        self.stock[day] = levels
        with session_scope() as session:
            for (warehouse, sku), units in levels.items():
                session.execute(
                    update(STOCK_LEVELS)
                    .where(
                        STOCK_LEVELS.c.warehouse_id == warehouse,
                        STOCK_LEVELS.c.product_id == list(PRODUCT_COSTS).index(sku) + 1,
                    )
                    .values(on_hand=units)
                )
            record_stock_day(session, day, "USD", NOW)

    def turnover(self, by: str | None, first: date, last: date) -> dict[Any, str | None]:
        """{group: turnover} over the days from `first` to `last`."""

        def key(day: date, sku: str) -> Any:
            return {
                None: None,
                "sku": sku,
                "category": PRODUCT_COSTS[sku][0],
                "month": day.strftime("%Y-%m"),
            }[by]

        cogs: dict[Any, int] = defaultdict(int)
        value: dict[Any, int] = defaultdict(int)
        days: dict[Any, set[date]] = defaultdict(set)
        for day, levels in self.stock.items():
            if first <= day <= last:
                for (_, sku), units in levels.items():
                    _, cost, currency = PRODUCT_COSTS[sku]
                    value[key(day, sku)] += _base(units * cost, currency, day)
                    days[key(day, sku)].add(day)
        for order, day, sku, units in self.lines:
            if first <= day <= last and self.status[order] in SOLD:
                _, cost, currency = PRODUCT_COSTS[sku]
                cogs[key(day, sku)] += _base(units * cost, currency, day)
        return {k: _turnover(cogs[k], len(days[k]), value[k]) for k in value.keys() | cogs.keys()}


def _product_defaults() -> dict[str, Any]:
    return {
        "hs_code": "",
        "origin_country": "CN",
        "weight_g": 100,
        "list_price_minor": 0,
        "list_currency": "USD",
        "moq": 1,
        "case_pack": 1,
    }


def _order(n: int, at: datetime, status: str) -> dict[str, Any]:
    return {
        "id": n,
        "channel_id": 1,
        "external_id": f"O-{n}",
        "status": status,
        "provider_status": status,
        "payment_status": "paid",
        "placed_at": at,
        "currency": "EUR",
        "shipping_minor": 0,
        "total_minor": 10_000,
        "refunded_minor": 0,
        "base_currency": "USD",
        "total_base_minor": 10_800,
        "refunded_base_minor": 0,
        "fx_rate": Decimal("1.08"),
        "fx_date": at.date(),
        "fx_source": "ECB",
        "country": "DE",
        "customer_id": None,
        "content_hash": "",
        "created_at": NOW,
        "updated_at": NOW,
        "version": 1,
    }


def kpi(name: str, by: str | None, first: date | None, last: date | None) -> dict[Any, Any]:
    with session_scope() as session:
        result = run_kpi(session, name, by=by, start=first, end=last, now=NOW, base_currency="USD")
    return {(row[by] if by else None): row["value"] for row in result["rows"]}


@pytest.fixture
def shop(backend: Backend) -> Shop:
    made = Shop()
    made.write()
    with session_scope() as session:
        record_sales_days(session, FIRST, FIRST + timedelta(days=DAYS), "USD", NOW)
    return made


def test_inventory_turnover_total_and_by_sku_category_and_month(shop: Shop) -> None:
    last = FIRST + timedelta(days=DAYS - 1)
    for by in (None, "sku", "category", "month"):
        assert kpi("inventory_turnover", by, FIRST, last) == shop.turnover(by, FIRST, last), by
    first, last = FIRST + timedelta(days=3), FIRST + timedelta(days=11)
    assert kpi("inventory_turnover", "sku", first, last) == shop.turnover("sku", first, last)


def test_sales_days_are_summed_again_from_scratch(shop: Shop) -> None:
    last = FIRST + timedelta(days=DAYS - 1)
    with session_scope() as session:
        before = session.execute(select(SALES_DAYS).order_by("day", "product_id")).all()
        record_sales_days(session, FIRST, last, "USD", NOW)
        again = session.execute(select(SALES_DAYS).order_by("day", "product_id")).all()
    assert before and [tuple(r)[:5] for r in before] == [tuple(r)[:5] for r in again]
    # A sold order cancelled afterwards: its units leave its day's cost of goods sold.
    order = next(n for n, status in shop.status.items() if status in SOLD)
    shop.status[order] = "cancelled"
    with session_scope() as session:
        session.execute(update(ORDERS).where(ORDERS.c.id == order).values(status="cancelled"))
        record_sales_days(session, FIRST, last, "USD", NOW)
    assert kpi("inventory_turnover", "sku", FIRST, last) == shop.turnover("sku", FIRST, last)


def test_a_cost_in_a_currency_without_a_rate_is_named_not_guessed(shop: Shop) -> None:
    with session_scope() as session:
        session.execute(
            update(PRODUCTS).where(PRODUCTS.c.sku == "MUG-03").values(cost_currency="XQX")
        )
        stock, sales = record_inventory(session, NOW, "USD")
        kept = (
            session.execute(select(STOCK_DAYS.c.product_id).where(STOCK_DAYS.c.day == NOW.date()))
            .scalars()
            .all()
        )
    assert 3 not in kept and stock == 4  # two warehouses × the two products with a rate
    assert "XQX" in sales.uncosted["MUG-03"]


def spend_rows(business: Business, seed: int = 11) -> list[dict[str, Any]]:
    """Ad spend on a third of the days, by platform and country (some with no country)."""
    rng = random.Random(seed)
    countries = sorted({*business.customer_country.values(), ""})
    rows = []
    for offset in range(0, 700, 3):
        day = date(2025, 1, 1) + timedelta(days=offset)
        for platform in ("Google Ads", "Meta"):
            country = rng.choice(countries)
            minor = rng.randrange(100, 90_000)
            rows.append(
                {
                    "day": day,
                    "platform": platform,
                    "campaign": f"{platform} {country or 'all'}",
                    "country": country,
                    "currency": "USD",
                    "spend_minor": minor,
                    "base_currency": "USD",
                    "spend_base_minor": minor,
                    "fx_rate": Decimal(1),
                    "fx_date": day,
                    "fx_source": "ECB",
                    "content_hash": "",
                    "updated_at": NOW,
                }
            )
    return rows


class Acquisition:
    """CAC and CAC/LTV worked out from the orders and the spend, customer by customer."""

    def __init__(self, business: Business, spend: list[dict[str, Any]]) -> None:
        self.business, self.spend = business, spend
        first: dict[int, datetime] = {}
        self.revenue: dict[int, int] = defaultdict(int)
        for o in business.orders:
            if o.customer_id is not None:
                first[o.customer_id] = min(first.get(o.customer_id, o.placed_at), o.placed_at)
                self.revenue[o.customer_id] += o.net
        self.first = first

    def kpi(self, name: str, by: str | None, first: date, last: date) -> dict[Any, str | None]:
        def key(country: str, day: date) -> Any:
            return {
                None: None,
                "country": country,
                "region": REGION.get(country, "Other"),
                "month": day.strftime("%Y-%m"),
            }[by]

        spend: dict[Any, int] = defaultdict(int)
        new: dict[Any, int] = defaultdict(int)
        revenue: dict[Any, int] = defaultdict(int)
        for row in self.spend:
            if first <= row["day"] <= last:
                spend[key(row["country"], row["day"])] += row["spend_base_minor"]
        for customer, moment in self.first.items():
            if first <= moment.date() <= last:
                group = key(self.business.customer_country[customer], moment.date())
                new[group] += 1
                revenue[group] += self.revenue[customer]
        found: dict[Any, str | None] = {}
        for group in spend.keys() | new.keys():
            if name == "cac":
                value = Decimal(spend[group]) / 100 / new[group] if new[group] else None
                found[group] = None if value is None else str(value.quantize(Decimal("0.01")))
            else:
                ratio = Decimal(spend[group]) / revenue[group] if revenue[group] else None
                found[group] = None if ratio is None else str(ratio.quantize(Decimal("0.0001")))
        return found


def test_cac_and_cac_ltv_total_and_by_country_region_and_month(backend: Backend) -> None:
    business = build()
    spend = spend_rows(business)
    with session_scope() as session:
        write(session, business, NOW)
        session.connection().execute(insert(AD_SPEND), spend)
    compact_rollups()  # new customers count from the cohorts, as of the last compaction
    oracle = Acquisition(business, spend)
    first, last = date(2025, 1, 1), date(2026, 12, 31)
    for name in ("cac", "cac_ltv"):
        for by in (None, "country", "region", "month"):
            assert kpi(name, by, first, last) == oracle.kpi(name, by, first, last), (name, by)
    first, last = date(2025, 4, 1), date(2025, 6, 30)
    assert kpi("cac", "month", first, last) == oracle.kpi("cac", "month", first, last)


def test_inventory_record_on_the_command_line(shop: Shop) -> None:
    from tests.cli.hub_contract import run_all

    done, kpi_run = run_all(
        [["inventory", "record", "--every-day"], ["kpi", "inventory_turnover", "--by", "sku"]]
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    # today's stock: two warehouses × three products; sales: every day since the first order
    assert printed["stock_rows"] == 6 and printed["not_valued"] == {}
    with session_scope() as session:
        days = session.execute(select(func.count()).select_from(SALES_DAYS)).scalar_one()
    assert printed["sales_rows"] == days > 0
    assert kpi_run.returncode == 0, kpi_run.stderr
    assert {r["sku"] for r in json.loads(kpi_run.stdout)["rows"]} == set(PRODUCT_COSTS)


def test_every_days_sales_are_summed_again_a_month_per_step(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cbe_app.jobs.runner import run_inline
    from cbe_app.reports import inventory
    from cbe_app.reports.inventory import resum_step

    monkeypatch.setattr(inventory, "RESUM_DAYS", 7)  # several steps for the shop's 29 days
    with session_scope() as session:
        session.execute(SALES_DAYS.delete())
    steps: list[Any] = []
    last = run_inline(
        resum_step, {"base_currency": "USD"}, clock=lambda: NOW, progress=steps.append
    )
    days = (NOW.date() - FIRST).days + 1
    assert len(steps) == -(-days // 7) == 5 and last.done == last.total == days
    end = FIRST + timedelta(days=DAYS - 1)
    assert kpi("inventory_turnover", "sku", FIRST, end) == shop.turnover("sku", FIRST, end)
