"""The demo's stock history: ends at today's levels, moves like stock, loads idempotently."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select, update

from cbe_app.core.fx import reference_rate
from cbe_app.core.money import convert_minor
from cbe_app.db import session_scope
from cbe_app.demo.generator import generate
from cbe_app.demo.service import load_reference
from cbe_app.demo.stock_history import DAILY_DAYS, load_stock_history, stock_history
from cbe_app.hub.stock_history import STOCK_DAYS
from tests.conftest import Backend

END = date(2026, 11, 30)
NOW = datetime(2026, 12, 1, 3, tzinfo=UTC)


def test_history_ends_at_todays_levels_and_thins_out_with_age() -> None:
    demo = generate(end=END, orders=20_000, seed=4)
    rows = list(stock_history(demo))
    assert rows == list(stock_history(generate(end=END, orders=20_000, seed=4)))
    today = {(r.warehouse_code, r.sku): r.on_hand for r in rows if r.day == END}
    assert today == {(s.warehouse_code, s.sku): s.on_hand for s in demo.stock}
    days = sorted({r.day for r in rows})
    recent = [d for d in days if (END - d).days < DAILY_DAYS]
    assert recent == [END - timedelta(days=n) for n in range(DAILY_DAYS)][::-1]
    assert all(d.weekday() == 6 for d in days if d not in recent)  # weekly: Sundays
    assert min(r.on_hand for r in rows) >= 0


def test_stock_turns_like_a_cross_border_sellers() -> None:
    demo = generate(end=END, orders=20_000, seed=4)
    held: dict[date, int] = defaultdict(int)
    for row in stock_history(demo):
        held[row.day] += row.on_hand
    first = END - timedelta(days=89)
    sold = sum(
        line.quantity
        for order in demo.orders()
        if order.placed_at.date() >= first
        for line in order.lines
    )
    average = sum(v for d, v in held.items() if d >= first) / 90
    assert 1.0 <= sold / average <= 4.0  # four to sixteen turns a year
    # Deliveries arrive: an item's stock goes up from one day to the next now and then.
    by_item: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in sorted(stock_history(demo), key=lambda r: r.day):
        if (END - row.day).days < DAILY_DAYS:
            by_item[row.warehouse_code, row.sku].append(row.on_hand)
    rises = sum(b > a for levels in by_item.values() for a, b in pairwise(levels))
    assert rises > len(by_item)


def test_loading_values_each_day_at_cost_and_keeps_recorded_days(backend: Backend) -> None:
    demo = generate(end=END, orders=3_000, seed=4)
    with session_scope() as session:
        load_reference(session, demo, NOW)
        written = load_stock_history(session, demo, "USD", NOW)
        stored = session.execute(select(func.count()).select_from(STOCK_DAYS)).scalar_one()
    assert written == stored == len(list(stock_history(demo)))
    product = demo.products[0]
    sample = next(r for r in stock_history(demo) if r.sku == product.sku and r.on_hand > 0)
    rate = reference_rate(product.cost_currency, "USD", sample.day).rate
    expected = convert_minor(
        sample.on_hand * product.unit_cost_minor, product.cost_currency, "USD", rate
    )
    with session_scope() as session:
        value = session.execute(
            select(STOCK_DAYS.c.value_base_minor)
            .where(STOCK_DAYS.c.day == sample.day, STOCK_DAYS.c.on_hand == sample.on_hand)
            .limit(1)
        ).scalar_one()
        assert value == expected
        # A day the app recorded itself is not overwritten by loading the demo again.
        session.execute(update(STOCK_DAYS).where(STOCK_DAYS.c.day == END).values(on_hand=777))
        load_stock_history(session, demo, "USD", NOW)
        kept = session.execute(
            select(func.count()).select_from(STOCK_DAYS).where(STOCK_DAYS.c.on_hand == 777)
        ).scalar_one()
    assert kept == len(demo.stock)
