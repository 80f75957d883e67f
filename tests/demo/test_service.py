from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cbe_app.core.fx import reference_rate
from cbe_app.core.money import convert_minor
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.demo import service
from cbe_app.demo.generator import generate
from cbe_app.demo.service import DemoParams, demo_step
from cbe_app.hub.catalog import Channel, Product, StockLevel, Warehouse
from cbe_app.hub.orders import Customer, OrderLine, SalesOrder, Shipment
from cbe_app.jobs.runner import run_inline
from tests.conftest import Backend

PARAMS = DemoParams(orders=600, seed=11, end=date(2026, 10, 31))
NOT_SOLD = ("pending", "cancelled", "returned")


def count(model: type) -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def load() -> None:
    run_inline(demo_step("USD"), PARAMS.to_json())


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "CHUNK", 250)  # several steps even for a small demo


def test_demo_loads_every_record_once_and_again_changes_nothing(backend: Backend) -> None:
    data = generate(end=PARAMS.end, orders=PARAMS.orders, seed=PARAMS.seed)
    load()
    counts = {
        m: count(m)
        for m in (
            Channel,
            Warehouse,
            Product,
            StockLevel,
            Customer,
            SalesOrder,
            OrderLine,
            Shipment,
        )
    }
    orders = list(data.orders())
    assert counts[SalesOrder] == 600
    assert counts[Channel] == 5 and counts[Warehouse] == 3 and counts[Product] == 200
    assert counts[OrderLine] == sum(len(o.lines) for o in orders)
    assert counts[Shipment] == sum(1 for o in orders if o.shipment)
    load()
    assert {m: count(m) for m in counts} == counts


def test_money_is_kept_in_original_and_base_currency_with_its_rate(backend: Backend) -> None:
    load()
    data = generate(end=PARAMS.end, orders=PARAMS.orders, seed=PARAMS.seed)
    sample = next(o for o in data.orders() if o.currency == "EUR")
    with session_scope() as session:
        row = session.scalar(select(SalesOrder).where(SalesOrder.external_id == sample.external_id))
    assert row is not None
    rate = reference_rate("EUR", "USD", sample.placed_at.date())
    assert (row.currency, row.total_minor) == ("EUR", sample.total_minor)
    assert row.base_currency == "USD"
    assert row.fx_rate == rate.rate and isinstance(row.fx_rate, Decimal)
    assert row.fx_date == rate.rate_date and row.fx_source == "ECB"
    assert row.total_base_minor == convert_minor(sample.total_minor, "EUR", "USD", rate.rate)
    assert row.placed_at == sample.placed_at and row.placed_at.tzinfo is not None


def test_reloading_keeps_stock_that_users_changed(backend: Backend) -> None:
    load()
    with session_scope() as session:
        level = session.scalars(select(StockLevel)).first()
        assert level is not None
        level.on_hand = 12345
        key = (level.warehouse_id, level.product_id)
    load()
    with session_scope() as session:
        assert session.get(StockLevel, key).on_hand == 12345


def test_the_job_step_reports_progress_in_chunks(backend: Backend) -> None:
    seen: list[tuple[int, int]] = []
    run_inline(
        demo_step("EUR"),
        PARAMS.to_json(),
        progress=lambda s: seen.append((s.done, s.total)),
        clock=utcnow,
    )
    # orders in chunks, then every day's product sales a month of days per step
    assert seen[:4] == [(0, 600), (250, 600), (500, 600), (600, 600)]
    assert set(seen[4:]) == {(600, 600)} and 15 <= len(seen[4:]) <= 21  # 18 months
    with session_scope() as session:
        bases = set(session.scalars(select(SalesOrder.base_currency)))
    assert bases == {"EUR"}


def test_the_demo_has_stock_history_and_every_days_sales_for_turnover(backend: Backend) -> None:
    from cbe_app.hub.inventory import StockDay
    from cbe_app.reports.models import ProductSalesDay
    from cbe_app.reports.service import run_kpi

    load()
    data = generate(end=PARAMS.end, orders=PARAMS.orders, seed=PARAMS.seed)
    sold_days = {o.placed_at.date() for o in data.orders() if o.status not in NOT_SOLD}
    with session_scope() as session:
        days = set(session.scalars(select(ProductSalesDay.day).distinct()).all())
        turnover = run_kpi(
            session,
            "inventory_turnover",
            by="month",
            start=date(2026, 8, 1),
            end=PARAMS.end,
            now=utcnow(),
            base_currency="USD",
        )
    assert count(StockDay) > 100 * 3 * 200  # every warehouse and product, day by day lately
    assert days == sold_days  # summed from the orders, every day that sold
    values = [Decimal(r["value"]) for r in turnover["rows"]]
    # A small demo (600 orders) holds stock for months: under one turn a month, but turning.
    assert len(values) == 3 and all(Decimal(0) < v < Decimal(1) for v in values)
