"""Report, KPI and dashboard definitions: what a builder composes, validated before it runs.

A data spec names a source (a canonical table), its measures, dimensions, filters, sort and
top-N. Field names are only ever keys into the source's allow-list (`reports.catalog`), and
filter values only ever become bound parameters, so nothing a builder types reaches SQL as
text. These models check shape; `reports.compiler` checks the spec against the catalogue.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from cbe_app.core.definitions import Definition, LocalizedText

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
Scalar = Annotated[str, StringConstraints(max_length=200)] | int | float | bool
MAX_ROWS = 10_000  # top-N and page sizes never exceed this
_EARLIEST, _LATEST = date(1900, 1, 1), date(2999, 12, 31)


class Grain(StrEnum):
    """How a time dimension is bucketed."""

    DAY = "day"
    WEEK = "week"  # ISO weeks, named by their Monday
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Op(StrEnum):
    """Filter operators. Which apply depends on the field's type (see the catalogue)."""

    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    BETWEEN = "between"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    IS_NULL = "is_null"
    NOT_NULL = "not_null"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Filter(_Strict):
    """`field op value`; lists for `in`, `not_in` and `between`, nothing for the null tests."""

    field: Name
    op: Op = Op.EQ
    value: Scalar | Annotated[list[Scalar], Field(max_length=1000)] | None = None


class Aggregate(StrEnum):
    """What a measure computes. The last three combine other measures of the same spec."""

    SUM = "sum"
    COUNT = "count"
    COUNT_DISTINCT = "count_distinct"
    AVG = "avg"
    MIN = "min"
    MAX = "max"
    RATIO = "ratio"  # numerator / denominator
    FORMULA = "formula"  # arithmetic over other measures' keys
    CHANGE = "change"  # `of` against the previous period


COMBINED = frozenset({Aggregate.RATIO, Aggregate.FORMULA, Aggregate.CHANGE})


class Measure(_Strict):
    """One number per row of the result."""

    key: Name
    agg: Aggregate
    field: Name | None = None  # what sum/avg/min/max/count_distinct read; count counts rows
    where: Annotated[list[Filter], Field(max_length=10)] = Field(default_factory=list)
    numerator: Name | None = None
    denominator: Name | None = None
    expr: Annotated[str, StringConstraints(max_length=300)] | None = None
    of: Name | None = None
    label: LocalizedText | None = None
    format: Literal["money", "number", "percent", "ratio"] = "number"
    hidden: bool = False  # a step towards another measure, not shown on its own

    @model_validator(mode="after")
    def _complete(self) -> Measure:
        needs = {
            Aggregate.RATIO: ("numerator", "denominator"),
            Aggregate.FORMULA: ("expr",),
            Aggregate.CHANGE: ("of",),
            Aggregate.SUM: ("field",),
            Aggregate.AVG: ("field",),
            Aggregate.MIN: ("field",),
            Aggregate.MAX: ("field",),
            Aggregate.COUNT_DISTINCT: ("field",),
        }.get(self.agg, ())
        missing = [name for name in needs if getattr(self, name) in (None, "")]
        if missing:
            raise ValueError(f"a {self.agg.value} measure needs {' and '.join(missing)}")
        return self


class Dimension(_Strict):
    """A field the rows are grouped by; time fields take a grain."""

    field: Name
    grain: Grain | None = None

    @property
    def key(self) -> str:
        """The column name in results: the field, or e.g. `placed_at_month`."""
        return f"{self.field}_{self.grain.value}" if self.grain else self.field


class Sort(_Strict):
    """Order rows by a dimension or measure key."""

    by: Name
    descending: bool = False


class PeriodPreset(StrEnum):
    """Periods relative to today (in UTC)."""

    TODAY = "today"
    YESTERDAY = "yesterday"
    LAST_7_DAYS = "last_7_days"
    LAST_30_DAYS = "last_30_days"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    THIS_QUARTER = "this_quarter"
    THIS_YEAR = "this_year"
    LAST_12_MONTHS = "last_12_months"
    ALL_TIME = "all_time"


class Period(_Strict):
    """A preset, or first and last day (both included)."""

    preset: PeriodPreset | None = None
    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Period:
        if self.preset is not None and (self.start or self.end):
            raise ValueError("a period is either a preset or dates, not both")
        if self.start and self.end and self.start > self.end:
            raise ValueError("the period ends before it starts")
        for day in (self.start, self.end):
            if day and not _EARLIEST <= day <= _LATEST:
                raise ValueError("a period's dates must lie between the years 1900 and 2999")
        return self


class DataSpec(_Strict):
    """What a widget, report or KPI shows."""

    source: Name
    measures: Annotated[list[Measure], Field(min_length=1, max_length=20)]
    dimensions: Annotated[list[Dimension], Field(max_length=3)] = Field(default_factory=list)
    filters: Annotated[list[Filter], Field(max_length=20)] = Field(default_factory=list)
    sort: Annotated[list[Sort], Field(max_length=5)] = Field(default_factory=list)
    limit: Annotated[int, Field(ge=1, le=MAX_ROWS)] | None = None
    period: Period | None = None
    time_field: Name | None = None  # which time the period applies to; else the source's

    @model_validator(mode="after")
    def _unique_keys(self) -> DataSpec:
        keys = [m.key for m in self.measures] + [d.key for d in self.dimensions]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"each measure and dimension needs its own name: {repeated}")
        return self


class ChartType(StrEnum):
    """How a widget draws its data."""

    KPI = "kpi"
    LINE = "line"
    AREA = "area"
    BAR = "bar"
    PIE = "pie"
    DONUT = "donut"
    TABLE = "table"
    PIVOT = "pivot"
    MAP = "map"


class ChartSpec(_Strict):
    """The chart type and, for pivots, which dimension runs across the columns."""

    type: ChartType = ChartType.TABLE
    stacked: bool = False
    pivot_columns: Name | None = None


class KpiDefinition(Definition):
    """A named business figure (GMV, AOV…) with its formula, as a spec builders can change."""

    kind: Literal["kpi"] = "kpi"
    title: LocalizedText
    description: LocalizedText
    data: DataSpec
    value: Name  # the measure that is the KPI
    by: Annotated[list[Name], Field(max_length=20)] = Field(default_factory=list)
    # dimensions the KPI is offered by (e.g. country, channel, month), shown as quick picks

    @model_validator(mode="after")
    def _value_is_a_measure(self) -> KpiDefinition:
        if self.value not in {m.key for m in self.data.measures}:
            raise ValueError(f"value {self.value!r} is not one of the KPI's measures")
        return self
