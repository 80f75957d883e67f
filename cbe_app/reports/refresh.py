"""Refreshing a dashboard: every widget's result under the dashboard's current filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.packs.service import definitions_in_effect
from cbe_app.reports.catalog import SOURCES, CompileContext
from cbe_app.reports.dashboard import (
    DashboardDefinition,
    DashboardFilters,
    Widget,
    dashboard_filters,
    widget_spec,
)
from cbe_app.reports.drill import DRILL_COLUMNS, drill_filters
from cbe_app.reports.engine import Result
from cbe_app.reports.listing import Listing, list_rows
from cbe_app.reports.service import compile_context, run_spec
from cbe_app.reports.spec import KpiDefinition, Sort

DRILL_PAGE_SIZE = 25
_NO_DRILL = N_("This point cannot be opened.")


@dataclass(frozen=True, slots=True)
class Tile:
    """A widget's result, or why it has none (a widget a builder broke shows its problem)."""

    widget: Widget
    result: Result | None
    problem: str = ""


def refresh(
    session: Session,
    board: DashboardDefinition,
    chosen: DashboardFilters | None,
    now: datetime,
    base_currency: str,
) -> list[Tile]:
    """Every widget of `board` under `chosen` filters (the board's own when None)."""
    filters = chosen or board.filters
    kpis = definitions_in_effect(session, KpiDefinition)
    ctx = compile_context(session, now)
    return [
        _tile(session, w, kpis=kpis, filters=filters, ctx=ctx, now=now, currency=base_currency)
        for w in board.widgets
    ]


def preview(
    session: Session,
    widget: Widget,
    chosen: DashboardFilters,
    now: datetime,
    base_currency: str,
) -> Tile:
    """One widget as the designer's inspector shows it while a builder edits it."""
    kpis = definitions_in_effect(session, KpiDefinition)
    ctx = compile_context(session, now)
    return _tile(
        session, widget, kpis=kpis, filters=chosen, ctx=ctx, now=now, currency=base_currency
    )


def _tile(
    session: Session,
    widget: Widget,
    *,
    kpis: Mapping[str, KpiDefinition],
    filters: DashboardFilters,
    ctx: CompileContext,
    now: datetime,
    currency: str,
) -> Tile:
    kpi = kpis.get(widget.kpi) if widget.kpi else None
    if widget.kpi and kpi is None:
        return Tile(widget, None, f"There is no KPI {widget.kpi!r}.")
    try:
        spec = widget_spec(widget, kpi, filters)
        extra = dashboard_filters(spec.source, filters)
        return Tile(widget, run_spec(session, spec, now, currency, extra, ctx=ctx))
    except ValidationFailed as exc:
        return Tile(widget, None, exc.text)


def rows_behind(
    session: Session,
    widget: Widget,
    values: list[Any],
    chosen: DashboardFilters,
    *,
    page: int,
    now: datetime,
    base_currency: str,
) -> Listing:
    """One page of the rows behind the point of `widget` whose dimensions have `values`.

    Raises:
        ValidationFailed: the widget cannot be drilled into, or the point does not fit it.
    """
    kpis = definitions_in_effect(session, KpiDefinition)
    kpi = kpis.get(widget.kpi) if widget.kpi else None
    if widget.kpi and kpi is None:
        raise ValidationFailed({"kpi": f"There is no KPI {widget.kpi!r}."}, _NO_DRILL)
    spec = widget_spec(widget, kpi, chosen)
    shown = next((m.key for m in spec.measures if not m.hidden), spec.measures[0].key)
    filters = drill_filters(spec, shown, values) + list(dashboard_filters(spec.source, chosen))
    source = SOURCES[spec.source]
    time_field = spec.time_field or source.time_field
    return list_rows(
        session,
        spec.source,
        DRILL_COLUMNS.get(spec.source, ["id"]),
        filters=filters,
        sort=[Sort(by=time_field, descending=True)],
        page=page,
        page_size=DRILL_PAGE_SIZE,
        ctx=compile_context(session, now),
        period=spec.period,
        now=now,
        base_currency=base_currency,
        time_field=spec.time_field,
    )
