"""Combined sources summed table by table give what the union gives, spec after spec."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from cbe_app.db import session_scope
from cbe_app.packs.service import read_pack
from cbe_app.reports.catalog import AD_SPEND, SOURCES
from cbe_app.reports.parts import plan_parts
from cbe_app.reports.service import compact_rollups, run_spec
from cbe_app.reports.spec import DataSpec, KpiDefinition
from tests.conftest import Backend
from tests.reports.dataset import build, write
from tests.reports.test_inventory_kpis import DAYS, FIRST, NOW, Shop, spend_rows

MEASURES = {
    "inventory": [
        {"key": "value", "agg": "sum", "field": "stock_value_base"},
        {"key": "cogs", "agg": "sum", "field": "cogs_base"},
        {"key": "rows", "agg": "count"},
        {"key": "units", "agg": "max", "field": "on_hand"},
        {"key": "least", "agg": "min", "field": "units_sold"},
        {
            "key": "days",
            "agg": "count_distinct",
            "field": "day",
            "where": [{"field": "snapshot", "op": "eq", "value": True}],
        },
        {
            "key": "sold",
            "agg": "sum",
            "field": "units_sold",
            "where": [{"field": "snapshot", "op": "eq", "value": "false"}],
        },
    ],
    "marketing": [
        {"key": "spend", "agg": "sum", "field": "spend_base"},
        {"key": "won", "agg": "sum", "field": "new_customers"},
        {"key": "rows", "agg": "count"},
        {"key": "platforms", "agg": "count_distinct", "field": "platform"},
    ],
}
DIMENSIONS = {
    "inventory": [
        {"field": "category"},
        {"field": "sku"},
        {"field": "warehouse"},
        {"field": "snapshot"},
        {"field": "day", "grain": "month"},
        {"field": "day", "grain": "week"},
    ],
    "marketing": [
        {"field": "country"},
        {"field": "region"},
        {"field": "platform"},
        {"field": "day", "grain": "month"},
    ],
}
FILTERS = {
    "inventory": [
        {"field": "snapshot", "op": "eq", "value": True},
        {"field": "snapshot", "op": "ne", "value": True},
        {"field": "category", "op": "eq", "value": "home"},
        {"field": "warehouse", "op": "is_null"},
        {"field": "warehouse", "op": "in", "value": ["SZX"]},
        {"field": "units_sold", "op": "gt", "value": 1},
    ],
    "marketing": [
        {"field": "platform", "op": "not_null"},
        {"field": "platform", "op": "is_null"},
        {"field": "country", "op": "in", "value": ["US", "DE", ""]},
        {"field": "new_customers", "op": "gte", "value": 1},
    ],
}


@pytest.fixture
def inventory(backend: Backend) -> None:
    from cbe_app.reports.inventory import record_sales_days

    Shop().write()
    with session_scope() as session:
        record_sales_days(session, FIRST, FIRST + timedelta(days=DAYS), "USD", NOW)


@pytest.fixture
def marketing(backend: Backend) -> None:
    business = build(orders=400)
    with session_scope() as session:
        write(session, business, NOW)
        session.connection().execute(insert(AD_SPEND), spend_rows(business))
    compact_rollups()


def _specs(source: str, rng: random.Random) -> list[dict[str, Any]]:
    found = []
    for _ in range(60):
        spec: dict[str, Any] = {
            "source": source,
            "measures": rng.sample(MEASURES[source], rng.randint(1, 3)),
            "dimensions": rng.sample(DIMENSIONS[source], rng.randint(0, 2)),
            "filters": rng.sample(FILTERS[source], rng.randint(0, 2)),
        }
        if rng.random() < 0.5:
            spec["period"] = {"preset": rng.choice(["last_30_days", "all_time", "this_year"])}
        keys = [d["field"] + (f"_{d['grain']}" if "grain" in d else "") for d in spec["dimensions"]]
        if len(set(keys)) == len(keys):
            found.append(spec)
    return found


def _rows(spec: DataSpec, *, parts: bool) -> list[tuple[Any, ...]]:
    with session_scope() as session:
        result = run_spec(session, spec, NOW, "USD", use_rollups=parts)
    return sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in result.rows)


def _compare(source: str) -> int:
    planned = 0
    for raw in _specs(source, random.Random(17)):
        spec = DataSpec.model_validate(raw)
        planned += plan_parts(spec, SOURCES[source], "USD") is not None
        assert _rows(spec, parts=True) == _rows(spec, parts=False), raw
    return planned


def test_inventory_summed_part_by_part_equals_the_union(inventory: None) -> None:
    assert _compare("inventory") > 30  # most specs are; the rest go through the union


def test_marketing_summed_part_by_part_equals_the_union(marketing: None) -> None:
    assert _compare("marketing") > 30


def test_every_kpi_of_these_sources_is_summed_part_by_part() -> None:
    kpis = [d for d in read_pack()[1] if isinstance(d, KpiDefinition)]
    combined = [k for k in kpis if k.data.source in ("inventory", "marketing")]
    assert {k.key for k in combined} == {"inventory_turnover", "cac", "cac_ltv"}
    for kpi in combined:
        assert plan_parts(kpi.data, SOURCES[kpi.data.source], "USD") is not None, kpi.key


def test_a_distinct_count_two_tables_could_both_feed_goes_through_the_union() -> None:
    spec = DataSpec.model_validate(
        {"source": "inventory", "measures": [{"key": "d", "agg": "count_distinct", "field": "day"}]}
    )
    assert plan_parts(spec, SOURCES["inventory"], "USD") is None
    average = DataSpec.model_validate(
        {"source": "marketing", "measures": [{"key": "a", "agg": "avg", "field": "spend_base"}]}
    )
    assert plan_parts(average, SOURCES["marketing"], "USD") is None
