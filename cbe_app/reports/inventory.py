"""Inventory facts for reports: the product sales of each day, beside the stock of each day.

Inventory turnover is the cost of goods sold over the average inventory value. The stock
side is recorded by the hub (`hub.stock_history`); the sales side is summed here from the
order lines, per day and product, with each unit at the product's unit cost (its standard
cost, in the supplier's currency) converted at the ECB rate of the day, and its revenue at
the rate its order was converted at. Days are summed again from scratch, so a late
cancellation or return leaves the day right the next time it is summed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, Table, delete, func, literal_column, select
from sqlmodel import Session

from cbe_app.config import get_settings
from cbe_app.core.fx import UnknownRate
from cbe_app.core.i18n import N_
from cbe_app.core.money import convert_minor
from cbe_app.db import upsert
from cbe_app.hub.catalog import Product
from cbe_app.hub.orders import OrderLine, SalesOrder
from cbe_app.hub.stock_history import DayRates, record_stock_day
from cbe_app.jobs.runner import JobView, Step
from cbe_app.jobs.service import enqueue
from cbe_app.reports.models import ProductSalesDay
from cbe_app.reports.spec import Grain
from cbe_app.reports.sqlfunc import TimeBucket

SALES_DAYS: Table = ProductSalesDay.__table__  # type: ignore[attr-defined]
_ORDERS: Table = SalesOrder.__table__  # type: ignore[attr-defined]
_LINES: Table = OrderLine.__table__  # type: ignore[attr-defined]
_PRODUCTS: Table = Product.__table__  # type: ignore[attr-defined]
# Goods leave (or have left) the shelf: not awaiting payment, not cancelled, not sent back.
NOT_SOLD = ("pending", "cancelled", "returned")
RECENT_DAYS = 7  # how far back the hourly record sums sales again (late status changes)


@dataclass(frozen=True, slots=True)
class SalesRecord:
    """What summing a span of days wrote, and the products it could not cost (and why)."""

    rows: int
    uncosted: dict[str, str]  # SKU -> reason


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time.min, UTC)
    return start, datetime.combine(last + timedelta(days=1), time.min, UTC)


def _sold_lines(session: Session, first: date, last: date) -> list[Row[Any]]:
    """The lines sold in the span, summed per day, product and order currency and rate."""
    start, end = _day_bounds(first, last)
    day = TimeBucket(_ORDERS.c.placed_at, Grain.DAY)
    query = (
        select(
            day.label("day"),
            _LINES.c.product_id,
            _PRODUCTS.c.sku,
            _PRODUCTS.c.unit_cost_minor,
            _PRODUCTS.c.cost_currency,
            _ORDERS.c.currency,
            _ORDERS.c.fx_rate,
            func.sum(_LINES.c.quantity).label("units"),
            func.sum(_LINES.c.quantity * _LINES.c.unit_price_minor).label("value"),
        )
        .join(_ORDERS, _ORDERS.c.id == _LINES.c.order_id)
        .join(_PRODUCTS, _PRODUCTS.c.id == _LINES.c.product_id)
        .where(
            _ORDERS.c.placed_at >= start,
            _ORDERS.c.placed_at < end,
            _ORDERS.c.status.not_in(NOT_SOLD),
        )
        .group_by(*(literal_column(str(n)) for n in range(1, 8)))
    )
    return list(session.execute(query).all())


def record_sales_days(
    session: Session, first: date, last: date, base_currency: str, now: datetime
) -> SalesRecord:
    """Sum the product sales of the days from `first` to `last` (both included) again."""
    sums: dict[tuple[date, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    rates: dict[date, DayRates] = {}
    uncosted: dict[str, str] = {}
    for line in _sold_lines(session, first, last):
        day = date.fromisoformat(str(line.day))
        day_rates = rates.setdefault(day, DayRates(base_currency, day))
        try:
            cogs = day_rates.convert(
                int(line.units) * int(line.unit_cost_minor), line.cost_currency
            )
        except UnknownRate as exc:
            uncosted[line.sku] = str(exc)
            continue
        row = sums[day, line.product_id]
        row[0] += int(line.units)
        row[1] += cogs
        row[2] += convert_minor(int(line.value), line.currency, base_currency, line.fx_rate)
    session.execute(delete(SALES_DAYS).where(SALES_DAYS.c.day >= first, SALES_DAYS.c.day <= last))
    rows = [
        {
            "day": day,
            "product_id": product_id,
            "units": units,
            "cogs_base_minor": cogs,
            "revenue_base_minor": revenue,
            "recorded_at": now,
        }
        for (day, product_id), (units, cogs, revenue) in sorted(sums.items())
    ]
    upsert(session, SALES_DAYS, rows, keys=["day", "product_id"])
    return SalesRecord(len(rows), uncosted)


def first_sale_day(session: Session) -> date | None:
    """The day of the earliest order (where a full rebuild starts), None without orders."""
    earliest = session.scalar(select(func.min(_ORDERS.c.placed_at)))
    if earliest is None:
        return None
    moment = datetime.fromisoformat(earliest) if isinstance(earliest, str) else earliest
    return moment.date()


def record_inventory(
    session: Session, now: datetime, base_currency: str, *, sales_from: date | None = None
) -> tuple[int, SalesRecord]:
    """Today's stock, and the sales of the last days (or of every day from `sales_from`)."""
    today = now.astimezone(UTC).date()
    stock = record_stock_day(session, today, base_currency, now)
    first = sales_from or today - timedelta(days=RECENT_DAYS)
    sales = record_sales_days(session, first, today, base_currency, now)
    return stock.rows, SalesRecord(sales.rows, {**stock.unvalued, **sales.uncosted})


RESUM_TASK = "cbe.reports.resum_sales"
RESUM_TITLE = N_("Sum every day's product sales again")
RESUM_DAYS = 31  # days summed per step: a month of a large shop's lines in a few seconds


def queue_resum(now: datetime) -> int:
    """Queue tonight's summing of every day's sales (once a day); returns the job id."""
    return enqueue(
        RESUM_TASK,
        RESUM_TITLE,
        {"base_currency": get_settings().base_currency},
        now=now,
        dedupe_key=f"resum-sales:{now.astimezone(UTC).date().isoformat()}",
    )


def resum_step(session: Session, job: JobView, now: datetime) -> Step:
    """Sum the next month of days again, from the first order's day to today (a task may run
    seconds, and every day's lines of a large shop take longer)."""
    today = now.astimezone(UTC).date()
    if "first" not in job.cursor:
        first = first_sale_day(session) or today
        cursor = {"first": first.isoformat(), "from": first.isoformat()}
    else:
        cursor = dict(job.cursor)
    first, start = date.fromisoformat(cursor["first"]), date.fromisoformat(cursor["from"])
    last = min(start + timedelta(days=RESUM_DAYS - 1), today)
    record_sales_days(session, start, last, str(job.params["base_currency"]), now)
    cursor["from"] = (last + timedelta(days=1)).isoformat()
    finished = last >= today
    return Step(
        cursor,
        (last - first).days + 1,
        (today - first).days + 1,
        N_("Sales summed") if finished else N_("Summing sales"),
        finished=finished,
    )
