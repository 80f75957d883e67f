"""Summing a combined source table by table: each part on its own, then the sums added up.

A combined source (`reports.combined`) is a union of tables. Summed through the union, every
row of the period passes through it first; summed part by part, each table is read through
its own index and only a few sums per group meet at the end. Both give the same answer when
every measure can be added up across parts: a sum, a count, a minimum or a maximum, and a
distinct count that only one part can contribute to (the others' rows are ruled out by a
condition on a constant, as a stock-record condition rules out sales rows). Anything else is
answered through the union (`plan_parts` says None).

Conditions on a part's constants are decided here: one that cannot hold leaves the part out
(or makes a measure empty in it); one that always holds is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, func, literal, literal_column, null, select, union_all
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from cbe_app.reports.fields import Source
from cbe_app.reports.period import Window
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
from cbe_app.reports.values import BadValue, filter_value

_ADDED = frozenset({Aggregate.SUM, Aggregate.COUNT, Aggregate.COUNT_DISTINCT})
_KEPT = frozenset({Aggregate.MIN, Aggregate.MAX})


def decided(part: Source, condition: Filter, base_currency: str) -> bool | None:
    """Whether a condition on one of the part's constants holds in all its rows (None: it is
    not about a constant, or not one decided here)."""
    if condition.field not in part.constants:
        return None
    constant = part.constants[condition.field]
    info = part.fields[condition.field]
    try:
        value = filter_value(info.type, condition.op, condition.value, base_currency)
    except BadValue:
        return None
    checks: dict[Op, Callable[[], bool]] = {
        Op.EQ: lambda: constant == value,
        Op.NE: lambda: constant is not None and constant != value,
        Op.IN: lambda: constant in value,
        Op.NOT_IN: lambda: constant is not None and constant not in value,
        Op.IS_NULL: lambda: constant is None,
        Op.NOT_NULL: lambda: constant is not None,
    }
    check = checks.get(condition.op)
    return bool(check()) if check is not None else None


def _empty(measure: Measure) -> ColumnElement[Any]:
    return null() if measure.agg in _KEPT else literal(0)


def _contributes(part: Source, measure: Measure, base_currency: str) -> bool:
    return all(decided(part, c, base_currency) is not False for c in measure.where)


def plan_parts(spec: DataSpec, source: Source, base_currency: str) -> list[Source] | None:
    """The parts that may hold rows of the spec, when it can be summed part by part; else None."""
    measures = [m for m in spec.measures if m.agg not in COMBINED]
    if not source.parts or any(m.agg not in _ADDED | _KEPT for m in measures):
        return None
    parts = [
        p
        for p in source.parts
        if all(decided(p, c, base_currency) is not False for c in spec.filters)
    ]
    for measure in measures:
        contributing = sum(_contributes(p, measure, base_currency) for p in parts)
        if measure.agg is Aggregate.COUNT_DISTINCT and contributing > 1:
            return None  # the same value in two parts would be counted twice
    return parts


def _by_day(part: Source, dimension: Dimension) -> bool:
    """A date grouping: the parts group by the day itself (in index order, no function per
    row) and the sums are put in weeks, months… at the end, a few hundred rows."""
    return part.fields[dimension.field].type == "date"


def _part_select(
    part: Source,
    spec: DataSpec,
    builder: Any,
    window: Window,
    base_currency: str,
) -> Select[Any]:
    columns = [
        (builder.field(d.field) if _by_day(part, d) else builder.dimension(d)).label(d.key)
        for d in spec.dimensions
    ]
    for measure in spec.measures:
        if measure.agg in COMBINED:
            continue
        if not _contributes(part, measure, base_currency):
            columns.append(_empty(measure).label(measure.key))
            continue
        kept = [c for c in measure.where if decided(part, c, base_currency) is None]
        columns.append(
            builder.aggregate(measure.model_copy(update={"where": kept})).label(measure.key)
        )
    conditions = [
        builder.condition(c) for c in spec.filters if decided(part, c, base_currency) is None
    ]
    conditions += builder.within(spec.time_field, window)
    statement = select(*columns).select_from(builder.from_clause())
    if conditions:
        statement = statement.where(and_(*conditions))
    if spec.dimensions:
        statement = statement.group_by(
            *[literal_column(str(n + 1)) for n in range(len(spec.dimensions))]
        )
    return statement


def _added_up(measure: Measure, value: ColumnElement[Any]) -> ColumnElement[Any]:
    if measure.agg is Aggregate.MIN:
        return func.min(value)
    if measure.agg is Aggregate.MAX:
        return func.max(value)
    return func.coalesce(func.sum(value), 0)


def parts_query(
    spec: DataSpec,
    parts: list[Source],
    make_builder: Any,
    window: Window,
    base_currency: str,
) -> Select[Any]:
    """The spec summed part by part (dimension keys, then SQL measure keys, as the compiler's
    own query); `make_builder(part)` gives the compiler's expression builder for a part."""
    selects = [
        _part_select(part, spec, make_builder(part), window, base_currency) for part in parts
    ]
    sums = (
        union_all(*selects).subquery("parts") if len(selects) > 1 else selects[0].subquery("parts")
    )
    columns: list[ColumnElement[Any]] = [
        (
            TimeBucket(sums.c[d.key], d.grain or Grain.DAY, is_date=True)
            if _by_day(parts[0], d)
            else sums.c[d.key]
        ).label(d.key)
        for d in spec.dimensions
    ]
    for measure in spec.measures:
        if measure.agg in COMBINED:
            continue
        columns.append(_added_up(measure, sums.c[measure.key]).label(measure.key))
    statement = select(*columns).select_from(sums)
    if spec.dimensions:
        statement = statement.group_by(
            *[literal_column(str(n + 1)) for n in range(len(spec.dimensions))]
        )
    return statement
