"""Refreshing a dashboard: every widget's result under the dashboard's current filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from cbe_app.core.errors import ValidationFailed
from cbe_app.packs.service import definitions_in_effect
from cbe_app.reports.dashboard import (
    DashboardDefinition,
    DashboardFilters,
    Widget,
    dashboard_filters,
    widget_spec,
)
from cbe_app.reports.engine import Result
from cbe_app.reports.service import compile_context, run_spec
from cbe_app.reports.spec import KpiDefinition


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
    tiles = []
    for widget in board.widgets:
        kpi = kpis.get(widget.kpi) if widget.kpi else None
        if widget.kpi and kpi is None:
            tiles.append(Tile(widget, None, f"There is no KPI {widget.kpi!r}."))
            continue
        try:
            spec = widget_spec(widget, kpi, filters)
            extra = dashboard_filters(spec.source, filters)
            result = run_spec(session, spec, now, base_currency, extra, ctx=ctx)
            tiles.append(Tile(widget, result))
        except ValidationFailed as exc:
            tiles.append(Tile(widget, None, exc.text))
    return tiles
