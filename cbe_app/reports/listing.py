"""Raw rows of a source: chosen fields, the same filters as a data spec, a stable order, paging.

A report in list mode and a dashboard's drill-down ("the orders behind this bar") both read
rows rather than aggregates. The fields come from the same allow-list (`reports.catalog`) and
filter values become bound parameters exactly as for aggregates (`reports.values`); rows are
ordered by the chosen sort and then by the source's primary key, so pages never overlap or
skip a row however many rows share a sort value.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, ValidationError
from sqlalchemy import and_, func, select
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.core.money import from_minor
from cbe_app.reports.catalog import SOURCES, CompileContext, FieldType
from cbe_app.reports.compiler import _Builder, _Checker, _condition
from cbe_app.reports.period import Window, window_of
from cbe_app.reports.spec import Filter, Name, Period, Sort, _Strict

MAX_PAGE_SIZE = 1000
MAX_COLUMNS = 40
_PROBLEM = N_("The report cannot run as it is.")


class ListSpec(_Strict):
    """Which rows of a source, and which of their fields, in which order."""

    source: Name
    columns: Annotated[list[Name], Field(min_length=1, max_length=MAX_COLUMNS)]
    filters: Annotated[list[Filter], Field(max_length=20)] = Field(default_factory=list)
    sort: Annotated[list[Sort], Field(max_length=5)] = Field(default_factory=list)
    period: Period | None = None
    time_field: Name | None = None  # which time the period applies to; else the source's


@dataclass(frozen=True, slots=True)
class ListColumn:
    """A column of a listing: the field's key, its label (a message id) and its type."""

    key: str
    label: str
    type: FieldType


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of rows (dicts by column key; money as Decimal amounts) and the total count."""

    columns: tuple[ListColumn, ...]
    rows: list[dict[str, Any]]
    total: int
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True, slots=True)
class CompiledListing:
    """The ordered query (without paging), the count of its rows, and its columns."""

    statement: Select[Any]
    count: Select[Any]
    columns: tuple[ListColumn, ...]


def check_listing(spec: ListSpec, base_currency: str) -> None:
    """Raise `ValidationFailed` with every problem of the listing at once."""
    checker = _Checker(spec, base_currency)  # type: ignore[arg-type]  # reads source, filters
    for n, name in enumerate(spec.columns):
        if checker.field(f"columns.{n}", name) and name in spec.columns[:n]:
            checker.fail(f"columns.{n}", f"{name!r} is already a column")
    for n, condition in enumerate(spec.filters):
        _condition(checker, f"filters.{n}", condition)
    for n, order in enumerate(spec.sort):
        checker.field(f"sort.{n}.by", order.by)
    if spec.time_field:
        info = checker.field("time_field", spec.time_field)
        if info and info.type not in ("date", "time"):
            checker.fail("time_field", f"{spec.time_field!r} is not a date or time")
    checker.raise_if_any()


def compile_listing(
    spec: ListSpec, ctx: CompileContext, window: Window, base_currency: str
) -> CompiledListing:
    """The listing's query in a stable order, and a count of the same rows.

    Raises:
        ValidationFailed: every problem of the listing at once.
    """
    check_listing(spec, base_currency)
    source = SOURCES[spec.source]
    rows = _Builder(source, ctx, base_currency)
    selected = [rows.field(name).label(name) for name in spec.columns]
    order: list[ColumnElement[Any]] = []
    for item in spec.sort:
        expr = rows.field(item.by)
        order.append(expr.desc().nulls_last() if item.descending else expr.asc().nulls_last())
    order += source.ordering  # ties broken the same way every time
    where = [rows.condition(c) for c in spec.filters] + rows.within(spec.time_field, window)
    statement = select(*selected).select_from(rows.from_clause()).order_by(*order)
    # The count joins only what the filters need.
    counted = _Builder(source, ctx, base_currency)
    count_where = [counted.condition(c) for c in spec.filters]
    count_where += counted.within(spec.time_field, window)
    count = select(func.count()).select_from(counted.from_clause())
    if where:
        statement = statement.where(and_(*where))
        count = count.where(and_(*count_where))
    columns = tuple(
        ListColumn(name, source.fields[name].label, source.fields[name].type)
        for name in spec.columns
    )
    return CompiledListing(statement, count, columns)


def read_value(value: Any, field_type: FieldType, currency: str) -> Any:
    """A database value as the result carries it: amounts, booleans, aware UTC times."""
    if value is None:
        return None
    if field_type == "money":
        return from_minor(int(value), currency)
    if field_type == "bool":
        return bool(value)
    if field_type == "time":
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if field_type == "number" and isinstance(value, float):
        return Decimal(str(value))
    return value


def _shaped(record: Any, columns: Sequence[ListColumn], currency: str) -> dict[str, Any]:
    return {c.key: read_value(record[c.key], c.type, currency) for c in columns}


def list_spec(
    source: str,
    fields: Sequence[str],
    *,
    filters: Sequence[Filter] = (),
    sort: Sequence[Sort] = (),
    period: Period | None = None,
    time_field: str | None = None,
) -> ListSpec:
    """A `ListSpec` from its parts; a malformed part is a `ValidationFailed` a person can read."""
    try:
        return ListSpec(
            source=source,
            columns=list(fields),
            filters=list(filters),
            sort=list(sort),
            period=period,
            time_field=time_field,
        )
    except ValidationError as exc:
        problems = {
            ".".join(map(str, e["loc"])) or "listing": e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        }
        raise ValidationFailed(problems, _PROBLEM) from exc


def list_rows(
    session: Session,
    source: str,
    fields: Sequence[str],
    *,
    filters: Sequence[Filter] = (),
    sort: Sequence[Sort] = (),
    page: int = 1,
    page_size: int = 50,
    ctx: CompileContext,
    period: Period | None = None,
    now: datetime,
    base_currency: str,
    time_field: str | None = None,
) -> Listing:
    """One page (from 1) of a source's rows: `fields` of each, filtered, sorted, then by id.

    Raises:
        ValidationFailed: an unknown source or field, an operator or value that does not fit,
            or a page outside 1… / a page size outside 1…1000.
    """
    problems = {}
    if page < 1:
        problems["page"] = "pages are counted from 1"
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems["page_size"] = f"a page holds 1 to {MAX_PAGE_SIZE} rows"
    if problems:
        raise ValidationFailed(problems, _PROBLEM)
    spec = list_spec(
        source, fields, filters=filters, sort=sort, period=period, time_field=time_field
    )
    compiled = compile_listing(spec, ctx, window_of(period, now), base_currency)
    total = int(session.execute(compiled.count).scalar_one())
    paged = compiled.statement.limit(page_size).offset((page - 1) * page_size)
    rows = [_shaped(r, compiled.columns, base_currency) for r in session.execute(paged).mappings()]
    return Listing(compiled.columns, rows, total, page, page_size)


def iter_rows(
    session: Session,
    spec: ListSpec,
    ctx: CompileContext,
    *,
    now: datetime,
    base_currency: str,
    limit: int,
    offset: int = 0,
    batch: int = 2000,
) -> Iterator[dict[str, Any]]:
    """The rows of a listing in order from `offset` (at most `limit`), read in batches, not
    all at once."""
    compiled = compile_listing(spec, ctx, window_of(spec.period, now), base_currency)
    statement = compiled.statement.limit(limit).offset(offset)
    result = session.execute(statement.execution_options(yield_per=batch)).mappings()
    for record in result:
        yield _shaped(record, compiled.columns, base_currency)


def count_rows(
    session: Session, spec: ListSpec, ctx: CompileContext, *, now: datetime, base_currency: str
) -> int:
    """How many rows the listing has."""
    compiled = compile_listing(spec, ctx, window_of(spec.period, now), base_currency)
    return int(session.execute(compiled.count).scalar_one())


def columns_of_listing(spec: ListSpec) -> tuple[ListColumn, ...]:
    """The columns a listing shows (the spec must have been checked)."""
    fields = SOURCES[spec.source].fields
    return tuple(ListColumn(n, fields[n].label, fields[n].type) for n in spec.columns)
