"""The pickers of the builders: drafts of measures, groupings and filters as plain values.

The dashboard inspector and the report builder edit the same parts of a spec: what to compute
of which field, what to group by (with a grain for times), and which rows to keep. A picker
holds strings; these turn them into spec parts (collecting every problem by its path) and
offer only what the catalogue's allow-list permits, so a draft can only name what a spec may
name. The compiler still checks the whole.

Pure: no database, no Reflex.
"""

from __future__ import annotations

from typing import Any, TypedDict

from pydantic import ValidationError

from cbe_app.core.i18n import N_
from cbe_app.reports.catalog import SOURCES
from cbe_app.reports.spec import COMBINED, Aggregate, Dimension, Filter, Grain, Measure, Op
from cbe_app.reports.values import OPS_BY_TYPE

# Which aggregates apply to a field of each type (`count` of rows needs no field).
AGGREGATES_BY_TYPE: dict[str, tuple[Aggregate, ...]] = {
    "money": (Aggregate.SUM, Aggregate.AVG, Aggregate.MIN, Aggregate.MAX),
    "number": (Aggregate.SUM, Aggregate.AVG, Aggregate.MIN, Aggregate.MAX),
    "bool": (Aggregate.SUM, Aggregate.AVG),
    "date": (Aggregate.MIN, Aggregate.MAX, Aggregate.COUNT_DISTINCT),
    "time": (Aggregate.MIN, Aggregate.MAX),
    "text": (Aggregate.COUNT_DISTINCT,),
    "id": (Aggregate.COUNT_DISTINCT,),
}
AGGREGATE_LABELS: dict[str, str] = {
    "count": N_("Count"),
    "count_distinct": N_("Distinct count"),
    "sum": N_("Sum"),
    "avg": N_("Average"),
    "min": N_("Minimum"),
    "max": N_("Maximum"),
}
OPERATOR_LABELS: dict[str, str] = {
    "eq": N_("is"),
    "ne": N_("is not"),
    "in": N_("is one of"),
    "not_in": N_("is none of"),
    "gt": N_("more than"),
    "gte": N_("at least"),
    "lt": N_("less than"),
    "lte": N_("at most"),
    "between": N_("between"),
    "contains": N_("contains"),
    "starts_with": N_("starts with"),
    "is_null": N_("is empty"),
    "not_null": N_("is not empty"),
}
GRAIN_LABELS: dict[str, str] = {
    "day": N_("Day"),
    "week": N_("Week"),
    "month": N_("Month"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
}
LIST_OPS = frozenset({Op.IN, Op.NOT_IN, Op.BETWEEN})
NO_VALUE = frozenset({Op.IS_NULL, Op.NOT_NULL})


class DraftMeasure(TypedDict):
    """`agg` of `field` ('' to count rows)."""

    agg: str
    field: str


class DraftDimension(TypedDict):
    """Group by `field`, by `grain` for times ('' otherwise)."""

    field: str
    grain: str


class DraftFilter(TypedDict):
    """`field op value`; lists typed comma-separated."""

    field: str
    op: str
    value: str


class Choice(TypedDict):
    """An option of a picker: its value and label (a message id)."""

    value: str
    label: str


def is_simple(measure: Measure) -> bool:
    """Whether a measure is just `agg of field`, which the pickers edit."""
    return (
        measure.agg not in COMBINED
        and not measure.where
        and measure.label is None
        and not measure.hidden
        and measure.key == measure_key(measure.agg.value, measure.field or "")
    )


def measure_key(agg: str, field: str) -> str:
    return f"{agg}_{field}" if field else agg


def typed_back(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(typed_back(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def dimension_key(part: DraftDimension) -> str:
    return f"{part['field']}_{part['grain']}" if part["grain"] else part["field"]


def measure_of(part: DraftMeasure, n: int, errors: dict[str, str]) -> Measure | None:
    try:
        agg = Aggregate(part["agg"])
    except ValueError:
        errors[f"measures.{n}.agg"] = "choose what to compute"
        return None
    if agg in COMBINED:
        errors[f"measures.{n}.agg"] = "ratios, formulas and changes are written in the definition"
        return None
    field = part["field"] if agg is not Aggregate.COUNT else ""
    if agg is not Aggregate.COUNT and not field:
        errors[f"measures.{n}.field"] = "choose a field"
        return None
    return Measure(
        key=measure_key(agg.value, field),
        agg=agg,
        field=field or None,
        format="money" if is_money(field) else "number",
    )


def is_money(field: str) -> bool:
    return any(field in s.fields and s.fields[field].type == "money" for s in SOURCES.values())


def dimension_of(part: DraftDimension, n: int, errors: dict[str, str]) -> Dimension | None:
    if not part["field"]:
        errors[f"dimensions.{n}.field"] = "choose a field"
        return None
    try:
        return Dimension(field=part["field"], grain=Grain(part["grain"]) if part["grain"] else None)
    except (ValueError, ValidationError):
        errors[f"dimensions.{n}"] = "choose a field and, for a time, a grain"
        return None


def filter_of(part: DraftFilter, n: int, errors: dict[str, str]) -> Filter | None:
    try:
        op = Op(part["op"])
    except ValueError:
        errors[f"filters.{n}.op"] = "choose an operator"
        return None
    text = part["value"].strip()
    value: Any
    if op in NO_VALUE:
        value = None
    elif op in LIST_OPS:
        value = [v.strip() for v in text.split(",") if v.strip()]
        if op is Op.BETWEEN and len(value) != 2:
            errors[f"filters.{n}.value"] = "between takes two values: from, to"
            return None
    else:
        value = text
    try:
        return Filter(field=part["field"], op=op, value=value)
    except ValidationError:
        errors[f"filters.{n}"] = "choose a field, an operator and a value"
        return None


def pydantic_errors(exc: ValidationError) -> dict[str, str]:
    found = {}
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"]) or "widget"
        found[path] = error["msg"].removeprefix("Value error, ")
    return found


# The pickers' options.


def source_choices() -> list[Choice]:
    """Every source a widget may read."""
    return [Choice(value=k, label=s.label) for k, s in SOURCES.items()]


def field_choices(source: str, *, role: str) -> list[Choice]:
    """Fields of `source` that may be a `measure`, a `dimension` or a `filter`."""
    found = SOURCES.get(source)
    if found is None:
        return []
    wanted: set[str] = {
        "measure": set(AGGREGATES_BY_TYPE),
        "dimension": {"text", "date", "time", "bool", "id"},
        "filter": {str(t) for t in OPS_BY_TYPE},
    }[role]
    return [Choice(value=k, label=f.label) for k, f in found.fields.items() if f.type in wanted]


def aggregate_choices(source: str, field: str) -> list[str]:
    """What may be computed of `field` (of rows, when empty)."""
    info = SOURCES[source].fields.get(field) if source in SOURCES else None
    if info is None:
        return [Aggregate.COUNT.value]
    return [Aggregate.COUNT.value, *(a.value for a in AGGREGATES_BY_TYPE[info.type])]


def operator_choices(source: str, field: str) -> list[str]:
    """The operators that apply to `field`, in a stable order."""
    info = SOURCES[source].fields.get(field) if source in SOURCES else None
    if info is None:
        return [Op.EQ.value]
    allowed = OPS_BY_TYPE[info.type]
    return [op.value for op in Op if op in allowed]


def labelled(values: list[str], labels: dict[str, str]) -> list[Choice]:
    """Values with their labels, for a picker."""
    return [Choice(value=v, label=labels.get(v, v)) for v in values]


def is_time(source: str, field: str) -> bool:
    """Whether `field` takes a grain."""
    info = SOURCES[source].fields.get(field) if source in SOURCES else None
    return info is not None and info.type in ("date", "time")


def set_in_row(
    source: str, part: str, rows: list[dict[str, str]], *, index: int, name: str, value: str
) -> list[dict[str, str]] | None:
    """The rows of a draft's `part` with `name` of row `index` set to `value`, and what
    follows from it: a measure's aggregate that no longer applies to its new field, a time
    field's grain, a filter's operator. None when there is no such row or value."""
    changed = [dict(r) for r in rows]
    if not 0 <= index < len(changed) or name not in changed[index]:
        return None
    row = changed[index]
    row[name] = value
    if part == "measures" and name == "field":
        allowed = aggregate_choices(source, value)
        if row["agg"] not in allowed:
            row["agg"] = allowed[-1] if value else Aggregate.COUNT.value
    if part == "dimensions" and name == "field":
        row["grain"] = Grain.MONTH.value if is_time(source, value) else ""
    if part == "filters" and name == "field":
        row["op"] = operator_choices(source, value)[0]
    return changed
