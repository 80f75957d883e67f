"""The report builder's model of a report being edited: a draft of plain values.

Pickers and text boxes hold strings; the draft turns into a `ReportDefinition` the moment it
changes, so the builder sees the report's rows as they edit. Measures the pickers cannot show
(a ratio, a formula, one with its own label or filter) are carried through unchanged in
`kept`, as the dashboard inspector does. Pure: no database, no Reflex.
"""

from __future__ import annotations

from typing import Any, TypedDict

from pydantic import ValidationError

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.reports.catalog import SOURCES
from cbe_app.reports.labels import dimension_label, measure_label
from cbe_app.reports.pickers import (
    Choice,
    DraftDimension,
    DraftFilter,
    DraftMeasure,
    dimension_of,
    filter_of,
    is_simple,
    measure_of,
    pydantic_errors,
    typed_back,
)
from cbe_app.reports.report import ReportDefinition, ReportMode
from cbe_app.reports.spec import Filter, Measure, Period, PeriodPreset

_PROBLEM = N_("The report cannot be saved as it is.")


class DraftColumn(TypedDict):
    """A column of a report of rows."""

    field: str


class DraftSort(TypedDict):
    """Order by `by`, `direction` "asc" or "desc"."""

    by: str
    direction: str


class ReportDraft(TypedDict):
    """A report in the builder."""

    key: str
    title_en: str
    title_zh: str
    source: str
    mode: str  # a ReportMode value
    columns: list[DraftColumn]
    measures: list[DraftMeasure]
    dimensions: list[DraftDimension]
    filters: list[DraftFilter]
    sort: list[DraftSort]
    kept: list[str]  # JSON of measures the pickers cannot edit, passed through as they are
    pivot: str  # a dimension key, or ""
    limit: str
    period: str  # a PeriodPreset value, or "" for all time


def draft_of(report: ReportDefinition) -> ReportDraft:
    """What the builder shows of a report."""
    draft = ReportDraft(
        key=report.key,
        title_en=report.title.en,
        title_zh=report.title.zh_CN,
        source=report.source,
        mode=report.mode.value,
        columns=[DraftColumn(field=c) for c in report.columns],
        measures=[],
        dimensions=[
            DraftDimension(field=d.field, grain=d.grain.value if d.grain else "")
            for d in report.group_by
        ],
        filters=[
            DraftFilter(field=f.field, op=f.op.value, value=typed_back(f.value))
            for f in report.filters
        ],
        sort=[DraftSort(by=s.by, direction="desc" if s.descending else "asc") for s in report.sort],
        kept=[],
        pivot=report.pivot or "",
        limit=str(report.limit) if report.limit else "",
        period=report.period.preset.value if report.period and report.period.preset else "",
    )
    for measure in report.measures:
        if is_simple(measure):
            draft["measures"].append(DraftMeasure(agg=measure.agg.value, field=measure.field or ""))
        else:
            draft["kept"].append(measure.model_dump_json(exclude_defaults=True))
    return draft


def _measures(draft: ReportDraft, errors: dict[str, str]) -> list[Measure]:
    found: list[Measure | None] = []
    for n, text in enumerate(draft["kept"]):
        try:
            found.append(Measure.model_validate_json(text))
        except ValidationError:
            errors[f"kept.{n}"] = "this measure is damaged; remove it"
    found += [measure_of(part, n, errors) for n, part in enumerate(draft["measures"])]
    return [m for m in found if m is not None]


def _typed(source: str, condition: Filter) -> Filter:
    """A yes/no filter keeps its value as a yes/no, not the text a picker holds."""
    info = SOURCES[source].fields.get(condition.field) if source in SOURCES else None
    words = {"true": True, "false": False}
    if info is None or info.type != "bool" or not isinstance(condition.value, str):
        return condition
    value = words.get(condition.value.strip().lower(), condition.value)
    return condition.model_copy(update={"value": value})


def _fields(draft: ReportDraft, errors: dict[str, str]) -> dict[str, Any]:
    """The definition's fields from the draft, collecting what the builder must fix."""
    summary = draft["mode"] == ReportMode.SUMMARY.value
    fields: dict[str, Any] = {
        "key": draft["key"],
        "title": {"en": draft["title_en"].strip() or "-", "zh_CN": draft["title_zh"].strip()},
        "source": draft["source"],
        "mode": draft["mode"],
        "filters": [
            _typed(draft["source"], f)
            for n, p in enumerate(draft["filters"])
            if (f := filter_of(p, n, errors))
        ],
        "sort": [
            {"by": s["by"], "descending": s["direction"] == "desc"}
            for s in draft["sort"]
            if s["by"]
        ],
    }
    if not draft["title_en"].strip():
        errors["title_en"] = "needs a title"
    if draft["period"]:
        fields["period"] = Period(preset=PeriodPreset(draft["period"]))
    if summary:
        fields["measures"] = _measures(draft, errors)
        fields["group_by"] = [
            d for n, p in enumerate(draft["dimensions"]) if (d := dimension_of(p, n, errors))
        ]
        fields["pivot"] = draft["pivot"] or None
        limit = draft["limit"].strip()
        if limit and (not limit.isdigit() or not 1 <= int(limit) <= 10_000):
            errors["limit"] = "top-N is a whole number from 1 to 10,000"
        fields["limit"] = int(limit) if limit.isdigit() else None
    else:
        fields["columns"] = [c["field"] for c in draft["columns"] if c["field"]]
    return fields


def report_of(draft: ReportDraft, saved: ReportDefinition) -> ReportDefinition:
    """The report a draft describes, keeping what the builder does not edit of `saved`
    (sharing, schedules, description, time field).

    Raises:
        ValidationFailed: what the builder must fix, by the draft's part (`filters.1.value`).
    """
    errors: dict[str, str] = {}
    fields = _fields(draft, errors)
    if errors:
        raise ValidationFailed(errors, _PROBLEM)
    kept = {
        "shared_with": saved.shared_with,
        "schedules": saved.schedules,
        "description": saved.description,
        "time_field": saved.time_field if saved.source == draft["source"] else None,
    }
    try:
        return ReportDefinition.model_validate({**fields, **kept})
    except ValidationError as exc:
        raise ValidationFailed(pydantic_errors(exc), _PROBLEM) from None


def sort_choices(draft: ReportDraft, locale: str) -> list[Choice]:
    """What a report may be sorted by: any field of its rows, or a summary's own columns."""
    source = SOURCES.get(draft["source"])
    if source is None:
        return []
    if draft["mode"] != ReportMode.SUMMARY.value:
        return [Choice(value=k, label=f.label) for k, f in source.fields.items()]
    errors: dict[str, str] = {}
    dimensions = [d for n, p in enumerate(draft["dimensions"]) if (d := dimension_of(p, n, errors))]
    found = [
        Choice(value=d.key, label=dimension_label(draft["source"], d, locale))
        for d in dimensions
        if d.field in source.fields
    ]
    found += [
        Choice(value=m.key, label=measure_label(draft["source"], m, locale))
        for m in _measures(draft, errors)
    ]
    return found


def pivot_choices(draft: ReportDraft, locale: str) -> list[Choice]:
    """The groupings a summary may spread across its columns (one of two or more)."""
    errors: dict[str, str] = {}
    dimensions = [d for n, p in enumerate(draft["dimensions"]) if (d := dimension_of(p, n, errors))]
    if draft["source"] not in SOURCES or len(dimensions) < 2:
        return []
    return [
        Choice(value=d.key, label=dimension_label(draft["source"], d, locale)) for d in dimensions
    ]


def tidy(draft: ReportDraft) -> ReportDraft:
    """The draft without what its last change left dangling: a summary's pivot or sort on a
    grouping or measure it no longer has."""
    if draft["mode"] != ReportMode.SUMMARY.value:
        return draft
    errors: dict[str, str] = {}
    groupings = [
        d.key for n, p in enumerate(draft["dimensions"]) if (d := dimension_of(p, n, errors))
    ]
    named = set(groupings) | {m.key for m in _measures(draft, errors)}
    pivot = draft["pivot"] if draft["pivot"] in groupings and len(groupings) >= 2 else ""
    sort = [s for s in draft["sort"] if not s["by"] or s["by"] in named]
    return {**draft, "pivot": pivot, "sort": sort}
