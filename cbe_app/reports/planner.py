"""Answering a spec from the rollups when they hold everything it asks, instead of raw rows.

A spec is covered when its source has a rollup, every dimension and filter is a column of
the rollup's key (or follows from one: region from country, channel name from its id), and
every measure is one of the rollup's sums. Then the query reads: the month sums for the
period's whole months, the day sums for the days at its edges, and the log not compacted yet
(so a change counts from its commit on). Anything else runs on the raw rows; the answers are
the same either way (tests hold the two side by side).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, Subquery

from cbe_app.reports.catalog import CARRIERS, CHANNELS, CompileContext, region_expr
from cbe_app.reports.models import COHORTS
from cbe_app.reports.period import Window
from cbe_app.reports.rollups import ORDERS, SHIPMENTS, Rollup
from cbe_app.reports.spec import (
    COMBINED,
    Aggregate,
    DataSpec,
    Dimension,
    Filter,
    Grain,
    Measure,
    Op,
)
from cbe_app.reports.sqlfunc import TimeBucket
from cbe_app.reports.values import apply_filter, filter_value

Condition = tuple[str, Op, Any]  # a filter as a hashable triple
Column = Callable[[Subquery], ColumnElement[Any]]


@dataclass(frozen=True, slots=True)
class Covered:
    """What of a source a rollup can answer."""

    rollup: Rollup | None  # None: the customer cohorts
    time_field: str
    fields: Mapping[str, tuple[Column, str | None]]  # field → (expression, join it needs)
    measures: Mapping[tuple[Aggregate, str | None, frozenset[Condition]], str]
    implied: frozenset[Condition]  # true of every row the rollup counts
    rows_column: str  # how many source rows a sum holds: a group exists when it is above 0


_NOT_CANCELLED: Condition = ("cancelled", Op.EQ, False)
_DELIVERED: Condition = ("delivered", Op.EQ, True)

_ORDERS = Covered(
    ORDERS,
    "placed_at",
    {
        "country": (lambda u: u.c.country, None),
        "region": (lambda u: u.c.country, "region"),
        "channel": (lambda u: CHANNELS.c.name, "channel"),
        "channel_code": (lambda u: CHANNELS.c.code, "channel"),
        "provider": (lambda u: CHANNELS.c.provider, "channel"),
    },
    {
        (Aggregate.COUNT, None, frozenset()): "orders",
        (Aggregate.COUNT, None, frozenset({_NOT_CANCELLED})): "orders_kept",
        (Aggregate.SUM, "total_base", frozenset()): "gross_minor",
        (Aggregate.SUM, "total_base", frozenset({_NOT_CANCELLED})): "sales_kept_minor",
        (Aggregate.SUM, "refunded_base", frozenset()): "refunded_minor",
        (Aggregate.SUM, "refunded_base", frozenset({_NOT_CANCELLED})): "refunded_kept_minor",
        (Aggregate.SUM, "net_base", frozenset()): "net_minor",
        (Aggregate.SUM, "net_base", frozenset({_NOT_CANCELLED})): "net_minor",
    },
    frozenset(),
    "orders",
)
_SHIPMENTS = Covered(
    SHIPMENTS,
    "delivered_at",
    {
        "destination_country": (lambda u: u.c.country, None),
        "destination_region": (lambda u: u.c.country, "region"),
        "carrier": (lambda u: CARRIERS.c.name, "carrier"),
        "carrier_code": (lambda u: CARRIERS.c.code, "carrier"),
    },
    {
        (Aggregate.COUNT, None, frozenset()): "delivered",
        (Aggregate.COUNT, None, frozenset({("with_promise", Op.EQ, True)})): "with_promise",
        (Aggregate.COUNT, None, frozenset({("on_time", Op.EQ, True)})): "on_time",
    },
    frozenset({_DELIVERED}),
    "delivered",
)
_CUSTOMERS = Covered(
    None,
    "first_order_at",
    {
        "country": (lambda u: u.c.country, None),
        "region": (lambda u: u.c.country, "region"),
    },
    {
        (Aggregate.COUNT, None, frozenset()): "buyers",
        (Aggregate.COUNT, None, frozenset({("repeat_buyer", Op.EQ, True)})): "repeat_buyers",
        (Aggregate.SUM, "revenue_base", frozenset()): "revenue_minor",
    },
    frozenset({("buyer", Op.EQ, True)}),  # cohorts hold customers who ordered
    "buyers",
)
COVERED: Mapping[str, Covered] = {
    "orders": _ORDERS,
    "shipments": _SHIPMENTS,
    "customers": _CUSTOMERS,
}


@dataclass(frozen=True, slots=True)
class Plan:
    """A covered spec: the rollup, and the column each SQL measure sums."""

    covered: Covered
    columns: dict[str, str]  # measure key → rollup column


def _triple(condition: Filter) -> Condition:
    value = tuple(condition.value) if isinstance(condition.value, list) else condition.value
    return (condition.field, condition.op, value)


def plan(spec: DataSpec) -> Plan | None:
    """How the rollups answer the (checked) spec, or None when they cannot."""
    covered = COVERED.get(spec.source)
    if covered is None or (spec.time_field or covered.time_field) != covered.time_field:
        return None
    if any(
        d.field not in covered.fields and d.field != covered.time_field for d in spec.dimensions
    ):
        return None
    spec_conditions = {_triple(c) for c in spec.filters}
    for condition in spec.filters:
        if condition.field not in covered.fields and _triple(condition) not in covered.implied:
            return None
    columns = {}
    for measure in spec.measures:
        if measure.agg in COMBINED:
            continue
        column = _measure_column(covered, measure, spec_conditions)
        if column is None:
            return None
        columns[measure.key] = column
    return Plan(covered, columns)


def _measure_column(
    covered: Covered, measure: Measure, spec_conditions: set[Condition]
) -> str | None:
    where = frozenset(_triple(c) for c in measure.where)
    # Conditions every counted row meets say nothing; the rollup only counts such rows, so
    # they must be asked for (by the spec or by the measure) for its answer to be the same.
    if not covered.implied <= (where | spec_conditions):
        return None
    key = (measure.agg, measure.field, where - covered.implied)
    if measure.agg is Aggregate.COUNT and measure.field is not None:
        return None
    return covered.measures.get(key)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


DayRange = tuple[date | None, date | None]  # first day, day after the last (None: open)


def ranges(window: Window, by_day: bool) -> tuple[list[DayRange], DayRange | None]:
    """The day ranges to read from the day sums, and the months to read from the month sums
    (as the first days of the first month and of the month after the last)."""
    first = window.start.date() if window.start else None
    after = window.end.date() if window.end else None
    if by_day:
        return [(first, after)], None
    full_from = None if first is None else (first if first.day == 1 else _next_month(first))
    full_to = None if after is None else _month_start(after)
    if full_from is not None and full_to is not None and full_from >= full_to:
        return [(first, after)], None  # no whole month inside
    days: list[DayRange] = []
    if first is not None and full_from is not None and first < full_from:
        days.append((first, full_from))
    if after is not None and full_to is not None and full_to < after:
        days.append((full_to, after))
    return days, (full_from, full_to)


def _between(column: ColumnElement[Any], span: DayRange) -> ColumnElement[bool]:
    first, after = span
    found = [column >= first] if first is not None else []
    if after is not None:
        found.append(column < after)
    return and_(*found) if found else literal_column("1") == 1


def _rows(rollup: Rollup, window: Window, by_day: bool) -> Subquery:
    """What to sum, as (day, month, keys…, measures…): the log over the whole window, the day
    sums at its edges, the month sums for its whole months."""
    keys = [name for name, _ in rollup.keys] + rollup.measure_columns
    days, months = ranges(window, by_day)
    day_sums, month_sums = rollup.day, rollup.month
    assert day_sums is not None and month_sums is not None  # rollups read here have both

    def part(table: Any, day: ColumnElement[Any], month: ColumnElement[Any]) -> Select[Any]:
        return select(day.label("day"), month.label("month"), *(table.c[k] for k in keys))

    def by_days(table: Any) -> Select[Any]:
        return part(table, table.c.day, TimeBucket(table.c.day, Grain.MONTH, is_date=True))

    whole = (
        window.start.date() if window.start else None,
        window.end.date() if window.end else None,
    )
    parts = [by_days(rollup.log).where(_between(rollup.log.c.day, whole))]
    if days:
        edges = or_(*(_between(day_sums.c.day, d) for d in days))
        parts.append(by_days(day_sums).where(edges))
    if months is not None:
        table = month_sums
        query = part(table, cast(null(), Date), table.c.month)
        first, after = months
        if first is not None:
            query = query.where(table.c.month >= first.strftime("%Y-%m"))
        if after is not None:
            query = query.where(table.c.month < after.strftime("%Y-%m"))
        parts.append(query)
    return union_all(*parts).subquery("u")


def _cohort_rows(window: Window) -> Subquery:
    """Cohorts (as of the last compaction) whose first order falls in the window."""
    day = COHORTS.c.day
    whole = (
        window.start.date() if window.start else None,
        window.end.date() if window.end else None,
    )
    query = select(
        day.label("day"),
        TimeBucket(day, Grain.MONTH, is_date=True).label("month"),
        COHORTS.c.country,
        COHORTS.c.buyers,
        COHORTS.c.repeat_buyers,
        COHORTS.c.revenue_minor,
    ).where(_between(day, whole))
    return query.subquery("u")


def _time(dimension: Dimension, rows: Subquery) -> ColumnElement[Any]:
    grain = dimension.grain or Grain.DAY
    if grain in (Grain.DAY, Grain.WEEK):
        return TimeBucket(rows.c.day, grain, is_date=True)
    month = rows.c.month
    if grain is Grain.MONTH:
        return month
    year = func.substr(month, 1, 4)
    if grain is Grain.YEAR:
        return year
    quarter = (cast(func.substr(month, 6, 2), Integer) + 2) // 3
    return year + literal("-Q") + cast(quarter, String)


class _Reader:
    """Field expressions over the rows to sum, remembering the joins they need."""

    def __init__(self, covered: Covered, rows: Subquery, ctx: CompileContext) -> None:
        self.covered, self.rows, self.ctx = covered, rows, ctx
        self.joins: set[str] = set()

    def field(self, name: str) -> ColumnElement[Any]:
        expr, join = self.covered.fields[name]
        if join == "region":
            return region_expr(self.rows.c.country, self.ctx)
        if join is not None:
            self.joins.add(join)
        return expr(self.rows)

    def from_clause(self) -> FromClause:
        clause: FromClause = self.rows
        if "channel" in self.joins:
            clause = clause.outerjoin(CHANNELS, CHANNELS.c.id == self.rows.c.channel_id)
        if "carrier" in self.joins:
            clause = clause.outerjoin(CARRIERS, CARRIERS.c.id == self.rows.c.carrier_id)
        return clause


def planned_query(
    spec: DataSpec, chosen: Plan, ctx: CompileContext, window: Window, base_currency: str
) -> Select[Any]:
    """The spec as a query over the rollups (dimension keys, then SQL measure keys)."""
    covered = chosen.covered
    by_day = any(
        d.field == covered.time_field and (d.grain or Grain.DAY) in (Grain.DAY, Grain.WEEK)
        for d in spec.dimensions
    )
    rollup = covered.rollup
    rows = _cohort_rows(window) if rollup is None else _rows(rollup, window, by_day)
    reader = _Reader(covered, rows, ctx)
    columns: list[ColumnElement[Any]] = [
        (_time(d, rows) if d.field == covered.time_field else reader.field(d.field)).label(d.key)
        for d in spec.dimensions
    ]
    columns += [
        func.coalesce(func.sum(rows.c[column]), 0).label(key)
        for key, column in chosen.columns.items()
    ]
    conditions = [
        apply_filter(
            reader.field(c.field), c.op, filter_value("text", c.op, c.value, base_currency)
        )
        for c in spec.filters
        if _triple(c) not in covered.implied
    ]
    statement = select(*columns).select_from(reader.from_clause())
    if conditions:
        statement = statement.where(and_(*conditions))
    if spec.dimensions:
        statement = statement.group_by(
            *[literal_column(str(n + 1)) for n in range(len(spec.dimensions))]
        )
        # A group the raw rows would not have (its sums moved elsewhere) is left out.
        statement = statement.having(func.sum(rows.c[covered.rows_column]) > 0)
    return statement
