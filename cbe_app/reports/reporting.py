"""Running a report: a page of it on screen, or every row of it for a file.

Rows mode reads the source's records through `reports.listing` (paged by the database);
summary mode runs the data spec through the engine (rollups where they answer) and, with a
pivot, spreads one grouping across the columns. Either way the result is columns with their
headings in the reader's language and rows of plain values (amounts as Decimal in the base
currency, times as aware UTC), which the screen formats and the exports write.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from cbe_app.core.i18n import translate
from cbe_app.reports.catalog import SOURCES, CompileContext
from cbe_app.reports.engine import Result
from cbe_app.reports.labels import dimension_label, field_label, measure_label
from cbe_app.reports.listing import MAX_PAGE_SIZE, count_rows, iter_rows, list_rows
from cbe_app.reports.period import PERIOD_LABELS
from cbe_app.reports.pickers import OPERATOR_LABELS
from cbe_app.reports.pivot import PivotColumn, pivot_rows
from cbe_app.reports.report import ReportDefinition, ReportMode
from cbe_app.reports.service import compile_context, run_spec
from cbe_app.reports.spec import Filter, Period, PeriodPreset

MAX_EXPORT_ROWS = 1_000_000
_TYPES = {"money": "money", "percent": "percent", "ratio": "ratio"}


@dataclass(frozen=True, slots=True)
class ReportColumn:
    """A column as shown: its key in the rows, heading, type and what it is."""

    key: str
    label: str
    type: str  # text, number, money, percent, ratio, date, time, bool, id
    role: str  # "field" (rows mode), "dimension" or "measure"


@dataclass(frozen=True, slots=True)
class ReportPage:
    """One page of a report, with the number of lines it has in all."""

    columns: tuple[ReportColumn, ...]
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    currency: str


def _summary_columns(report: ReportDefinition, result: Result, locale: str) -> list[ReportColumn]:
    measures = {m.key: m for m in report.measures}
    dimensions = {d.key: d for d in report.group_by}
    found = []
    for column in result.columns:
        if column.role == "dimension":
            dimension = dimensions[column.key]
            info = SOURCES[report.source].fields[dimension.field]
            label = dimension_label(report.source, dimension, locale)
            kind = "text" if dimension.grain else info.type
            found.append(ReportColumn(column.key, label, kind, "dimension"))
        else:
            label = measure_label(report.source, measures[column.key], locale)
            found.append(
                ReportColumn(column.key, label, _TYPES.get(column.format, "number"), "measure")
            )
    return found


def _pivoted(
    columns: list[ReportColumn], shaped: list[PivotColumn], single: bool
) -> list[ReportColumn]:
    by_key = {c.key: c for c in columns}
    found = []
    for column in shaped:
        origin = by_key[column.source]
        if column.key == column.source:
            found.append(origin)
            continue
        value = "—" if column.value is None else str(column.value)
        label = value if single else f"{value} · {origin.label}"
        found.append(ReportColumn(column.key, label, origin.type, "measure"))
    return found


def summary_table(
    session: Session,
    report: ReportDefinition,
    *,
    now: datetime,
    base_currency: str,
    locale: str,
    period: Period | None = None,
    ctx: CompileContext | None = None,
) -> tuple[list[ReportColumn], list[dict[str, Any]]]:
    """Every line of a summary (pivoted when the report says so), with its columns."""
    spec = report.data_spec()
    if period is not None:
        spec = spec.model_copy(update={"period": period})
    result = run_spec(session, spec, now, base_currency, ctx=ctx)
    columns = _summary_columns(report, result, locale)
    if report.pivot is None:
        return columns, result.rows
    down = [d.key for d in report.group_by if d.key != report.pivot]
    shown = [c.key for c in columns if c.role == "measure"]
    shaped, rows = pivot_rows(result.rows, down, report.pivot, shown)
    return _pivoted(columns, shaped, len(shown) == 1), rows


def _listing_columns(report: ReportDefinition, locale: str) -> list[ReportColumn]:
    fields = SOURCES[report.source].fields
    return [
        ReportColumn(name, field_label(report.source, name, locale), fields[name].type, "field")
        for name in report.columns
    ]


def run_report(
    session: Session,
    report: ReportDefinition,
    *,
    now: datetime,
    base_currency: str,
    locale: str,
    page: int = 1,
    page_size: int = 50,
    period: Period | None = None,
) -> ReportPage:
    """One page of the report (from 1), under `period` instead of its own when given.

    Raises:
        ValidationFailed: the report no longer fits the catalogue (a field was removed), or
            its pivot would have too many columns; every problem at once.
    """
    ctx = compile_context(session, now)
    if report.mode is ReportMode.ROWS:
        listing = list_rows(
            session,
            report.source,
            report.columns,
            filters=report.filters,
            sort=report.sort,
            page=page,
            page_size=min(page_size, MAX_PAGE_SIZE),
            ctx=ctx,
            period=period or report.period,
            now=now,
            base_currency=base_currency,
            time_field=report.time_field,
        )
        columns = tuple(_listing_columns(report, locale))
        return ReportPage(columns, listing.rows, listing.total, page, page_size, base_currency)
    found, rows = summary_table(
        session, report, now=now, base_currency=base_currency, locale=locale, period=period, ctx=ctx
    )
    start = (max(page, 1) - 1) * page_size
    window = rows[start : start + page_size]
    return ReportPage(tuple(found), window, len(rows), page, page_size, base_currency)


def all_rows(
    session: Session,
    report: ReportDefinition,
    *,
    now: datetime,
    base_currency: str,
    locale: str,
    limit: int = MAX_EXPORT_ROWS,
    offset: int = 0,
    period: Period | None = None,
) -> tuple[list[ReportColumn], Iterator[dict[str, Any]]]:
    """The lines of the report from `offset` (at most `limit`), read in batches for rows mode."""
    ctx = compile_context(session, now)
    if report.mode is ReportMode.ROWS:
        spec = report.list_spec()
        if period is not None:
            spec = spec.model_copy(update={"period": period})
        rows = iter_rows(
            session, spec, ctx, now=now, base_currency=base_currency, limit=limit, offset=offset
        )
        return _listing_columns(report, locale), rows
    columns, lines = summary_table(
        session, report, now=now, base_currency=base_currency, locale=locale, period=period, ctx=ctx
    )
    return columns, iter(lines[offset : offset + limit])


def count_lines(
    session: Session,
    report: ReportDefinition,
    *,
    now: datetime,
    base_currency: str,
    period: Period | None = None,
) -> int:
    """How many lines the report has (rows mode counts in the database)."""
    if report.mode is not ReportMode.ROWS:
        return -1  # a summary is read whole in one go: its size is known once read
    spec = report.list_spec()
    if period is not None:
        spec = spec.model_copy(update={"period": period})
    ctx = compile_context(session, now)
    return count_rows(session, spec, ctx, now=now, base_currency=base_currency)


def describe_period(period: Period | None, locale: str) -> str:
    """`Last 30 days`, `2026-03-01 – 2026-03-31`, or `All time`."""
    if period is None or (period.preset is None and not period.start and not period.end):
        return translate(PERIOD_LABELS[PeriodPreset.ALL_TIME], locale)
    if period.preset is not None:
        return translate(PERIOD_LABELS[period.preset], locale)
    first = period.start.isoformat() if period.start else "…"
    last = period.end.isoformat() if period.end else "…"
    return f"{first} – {last}"


def describe_filter(source: str, condition: Filter, locale: str) -> str:
    """`Status is cancelled`: a filter as a sentence a reader of the export understands."""
    field = field_label(source, condition.field, locale)
    operator = translate(OPERATOR_LABELS.get(condition.op.value, condition.op.value), locale)
    if condition.value is None:
        return f"{field} {operator}"
    value = condition.value
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"{field} {operator} {text}"
