"""Specs the rollups can answer give the same rows from them as from the raw orders."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cbe_app.db import session_scope
from cbe_app.reports.period import Window
from cbe_app.reports.planner import plan, ranges
from cbe_app.reports.service import compact_rollups, kpi_definition, run_spec
from cbe_app.reports.spec import DataSpec, Dimension, Grain, Period
from tests.conftest import Backend
from tests.reports.dataset import Business, build, write

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
ORDER_MEASURES = [
    {"key": "n", "agg": "count"},
    {"key": "kept", "agg": "count", "where": [{"field": "cancelled", "op": "eq", "value": False}]},
    {"key": "gmv", "agg": "sum", "field": "total_base", "format": "money"},
    {"key": "net", "agg": "sum", "field": "net_base", "format": "money"},
    {"key": "aov", "agg": "ratio", "numerator": "net", "denominator": "kept", "format": "money"},
    {"key": "growth", "agg": "change", "of": "gmv", "format": "percent"},
]
DIMENSIONS: list[list[dict[str, Any]]] = [
    [],
    [{"field": "country"}],
    [{"field": "region"}, {"field": "channel"}],
    [{"field": "placed_at", "grain": "month"}],
    [{"field": "placed_at", "grain": "quarter"}, {"field": "provider"}],
    [{"field": "placed_at", "grain": "year"}],
    [{"field": "placed_at", "grain": "week"}],
    [{"field": "placed_at", "grain": "day"}, {"field": "channel_code"}],
]
PERIODS: list[dict[str, Any] | None] = [
    None,
    {"start": "2025-03-01", "end": "2025-08-31"},  # whole months
    {"start": "2025-03-17", "end": "2025-08-04"},  # ragged edges
    {"start": "2025-05-03", "end": "2025-05-20"},  # inside one month
    {"start": "2025-11-15"},  # open end
    {"end": "2025-02-10"},  # open start
    {"preset": "last_12_months"},
]
FILTERS: list[list[dict[str, Any]]] = [
    [],
    [{"field": "country", "op": "in", "value": ["US", "DE", "AQ"]}],
    [{"field": "region", "op": "ne", "value": "European Union"}],
    [{"field": "channel", "op": "starts_with", "value": "Sho"}],
]


@pytest.fixture
def business(backend: Backend) -> Iterator[Business]:
    """Half the orders folded into the sums, half still in the log."""
    made = build(seed=12, orders=600)
    half = len(made.orders) // 2
    first = type(made)(made.orders[:half], [], made.customer_country)
    rest = type(made)(made.orders[half:], made.parcels, {})
    with session_scope() as session:
        write(session, first, NOW)
    compact_rollups()
    with session_scope() as session:
        write(session, rest, NOW, reference=False)
    yield made


def both(spec: DataSpec) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with session_scope() as session:
        fast = run_spec(session, spec, NOW, "USD").rows
        slow = run_spec(session, spec, NOW, "USD", use_rollups=False).rows
    return fast, slow


def test_the_rollups_answer_as_the_raw_orders_do(business: Business) -> None:
    compared = 0
    for dimensions, period, filters in itertools.product(DIMENSIONS, PERIODS, FILTERS):
        spec = DataSpec.model_validate(
            {
                "source": "orders",
                "measures": ORDER_MEASURES,
                "dimensions": dimensions,
                "filters": filters,
                "period": period,
            }
        )
        assert plan(spec) is not None, spec
        fast, slow = both(spec)
        assert fast == slow, (dimensions, period, filters)
        compared += 1
    assert compared == len(DIMENSIONS) * len(PERIODS) * len(FILTERS)


def test_delivery_specs_too(business: Business) -> None:
    with session_scope() as session:
        kpi = kpi_definition(session, "on_time_delivery_rate")
    choices: list[list[Dimension]] = [
        [],
        [Dimension(field="carrier")],
        [Dimension(field="destination_region")],
        [Dimension(field="delivered_at", grain=Grain.MONTH)],
    ]
    for dimensions in choices:
        for period in PERIODS:
            chosen = None if period is None else Period.model_validate(period)
            spec = kpi.data.model_copy(update={"dimensions": dimensions, "period": chosen})
            assert plan(spec) is not None
            fast, slow = both(spec)
            assert fast == slow, (dimensions, period)


def test_what_the_rollups_do_not_hold_reads_the_orders(backend: Backend) -> None:
    base: dict[str, Any] = {"source": "orders", "measures": [{"key": "n", "agg": "count"}]}
    uncovered = [
        {"dimensions": [{"field": "status"}]},
        {"filters": [{"field": "currency", "op": "eq", "value": "USD"}]},
        {"measures": [{"key": "a", "agg": "avg", "field": "total_base"}]},
        {"measures": [{"key": "d", "agg": "count_distinct", "field": "customer_id"}]},
        {
            "measures": [
                {
                    "key": "c",
                    "agg": "count",
                    "where": [{"field": "status", "op": "eq", "value": "shipped"}],
                }
            ]
        },
        {
            "time_field": "placed_at",
            "source": "payments",
            "measures": [{"key": "n", "agg": "count"}],
        },
    ]
    for change in uncovered:
        spec = DataSpec.model_validate(base | change)
        assert plan(spec) is None, change
    parcels = {"source": "shipments", "measures": [{"key": "n", "agg": "count"}]}
    assert plan(DataSpec.model_validate(parcels)) is None  # undelivered parcels count too
    delivered = parcels | {"filters": [{"field": "delivered", "op": "eq", "value": True}]}
    assert plan(DataSpec.model_validate(delivered)) is not None


def test_a_period_is_read_as_whole_months_and_edge_days() -> None:
    def at(day: str) -> datetime:
        return datetime.fromisoformat(day).replace(tzinfo=UTC)

    days, months = ranges(Window(at("2025-03-17"), at("2025-08-05")), by_day=False)
    assert days == [(date(2025, 3, 17), date(2025, 4, 1)), (date(2025, 8, 1), date(2025, 8, 5))]
    assert months == (date(2025, 4, 1), date(2025, 8, 1))
    assert ranges(Window(at("2025-05-03"), at("2025-05-21")), by_day=False) == (
        [(date(2025, 5, 3), date(2025, 5, 21))],
        None,
    )
    assert ranges(Window(), by_day=False) == ([], (None, None))
    assert ranges(Window(), by_day=True) == ([(None, None)], None)


def test_customer_cohorts_after_compaction(business: Business) -> None:
    compact_rollups()  # cohorts count from the compaction on
    measures = [
        {"key": "buyers", "agg": "count", "where": [{"field": "buyer", "op": "eq", "value": True}]},
        {
            "key": "again",
            "agg": "count",
            "where": [{"field": "repeat_buyer", "op": "eq", "value": True}],
        },
        {"key": "revenue", "agg": "sum", "field": "revenue_base", "format": "money"},
        {
            "key": "ltv",
            "agg": "ratio",
            "numerator": "revenue",
            "denominator": "buyers",
            "format": "money",
        },
    ]
    for dimensions in (
        [],
        [{"field": "region"}],
        [{"field": "first_order_at", "grain": "month"}, {"field": "country"}],
    ):
        for period in PERIODS:
            spec = DataSpec.model_validate(
                {
                    "source": "customers",
                    "measures": measures,
                    "dimensions": dimensions,
                    "period": period,
                    "filters": [{"field": "buyer", "op": "eq", "value": True}],
                }
            )
            assert plan(spec) is not None
            fast, slow = both(spec)
            assert fast == slow, (dimensions, period)
