"""Dashboards: widgets on a grid, each a data spec (its own, or a KPI of the library).

A dashboard is a definition like any other: the pack ships the executive cockpit and the
operations dashboard, builders change them or make their own. Dashboard-wide filters (the
period, channels, countries) narrow every widget whose source has such a field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from cbe_app.auth.roles import Role
from cbe_app.core.definitions import Definition, LocalizedText
from cbe_app.reports.spec import (
    Aggregate,
    ChartSpec,
    ChartType,
    DataSpec,
    Filter,
    KpiDefinition,
    Measure,
    Name,
    Op,
    Period,
    PeriodPreset,
    _Strict,
)

GRID_COLUMNS = 12


class Layout(_Strict):
    """Where a widget sits on the 12-column grid, in grid cells."""

    x: Annotated[int, Field(ge=0, lt=GRID_COLUMNS)] = 0
    y: Annotated[int, Field(ge=0, le=1000)] = 0
    w: Annotated[int, Field(ge=1, le=GRID_COLUMNS)] = 3
    h: Annotated[int, Field(ge=1, le=24)] = 2

    @model_validator(mode="after")
    def _inside(self) -> Layout:
        if self.x + self.w > GRID_COLUMNS:
            raise ValueError(f"a widget must fit in {GRID_COLUMNS} columns")
        return self


class Widget(_Strict):
    """One tile: a KPI of the library (optionally by a dimension), or a spec of its own."""

    id: Name
    title: LocalizedText
    chart: ChartSpec = Field(default_factory=ChartSpec)
    kpi: Name | None = None
    by: Name | None = None  # with `kpi`: a field or a time grain (day … year)
    data: DataSpec | None = None
    period: Period | None = None  # its own period (a 12-month trend); else the dashboard's
    layout: Layout = Field(default_factory=Layout)

    @model_validator(mode="after")
    def _one_source(self) -> Widget:
        if (self.kpi is None) == (self.data is None):
            raise ValueError("a widget shows either a KPI or a data spec of its own")
        if self.by and self.kpi is None:
            raise ValueError("'by' goes with a KPI; a data spec has its own dimensions")
        return self


class DashboardFilters(_Strict):
    """The filters every widget of a dashboard shares; a viewer changes them as they look."""

    period: Period = Field(default_factory=lambda: Period(preset=PeriodPreset.LAST_30_DAYS))
    channels: Annotated[list[Annotated[str, Field(max_length=120)]], Field(max_length=50)] = Field(
        default_factory=list
    )
    countries: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]], Field(max_length=250)
    ] = Field(default_factory=list)


class DashboardDefinition(Definition):
    """A dashboard: its widgets, default filters, and the roles it is shared with."""

    kind: Literal["dashboard"] = "dashboard"
    title: LocalizedText
    description: LocalizedText
    filters: DashboardFilters = Field(default_factory=DashboardFilters)
    widgets: Annotated[list[Widget], Field(max_length=40)]
    shared_with: Annotated[list[Role], Field(max_length=20)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_widgets(self) -> DashboardDefinition:
        ids = [w.id for w in self.widgets]
        if len(ids) != len(set(ids)):
            raise ValueError("each widget needs its own id")
        return self


# Which field of each source the dashboard's channel and country filters narrow.
_FILTERED_BY: dict[str, dict[str, str]] = {
    "orders": {"channel": "channel", "country": "country"},
    "shipments": {"channel": "channel", "country": "destination_country"},
    "customers": {"country": "country"},
    "marketing": {"country": "country"},
    # inventory: stock and its sales belong to no channel or destination country
}


def dashboard_filters(source: str, chosen: DashboardFilters) -> tuple[Filter, ...]:
    """The dashboard's channel and country choices as filters on a widget's source."""
    fields = _FILTERED_BY.get(source, {})
    found = []
    if chosen.channels and "channel" in fields:
        found.append(Filter(field=fields["channel"], op=Op.IN, value=list(chosen.channels)))
    if chosen.countries and "country" in fields:
        found.append(Filter(field=fields["country"], op=Op.IN, value=list(chosen.countries)))
    return tuple(found)


def tile_spec(kpi: KpiDefinition) -> DataSpec:
    """A KPI as a tile shows it: its value and the change against the previous period."""
    change = Measure(
        key=f"{kpi.value}_change", agg=Aggregate.CHANGE, of=kpi.value, format="percent"
    )
    return kpi.data.model_copy(update={"measures": [*kpi.data.measures, change]})


def widget_spec(widget: Widget, kpi: KpiDefinition | None, chosen: DashboardFilters) -> DataSpec:
    """What a widget runs under the dashboard's current filters (without its extra filters).

    A KPI tile without a dimension also shows the change against the previous period.
    """
    if kpi is not None:
        spec = tile_spec(kpi) if widget.chart.type is ChartType.KPI and not widget.by else kpi.data
        if widget.by:
            from cbe_app.reports.service import kpi_spec  # the same `by` as the command line

            spec = kpi_spec(kpi, widget.by, None, None)
    else:
        assert widget.data is not None  # the model requires one of the two
        spec = widget.data
    return spec.model_copy(update={"period": widget.period or chosen.period})
