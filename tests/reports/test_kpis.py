"""The KPI library against the same figures worked out record by record, on each database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cbe_app.db import session_scope
from cbe_app.reports.service import compact_rollups, run_kpi
from tests.conftest import Backend
from tests.reports.dataset import Business, Oracle, build, write

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
ORDER_KPIS = ["gmv", "gmv_net", "orders", "aov", "refund_rate"]
CUSTOMER_KPIS = ["ltv", "repeat_purchase_rate"]


@pytest.fixture
def business(backend: Backend) -> Iterator[Business]:
    made = build()
    with session_scope() as session:
        write(session, made, NOW)
    yield made


def kpi(
    name: str, by: str | None = None, first: date | None = None, last: date | None = None
) -> dict[Any, str | None]:
    with session_scope() as session:
        result = run_kpi(session, name, by=by, start=first, end=last, now=NOW, base_currency="USD")
    assert result["kpi"] == name and result["currency"] == "USD"
    key = by
    return {(row[key] if key else None): row["value"] for row in result["rows"]}


def test_order_kpis_total_and_by_each_dimension(business: Business) -> None:
    oracle = Oracle(business)
    for name in ORDER_KPIS:
        for by in (None, "country", "region", "channel", "month"):
            assert kpi(name, by) == oracle.kpi(name, by), (name, by)


def test_periods_include_both_days_and_cut_at_midnight(business: Business) -> None:
    oracle = Oracle(business)
    first, last = date(2025, 3, 1), date(2025, 9, 30)
    for name in ORDER_KPIS:
        assert kpi(name, "month", first, last) == oracle.kpi(name, "month", first, last), name
    one_day = business.orders[0].placed_at.date()
    assert kpi("orders", None, one_day, one_day) == oracle.kpi("orders", None, one_day, one_day)


def test_on_time_delivery_rate_by_carrier_and_destination(business: Business) -> None:
    oracle = Oracle(business)
    for by in (None, "carrier", "destination_country", "destination_region", "month"):
        assert kpi("on_time_delivery_rate", by) == oracle.kpi("on_time_delivery_rate", by), by
    first, last = date(2025, 6, 1), date(2025, 12, 31)
    expected = oracle.kpi("on_time_delivery_rate", "carrier", first, last)
    assert kpi("on_time_delivery_rate", "carrier", first, last) == expected


def test_customer_kpis_and_cohorts(business: Business) -> None:
    compact_rollups()  # cohorts count from the compaction after the orders came
    oracle = Oracle(business)
    for name in CUSTOMER_KPIS:
        for by in (None, "country", "region", "month"):
            assert kpi(name, by) == oracle.kpi(name, by), (name, by)
        first, last = date(2025, 1, 1), date(2025, 1, 31)
        assert kpi(name, None, first, last) == oracle.kpi(name, None, first, last), name


def test_a_period_with_no_orders_has_zero_and_no_average(business: Business) -> None:
    first = last = date(2030, 1, 1)
    assert kpi("gmv", None, first, last) == {None: "0.00"}
    assert kpi("orders", None, first, last) == {None: "0"}
    assert kpi("aov", None, first, last) == {None: None}
    assert kpi("gmv", "country", first, last) == {}
