"""The dashboard designer's model of a widget being edited: a draft of plain values.

The inspector edits a draft (strings, lists of small dicts: what pickers and text boxes
hold) and turns it into a `Widget` the moment it changes, so the builder sees the result as
they edit. Anything the pickers cannot show (a ratio, a formula, a measure with its own
filter) is carried through unchanged in `kept`, listed for the builder, and removable.

Pure: no database, no Reflex. The choices offered come from the catalogue's allow-list, so
a draft can only name what a spec may name; the compiler still checks the whole.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

from pydantic import ValidationError

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.reports.catalog import SOURCES
from cbe_app.reports.dashboard import GRID_COLUMNS, Layout, Widget
from cbe_app.reports.pickers import (
    GRAIN_LABELS,
    Choice,
    DraftDimension,
    DraftFilter,
    DraftMeasure,
    dimension_key,
    dimension_of,
    filter_of,
    is_simple,
    measure_of,
    pydantic_errors,
    typed_back,
)
from cbe_app.reports.spec import (
    Aggregate,
    ChartSpec,
    ChartType,
    DataSpec,
    Measure,
    Period,
    PeriodPreset,
)

_PROBLEM = N_("The widget cannot be saved as it is.")


class Draft(TypedDict):
    """A widget in the inspector."""

    id: str
    title_en: str
    title_zh: str
    chart: str  # a ChartType value
    mode: str  # "kpi": a KPI of the library; "data": a spec of its own
    kpi: str
    by: str
    source: str
    measures: list[DraftMeasure]
    dimensions: list[DraftDimension]
    filters: list[DraftFilter]
    kept: list[str]  # JSON of measures the pickers cannot edit, passed through as they are
    limit: str
    period: str  # a PeriodPreset value, or "" for the dashboard's period


# What a new widget of each type starts as: something sensible to edit from.
_STARTERS: dict[ChartType, dict[str, Any]] = {
    ChartType.KPI: {"mode": "kpi", "kpi": "gmv"},
    ChartType.LINE: {"dimensions": [{"field": "placed_at", "grain": "month"}]},
    ChartType.AREA: {"dimensions": [{"field": "placed_at", "grain": "month"}]},
    ChartType.BAR: {"dimensions": [{"field": "channel", "grain": ""}]},
    ChartType.PIE: {"dimensions": [{"field": "region", "grain": ""}]},
    ChartType.DONUT: {"dimensions": [{"field": "channel", "grain": ""}]},
    ChartType.TABLE: {"dimensions": [{"field": "country", "grain": ""}], "limit": "20"},
    ChartType.PIVOT: {
        "dimensions": [
            {"field": "channel", "grain": ""},
            {"field": "placed_at", "grain": "quarter"},
        ]
    },
    ChartType.MAP: {"dimensions": [{"field": "country", "grain": ""}]},
}
_TITLES = {
    ChartType.KPI: "New KPI tile",
    ChartType.LINE: "New line chart",
    ChartType.AREA: "New area chart",
    ChartType.BAR: "New bar chart",
    ChartType.PIE: "New pie chart",
    ChartType.DONUT: "New donut chart",
    ChartType.TABLE: "New table",
    ChartType.PIVOT: "New pivot table",
    ChartType.MAP: "New world map",
}


def new_draft(chart: ChartType, taken: set[str]) -> Draft:
    """A new widget of `chart` type: GMV over the dashboard's period, shaped for the type."""
    n = 1
    while f"widget_{n}" in taken:
        n += 1
    draft = Draft(
        id=f"widget_{n}",
        title_en=_TITLES[chart],
        title_zh="",
        chart=chart.value,
        mode="data",
        kpi="",
        by="",
        source="orders",
        measures=[DraftMeasure(agg=Aggregate.SUM.value, field="total_base")],
        dimensions=[],
        filters=[],
        kept=[],
        limit="",
        period="",
    )
    draft.update(_STARTERS[chart])  # type: ignore[typeddict-item]
    return draft


def draft_of(widget: Widget) -> Draft:
    """What the inspector shows of an existing widget."""
    draft = Draft(
        id=widget.id,
        title_en=widget.title.en,
        title_zh=widget.title.zh_CN,
        chart=widget.chart.type.value,
        mode="kpi" if widget.kpi else "data",
        kpi=widget.kpi or "",
        by=widget.by or "",
        source="orders",
        measures=[],
        dimensions=[],
        filters=[],
        kept=[],
        limit="",
        period=widget.period.preset.value if widget.period and widget.period.preset else "",
    )
    data = widget.data
    if data is None:
        return draft
    draft["source"] = data.source
    for measure in data.measures:
        if is_simple(measure):
            draft["measures"].append(DraftMeasure(agg=measure.agg.value, field=measure.field or ""))
        else:
            draft["kept"].append(measure.model_dump_json(exclude_defaults=True))
    draft["dimensions"] = [
        DraftDimension(field=d.field, grain=d.grain.value if d.grain else "")
        for d in data.dimensions
    ]
    draft["filters"] = [
        DraftFilter(field=f.field, op=f.op.value, value=typed_back(f.value)) for f in data.filters
    ]
    draft["limit"] = str(data.limit) if data.limit else ""
    return draft


def widget_of(draft: Draft, layout: Layout) -> Widget:
    """The widget a draft describes, placed at `layout`.

    Raises:
        ValidationFailed: what the builder must fix, by the draft's part (`measures.1`).
    """
    errors: dict[str, str] = {}
    try:
        chart = ChartType(draft["chart"])
    except ValueError:
        errors["chart"] = f"unknown chart type {draft['chart'][:40]!r}"
        chart = ChartType.TABLE
    title = draft["title_en"].strip()
    if not title:
        errors["title_en"] = "needs a title"
    fields: dict[str, Any] = {
        "id": draft["id"],
        "title": {"en": title or "-", "zh_CN": draft["title_zh"].strip()},
        "chart": ChartSpec(type=chart, pivot_columns=_pivot(draft, chart)),
        "layout": layout,
    }
    if draft["period"]:
        fields["period"] = Period(preset=PeriodPreset(draft["period"]))
    if draft["mode"] == "kpi":
        if not draft["kpi"]:
            errors["kpi"] = "choose a KPI"
        fields["kpi"], fields["by"] = draft["kpi"] or None, draft["by"] or None
    else:
        fields["data"] = _data(draft, errors)
    if errors:
        raise ValidationFailed(errors, _PROBLEM)
    try:
        return Widget.model_validate(fields)
    except ValidationError as exc:
        raise ValidationFailed(pydantic_errors(exc), _PROBLEM) from None


def _pivot(draft: Draft, chart: ChartType) -> str | None:
    """A pivot spreads its second dimension across the columns."""
    if chart is not ChartType.PIVOT or draft["mode"] != "data" or len(draft["dimensions"]) < 2:
        return None
    second = draft["dimensions"][1]
    return f"{second['field']}_{second['grain']}" if second["grain"] else second["field"]


def _data(draft: Draft, errors: dict[str, str]) -> DataSpec | None:
    measures = [_kept(text, n, errors) for n, text in enumerate(draft["kept"])]
    for n, part in enumerate(draft["measures"]):
        measures.append(measure_of(part, n, errors))
    if not draft["measures"] and not draft["kept"]:
        errors["measures"] = "add at least one measure"
    dimensions = [dimension_of(part, n, errors) for n, part in enumerate(draft["dimensions"])]
    filters = [filter_of(part, n, errors) for n, part in enumerate(draft["filters"])]
    limit = draft["limit"].strip()
    if limit and (not limit.isdigit() or not 1 <= int(limit) <= 1000):
        errors["limit"] = "top-N is a whole number from 1 to 1000"
    if errors:
        return None
    try:
        return DataSpec(
            source=draft["source"],
            measures=[m for m in measures if m is not None],
            dimensions=[d for d in dimensions if d is not None],
            filters=[f for f in filters if f is not None],
            limit=int(limit) if limit else None,
            sort=_default_sort(draft, measures),
        )
    except ValidationError as exc:
        errors.update(pydantic_errors(exc))
        return None


def _default_sort(draft: Draft, measures: list[Measure | None]) -> list[dict[str, Any]]:
    """Time runs in order; anything else shows its largest first (what top-N keeps)."""
    dims = draft["dimensions"]
    if dims and dims[0]["grain"]:
        return [{"by": dimension_key(dims[0])}]
    shown = next((m for m in measures if m is not None and not m.hidden), None)
    return [{"by": shown.key, "descending": True}] if shown else []


def _kept(text: str, n: int, errors: dict[str, str]) -> Measure | None:
    try:
        return Measure.model_validate_json(text)
    except ValidationError:
        errors[f"kept.{n}"] = "this measure is damaged; remove it"
        return None


def by_choices(source: str, by: list[str]) -> list[Choice]:
    """What a KPI may be shown by, labelled: time grains, or fields of its source."""
    fields = SOURCES[source].fields if source in SOURCES else {}
    return [
        Choice(value=b, label=GRAIN_LABELS.get(b) or (fields[b].label if b in fields else b))
        for b in by
    ]


def kept_label(text: str) -> str:
    """How a passed-through measure is listed: its key and what it computes."""
    try:
        data = json.loads(text)
    except ValueError:
        return text[:60]
    return f"{data.get('key', '?')} ({data.get('agg', '?')})"


def place_below(layouts: list[Layout], width: int) -> Layout:
    """Where a new widget goes: full-left, under everything already on the grid."""
    bottom = max((lay.y + lay.h for lay in layouts), default=0)
    return Layout(x=0, y=bottom, w=min(width, GRID_COLUMNS), h=2 if width <= 3 else 4)
