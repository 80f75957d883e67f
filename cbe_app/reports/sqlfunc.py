"""The few SQL expressions that differ between SQLite and PostgreSQL, as compiled constructs.

Reports are built once as SQLAlchemy Core and run on either database; these constructs render
the right SQL for each. Times are stored in UTC (naive text on SQLite), so buckets are UTC days.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from cbe_app.reports.spec import Grain

_SQLITE_FORMATS = {Grain.DAY: "%Y-%m-%d", Grain.MONTH: "%Y-%m", Grain.YEAR: "%Y"}
_PG_FORMATS = {
    Grain.DAY: "YYYY-MM-DD",
    Grain.MONTH: "YYYY-MM",
    Grain.QUARTER: 'YYYY-"Q"Q',
    Grain.YEAR: "YYYY",
}


class TimeBucket(FunctionElement[str]):
    """A time or date as the text of its bucket: `2026-03-09` (day, or the Monday of its ISO
    week), `2026-03` (month), `2026-Q1`, `2026`. Text sorts in time order on both databases."""

    type = String()
    inherit_cache = True

    def __init__(self, value: Any, grain: Grain, *, is_date: bool = False) -> None:
        self.grain, self.is_date = grain, is_date
        super().__init__(value)


def _argument(element: FunctionElement[Any], compiler: SQLCompiler, kw: dict[str, Any]) -> str:
    return str(compiler.process(next(iter(element.clauses)), **kw))


@compiles(TimeBucket, "sqlite")
def _bucket_sqlite(element: TimeBucket, compiler: SQLCompiler, **kw: Any) -> str:
    value = _argument(element, compiler, kw)
    if element.grain is Grain.WEEK:  # to the coming Sunday (or today), then back to Monday
        return f"date({value}, 'weekday 0', '-6 days')"
    if element.grain is Grain.QUARTER:
        month = f"CAST(strftime('%m', {value}) AS INTEGER)"
        return f"(strftime('%Y', {value}) || '-Q' || (({month} + 2) / 3))"
    return f"strftime('{_SQLITE_FORMATS[element.grain]}', {value})"


@compiles(TimeBucket, "postgresql")
def _bucket_postgresql(element: TimeBucket, compiler: SQLCompiler, **kw: Any) -> str:
    value = f"({_argument(element, compiler, kw)})"
    moment = value if element.is_date else _utc(value)  # a DATE has no zone to convert
    if element.grain is Grain.WEEK:
        return f"to_char(date_trunc('week', {moment}), 'YYYY-MM-DD')"
    return f"to_char({moment}, '{_PG_FORMATS[element.grain]}')"


def _utc(value: str) -> str:
    # timestamptz renders in the session's time zone; reports bucket by UTC on every database.
    return f"({value} AT TIME ZONE 'UTC')"


class UtcDate(FunctionElement[str]):
    """The UTC calendar day of a stored time, comparable with a DATE column on both databases."""

    type = String()
    inherit_cache = True


@compiles(UtcDate, "sqlite")
def _date_sqlite(element: UtcDate, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({_argument(element, compiler, kw)})"


@compiles(UtcDate, "postgresql")
def _date_postgresql(element: UtcDate, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({_utc(_argument(element, compiler, kw))} AS DATE)"
