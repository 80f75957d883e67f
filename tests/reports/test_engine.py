"""The report engine's parts: validation messages, time buckets, derived measures, top-N."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from cbe_app.core.errors import ValidationFailed
from cbe_app.db import session_scope
from cbe_app.reports.formula import FormulaError, evaluate, names_in
from cbe_app.reports.period import Window, window_of
from cbe_app.reports.service import run_spec
from cbe_app.reports.spec import DataSpec, Period, PeriodPreset
from tests.conftest import Backend
from tests.reports.dataset import Business, build, write

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def spec(**fields: Any) -> DataSpec:
    body: dict[str, Any] = {"source": "orders", "measures": [{"key": "n", "agg": "count"}]}
    return DataSpec.model_validate(body | fields)


def run(data: DataSpec, **extra: Any) -> list[dict[str, Any]]:
    with session_scope() as session:
        return run_spec(session, data, NOW, "USD", **extra).rows


@pytest.fixture
def business(backend: Backend) -> Iterator[Business]:
    made = build(seed=2, orders=500)
    with session_scope() as session:
        write(session, made, NOW)
    yield made


def test_every_problem_is_reported_at_once_by_where_it_is(backend: Backend) -> None:
    bad = spec(
        measures=[
            {"key": "a", "agg": "sum", "field": "status"},
            {"key": "b", "agg": "avg", "field": "colour"},
            {"key": "c", "agg": "ratio", "numerator": "a", "denominator": "zz"},
            {"key": "d", "agg": "formula", "expr": "a ** 2"},
        ],
        dimensions=[{"field": "country", "grain": "month"}, {"field": "total_base"}],
        filters=[
            {"field": "placed_at", "op": "contains", "value": "2026"},
            {"field": "total_base", "op": "gt", "value": "lots"},
            {"field": "status", "op": "in", "value": "shipped"},
        ],
        sort=[{"by": "nothing"}],
    )
    with pytest.raises(ValidationFailed) as caught:
        run(bad)
    errors = caught.value.field_errors
    assert errors == {
        "measures.0.field": "cannot take the sum of text",
        "measures.1.field": errors["measures.1.field"],
        "measures.2.denominator": "must name another measure of this report",
        "measures.3.expr": "only measures, numbers and + - * / may appear in 'a ** 2'",
        "dimensions.0.grain": "only dates and times have a grain",
        "dimensions.1.field": "an amount is a measure, not a dimension",
        "filters.0.op": "'contains' does not apply to time",
        "filters.1.value": "total_base gt: 'lots' is not a number",
        "filters.2.value": "status in: needs a list of values",
        "sort.0.by": "'nothing' is neither a measure nor a dimension",
    }
    assert errors["measures.1.field"].startswith("orders has no field 'colour'; choose one of:")
    assert "The report cannot run as it is." in caught.value.text


def test_measures_that_read_each_other_in_a_circle_are_refused(backend: Backend) -> None:
    circle = spec(
        measures=[
            {"key": "a", "agg": "formula", "expr": "b + 1"},
            {"key": "b", "agg": "ratio", "numerator": "a", "denominator": "a"},
        ]
    )
    with pytest.raises(ValidationFailed, match="in a circle: a, b"):
        run(circle)


@pytest.mark.parametrize(
    ("grain", "bucket"),
    [
        ("day", lambda t: t.strftime("%Y-%m-%d")),
        ("week", lambda t: (t.date() - timedelta(days=t.weekday())).isoformat()),
        ("month", lambda t: t.strftime("%Y-%m")),
        ("quarter", lambda t: f"{t.year}-Q{(t.month - 1) // 3 + 1}"),
        ("year", lambda t: str(t.year)),
    ],
)
def test_time_buckets_are_the_same_on_every_database(
    business: Business, grain: str, bucket: Any
) -> None:
    rows = run(spec(dimensions=[{"field": "placed_at", "grain": grain}]))
    got = {row[f"placed_at_{grain}"]: int(row["n"]) for row in rows}
    assert got == Counter(bucket(o.placed_at) for o in business.orders)
    assert list(got) == sorted(got)  # in time order


def test_change_against_the_previous_period_and_the_bucket_before(business: Business) -> None:
    measures = [
        {"key": "gmv", "agg": "sum", "field": "total_base", "format": "money"},
        {"key": "growth", "agg": "change", "of": "gmv", "format": "percent"},
    ]
    month = Period(start=date(2025, 6, 1), end=date(2025, 6, 30))
    (row,) = run(spec(measures=measures, period=month))
    june = sum(o.total for o in business.orders if o.placed_at.strftime("%Y-%m") == "2025-06")
    # The previous period has the same length (30 days) and ends where June starts.
    before = sum(
        o.total
        for o in business.orders
        if datetime(2025, 5, 2, tzinfo=UTC) <= o.placed_at < datetime(2025, 6, 1, tzinfo=UTC)
    )
    assert row["gmv"] == Decimal(june) / 100
    assert row["growth"] == ((Decimal(june) - before) / before).quantize(Decimal("0.0001"))

    by_month = run(spec(measures=measures, dimensions=[{"field": "placed_at", "grain": "month"}]))
    assert by_month[0]["growth"] is None  # nothing before the first month
    first, second = by_month[0]["gmv"], by_month[1]["gmv"]
    assert by_month[1]["growth"] == ((second - first) / first).quantize(Decimal("0.0001"))


def test_top_n_takes_the_biggest_and_formulas_use_exact_decimals(business: Business) -> None:
    top = spec(
        measures=[
            {"key": "n", "agg": "count"},
            {"key": "gmv", "agg": "sum", "field": "total_base", "format": "money"},
            {"key": "per", "agg": "formula", "expr": "gmv / n * 100", "format": "money"},
        ],
        dimensions=[{"field": "country"}],
        limit=3,
    )
    rows = run(top)
    counts = Counter(o.country for o in business.orders)
    assert [r["country"] for r in rows] == [c for c, _ in counts.most_common(3)]
    for row in rows:
        total = sum(o.total for o in business.orders if o.country == row["country"])
        expected = (Decimal(total) / 100 / counts[row["country"]] * 100).quantize(Decimal("0.01"))
        assert row["per"] == expected


def test_dashboard_filters_narrow_a_spec(business: Business) -> None:
    from cbe_app.reports.spec import Filter

    rows = run(spec(), extra=(Filter(field="country", op="in", value=["DE", "FR"]),))
    assert rows == [{"n": sum(1 for o in business.orders if o.country in ("DE", "FR"))}]


def test_formulas_refuse_anything_but_arithmetic() -> None:
    assert names_in("gross - cancelled - refunds") == {"gross", "cancelled", "refunds"}
    for bad in ("__import__('os')", "a.b", "a[0]", "a ** 2", "f(x)", "a if b else c", "", "1e400"):
        with pytest.raises(FormulaError):
            names_in(bad)
    assert evaluate("a / b", {"a": Decimal(1), "b": Decimal(0)}) is None
    assert evaluate("a - b", {"a": Decimal("0.1"), "b": Decimal("0.3")}) == Decimal("-0.2")
    assert evaluate("a + 1", {"a": None}) is None


def test_periods() -> None:
    now = datetime(2026, 3, 15, 18, tzinfo=UTC)
    assert window_of(Period(preset=PeriodPreset.LAST_MONTH), now) == Window(
        datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert window_of(Period(preset=PeriodPreset.LAST_12_MONTHS), now) == Window(
        datetime(2025, 4, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    )
    assert window_of(Period(preset=PeriodPreset.THIS_QUARTER), now).end == datetime(
        2026, 4, 1, tzinfo=UTC
    )
    assert window_of(None, now).previous() is None
    with pytest.raises(ValueError, match="between the years 1900 and 2999"):
        Period(start=date(1, 1, 1))


def test_a_change_of_a_ratio_compares_ratio_with_ratio(business: Business) -> None:
    measures = [
        {"key": "net", "agg": "sum", "field": "net_base", "format": "money", "hidden": True},
        {
            "key": "kept",
            "agg": "count",
            "where": [{"field": "cancelled", "op": "eq", "value": False}],
            "hidden": True,
        },
        {
            "key": "aov",
            "agg": "ratio",
            "numerator": "net",
            "denominator": "kept",
            "format": "money",
        },
        {"key": "aov_change", "agg": "change", "of": "aov", "format": "percent"},
    ]
    (row,) = run(
        spec(measures=measures, period=Period(start=date(2025, 7, 1), end=date(2025, 7, 31)))
    )

    def aov(first: datetime, after: datetime) -> Decimal:
        kept = [
            o for o in business.orders if first <= o.placed_at < after and o.status != "cancelled"
        ]
        return (Decimal(sum(o.net for o in kept)) / len(kept) / 100).quantize(Decimal("0.01"))

    july = aov(datetime(2025, 7, 1, tzinfo=UTC), datetime(2025, 8, 1, tzinfo=UTC))
    before = aov(datetime(2025, 5, 31, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC))
    assert row == {
        "aov": july,
        "aov_change": ((july - before) / before).quantize(Decimal("0.0001")),
    }
