"""A data spec as one parameterised SQLAlchemy Core query, checked against the catalogue first.

Every name in a spec is looked up in `reports.catalog`; every value becomes a bound parameter
of the field's type. Whatever is wrong (an unknown field, an operator that does not apply, a
value of the wrong kind) is collected and raised at once as `ValidationFailed`, by the path of
the offending part, so a builder sees every problem and the database never sees a bad query.

Aggregates run in SQL; measures built from other measures (ratio, formula, change) are worked
out on the aggregated rows by `reports.engine`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, case, cast, distinct, func, literal_column, select
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.reports.catalog import SOURCES, CompileContext, FieldInfo, Source
from cbe_app.reports.engine import ordered_combined
from cbe_app.reports.formula import FormulaError, names_in
from cbe_app.reports.parts import parts_query, plan_parts
from cbe_app.reports.period import Window
from cbe_app.reports.planner import plan, planned_query
from cbe_app.reports.spec import (
    COMBINED,
    Aggregate,
    DataSpec,
    Dimension,
    Filter,
    Grain,
    Measure,
)
from cbe_app.reports.sqlfunc import TimeBucket
from cbe_app.reports.values import OPS_BY_TYPE, BadValue, apply_filter, filter_value

_MINMAX_TYPES = frozenset({"number", "money", "date", "time"})
_SUM_TYPES = frozenset({"number", "money", "bool"})


@dataclass(frozen=True, slots=True)
class Compiled:
    """The query and how to read its columns: dimension keys, then SQL measure keys."""

    statement: Select[Any]
    dimensions: tuple[Dimension, ...]
    sql_measures: tuple[Measure, ...]
    money: frozenset[str]  # keys of SQL measures in minor units of the base currency


class _Checker:
    """Collects every problem of a spec, keyed by where it is (`measures.0.field`)."""

    def __init__(self, spec: DataSpec, base_currency: str) -> None:
        self.spec, self.base_currency = spec, base_currency
        self.errors: dict[str, str] = {}
        self.source: Source | None = SOURCES.get(spec.source)
        if self.source is None:
            choices = ", ".join(sorted(SOURCES))
            self.errors["source"] = f"unknown source {spec.source!r}; choose one of: {choices}"

    def field(self, path: str, name: str) -> FieldInfo | None:
        if self.source is None:
            return None
        info = self.source.fields.get(name)
        if info is None:
            choices = ", ".join(sorted(self.source.fields))
            self.errors[path] = (
                f"{self.spec.source} has no field {name!r}; choose one of: {choices}"
            )
        return info

    def fail(self, path: str, problem: str) -> None:
        self.errors.setdefault(path, problem)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors, N_("The report cannot run as it is."))


def check(spec: DataSpec, base_currency: str) -> None:
    """Raise `ValidationFailed` with every problem of the spec; return if it can run."""
    checker = _Checker(spec, base_currency)
    _check_parts(checker)
    checker.raise_if_any()


def _check_parts(checker: _Checker) -> None:
    spec = checker.spec
    for n, dimension in enumerate(spec.dimensions):
        info = checker.field(f"dimensions.{n}.field", dimension.field)
        if info and dimension.grain and info.type not in ("date", "time"):
            checker.fail(f"dimensions.{n}.grain", "only dates and times have a grain")
        if info and info.type == "money":
            checker.fail(f"dimensions.{n}.field", "an amount is a measure, not a dimension")
    keys = {m.key for m in spec.measures}
    for n, measure in enumerate(spec.measures):
        _check_measure(checker, f"measures.{n}", measure, keys - {measure.key})
    for n, condition in enumerate(spec.filters):
        _condition(checker, f"filters.{n}", condition)
    try:
        ordered_combined(spec.measures)
    except FormulaError:
        pass  # reported with its measure
    except ValueError as exc:
        checker.fail("measures", str(exc))
    named = keys | {d.key for d in spec.dimensions}
    for n, order in enumerate(spec.sort):
        if order.by not in named:
            checker.fail(f"sort.{n}.by", f"{order.by!r} is neither a measure nor a dimension")
    if spec.time_field:
        info = checker.field("time_field", spec.time_field)
        if info and info.type not in ("date", "time"):
            checker.fail("time_field", f"{spec.time_field!r} is not a date or time")


def _check_measure(checker: _Checker, path: str, measure: Measure, others: set[str]) -> None:
    if measure.agg is Aggregate.RATIO:
        for part in ("numerator", "denominator"):
            if getattr(measure, part) not in others:
                checker.fail(f"{path}.{part}", "must name another measure of this report")
    elif measure.agg is Aggregate.CHANGE:
        if measure.of not in others:
            checker.fail(f"{path}.of", "must name another measure of this report")
    elif measure.agg is Aggregate.FORMULA:
        try:
            unknown = names_in(measure.expr or "") - others
        except FormulaError as exc:
            checker.fail(f"{path}.expr", str(exc))
        else:
            if unknown:
                checker.fail(f"{path}.expr", f"unknown measures: {', '.join(sorted(unknown))}")
    else:
        _check_aggregate(checker, path, measure)
    for n, condition in enumerate(measure.where):
        _condition(checker, f"{path}.where.{n}", condition)


def _check_aggregate(checker: _Checker, path: str, measure: Measure) -> None:
    if measure.field is None:
        return  # count of rows
    info = checker.field(f"{path}.field", measure.field)
    if info is None:
        return
    allowed = {
        Aggregate.SUM: _SUM_TYPES,
        Aggregate.AVG: _SUM_TYPES,
        Aggregate.MIN: _MINMAX_TYPES,
        Aggregate.MAX: _MINMAX_TYPES,
    }.get(measure.agg)
    if allowed is not None and info.type not in allowed:
        checker.fail(f"{path}.field", f"cannot take the {measure.agg.value} of {info.type}")


def _condition(checker: _Checker, path: str, condition: Filter) -> Any:
    info = checker.field(f"{path}.field", condition.field)
    if info is None:
        return None
    if condition.op not in OPS_BY_TYPE[info.type]:
        checker.fail(f"{path}.op", f"{condition.op.value!r} does not apply to {info.type}")
        return None
    try:
        return filter_value(info.type, condition.op, condition.value, checker.base_currency)
    except BadValue as exc:
        checker.fail(f"{path}.value", f"{condition.field} {condition.op.value}: {exc}")
        return None


def compile_spec(
    spec: DataSpec,
    ctx: CompileContext,
    window: Window,
    base_currency: str,
    extra: tuple[Filter, ...] = (),
    *,
    use_rollups: bool = True,
) -> Compiled:
    """The spec's aggregate query over `window`, with `extra` filters (a dashboard's) added.

    It reads the rollups when they hold everything the spec asks (`reports.planner`), else
    the raw rows; `use_rollups=False` forces the raw rows (to compare the two).

    Raises:
        ValidationFailed: every problem of the spec (and of the extra filters) at once.
    """
    spec = spec.model_copy(update={"filters": [*spec.filters, *extra]})
    key = (spec.model_dump_json(), window, base_currency, ctx.key, use_rollups)
    with _lock:
        cached = _compiled.get(key)
        if cached is not None:
            _compiled.move_to_end(key)
            return cached
    compiled = _compile(spec, ctx, window, base_currency, use_rollups=use_rollups)
    with _lock:
        _compiled[key] = compiled
        while len(_compiled) > _CACHED:
            _compiled.popitem(last=False)
    return compiled


# A dashboard refreshes the same specs over and over: building their statements costs more
# than SQLite answering them from the rollups, so the last few hundred are kept.
_CACHED = 512
_compiled: OrderedDict[tuple[Any, ...], Compiled] = OrderedDict()
_lock = threading.Lock()


def _compile(
    spec: DataSpec,
    ctx: CompileContext,
    window: Window,
    base_currency: str,
    *,
    use_rollups: bool,
) -> Compiled:
    check(spec, base_currency)
    source = SOURCES[spec.source]
    sql_measures = tuple(m for m in spec.measures if m.agg not in COMBINED)
    money = frozenset(
        m.key
        for m in sql_measures
        if m.field
        and source.fields[m.field].type == "money"
        and m.agg in (Aggregate.SUM, Aggregate.AVG, Aggregate.MIN, Aggregate.MAX)
    )
    chosen = plan(spec) if use_rollups else None
    if chosen is not None:
        statement = planned_query(spec, chosen, ctx, window, base_currency)
        return Compiled(statement, tuple(spec.dimensions), sql_measures, money)
    parts = plan_parts(spec, source, base_currency) if use_rollups else None
    if parts:  # a combined source, summed table by table (`reports.parts`)
        statement = parts_query(
            spec, parts, lambda part: _Builder(part, ctx, base_currency), window, base_currency
        )
        return Compiled(statement, tuple(spec.dimensions), sql_measures, money)
    builder = _Builder(source, ctx, base_currency)
    columns: list[ColumnElement[Any]] = []
    for dimension in spec.dimensions:
        columns.append(builder.dimension(dimension).label(dimension.key))
    columns += [builder.aggregate(m).label(m.key) for m in sql_measures]
    conditions = builder.conditions(spec, window)
    statement = select(*columns).select_from(builder.from_clause())
    if conditions:
        statement = statement.where(and_(*conditions))
    if spec.dimensions:
        # By position: an expression with bound values (a region's countries) would not be
        # the same expression twice to PostgreSQL, whose parameters are numbered.
        statement = statement.group_by(
            *[literal_column(str(n + 1)) for n in range(len(spec.dimensions))]
        )
    return Compiled(statement, tuple(spec.dimensions), sql_measures, money)


class _Builder:
    """Turns checked parts of a spec into expressions, remembering the joins they need."""

    def __init__(self, source: Source, ctx: CompileContext, base_currency: str) -> None:
        self.source, self.ctx, self.base_currency = source, ctx, base_currency
        self.joins: list[str] = []

    def field(self, name: str) -> ColumnElement[Any]:
        info = self.source.fields[name]
        for join in info.joins:
            if join not in self.joins:
                self.joins.append(join)
        return info.expr(self.ctx)

    def from_clause(self) -> FromClause:
        clause: FromClause = self.source.table
        for name in self.joins:
            table, on = self.source.joins[name]
            clause = clause.outerjoin(table, on)
        return clause

    def dimension(self, dimension: Dimension) -> ColumnElement[Any]:
        info = self.source.fields[dimension.field]
        expr = self.field(dimension.field)
        if info.type in ("date", "time"):
            return TimeBucket(expr, dimension.grain or Grain.DAY, is_date=info.type == "date")
        return expr

    def aggregate(self, measure: Measure) -> ColumnElement[Any]:
        value = self._operand(measure)
        condition = [self.condition(c) for c in measure.where]
        if condition:  # conditional aggregation: only rows meeting the measure's own filters
            value = case((and_(*condition), value))
        if measure.agg is Aggregate.COUNT:
            return func.count(value) if measure.field or condition else func.count()
        if measure.agg is Aggregate.COUNT_DISTINCT:
            return func.count(distinct(value))
        if measure.agg is Aggregate.SUM:
            return func.coalesce(func.sum(value), 0)
        if measure.agg is Aggregate.AVG:
            return func.avg(value)
        return func.min(value) if measure.agg is Aggregate.MIN else func.max(value)

    def _operand(self, measure: Measure) -> ColumnElement[Any]:
        if measure.field is None:
            return cast(1, Integer)
        info = self.source.fields[measure.field]
        value = self.field(measure.field)
        if info.type == "bool":  # summed or averaged as 1/0 (PostgreSQL cannot sum booleans)
            return case((value, 1), else_=0)
        return value

    def condition(self, condition: Filter) -> ColumnElement[bool]:
        info = self.source.fields[condition.field]
        value = filter_value(info.type, condition.op, condition.value, self.base_currency)
        return apply_filter(self.field(condition.field), condition.op, value)

    def conditions(self, spec: DataSpec, window: Window) -> list[ColumnElement[bool]]:
        found = [self.condition(c) for c in spec.filters]
        return found + self.within(spec.time_field, window)

    def within(self, time_field: str | None, window: Window) -> list[ColumnElement[bool]]:
        """The window's bounds on `time_field` (else the source's own time)."""
        name = time_field or self.source.time_field
        when = self.field(name)
        is_date = self.source.fields[name].type == "date"  # compared with days, not times
        found = []
        if window.start is not None:
            found.append(when >= (window.start.date() if is_date else window.start))
        if window.end is not None:
            found.append(when < (window.end.date() if is_date else window.end))
        return found
