"""Drill-down: the rows behind a bar are exactly the orders the bar counts, a page at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cbe_app.core.errors import ValidationFailed
from cbe_app.db import session_scope
from cbe_app.reports.boards import dashboard
from cbe_app.reports.dashboard import DashboardFilters, Widget
from cbe_app.reports.drill import bucket_days, drill_filters
from cbe_app.reports.refresh import DRILL_PAGE_SIZE, refresh, rows_behind
from cbe_app.reports.spec import DataSpec, Grain, Op, Period, PeriodPreset
from tests.conftest import Backend
from tests.reports.dataset import build, write

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
EVERY = DashboardFilters(period=Period(preset=PeriodPreset.ALL_TIME))


@pytest.mark.parametrize(
    ("grain", "label", "first", "after"),
    [
        (Grain.DAY, "2026-02-28", date(2026, 2, 28), date(2026, 3, 1)),
        (Grain.WEEK, "2026-11-23", date(2026, 11, 23), date(2026, 11, 30)),
        (Grain.MONTH, "2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        (Grain.QUARTER, "2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
        (Grain.QUARTER, "2026-Q1", date(2026, 1, 1), date(2026, 4, 1)),
        (Grain.YEAR, "2025", date(2025, 1, 1), date(2026, 1, 1)),
    ],
)
def test_a_time_bucket_is_its_days(grain: Grain, label: str, first: date, after: date) -> None:
    assert bucket_days(grain, label) == (first, after)


@pytest.mark.parametrize("label", ["2026-13", "2026-Q5", "soon", "2026-02-30"])
def test_a_label_that_is_no_bucket_is_refused(label: str) -> None:
    grain = Grain.DAY if label.count("-") == 2 else Grain.MONTH
    grain = Grain.QUARTER if "Q" in label else grain
    with pytest.raises(ValidationFailed):
        bucket_days(grain, label)


def test_the_filters_of_a_point_add_its_values_and_the_measure_s_own() -> None:
    spec = DataSpec.model_validate(
        {
            "source": "orders",
            "measures": [
                {"key": "refunds", "agg": "count", "where": [{"field": "refunded", "value": True}]}
            ],
            "dimensions": [{"field": "country"}, {"field": "placed_at", "grain": "month"}],
            "filters": [{"field": "status", "op": "ne", "value": "cancelled"}],
        }
    )
    found = drill_filters(spec, "refunds", ["DE", "2026-03"])
    assert [(f.field, f.op, f.value) for f in found] == [
        ("status", Op.NE, "cancelled"),
        ("refunded", Op.EQ, True),
        ("country", Op.EQ, "DE"),
        ("placed_at", Op.GTE, "2026-03-01"),
        ("placed_at", Op.LT, "2026-04-01"),
    ]
    assert drill_filters(spec, "refunds", [None, "2026-03"])[2].op is Op.IS_NULL
    with pytest.raises(ValidationFailed):
        drill_filters(spec, "refunds", ["DE"])


def test_the_rows_behind_a_bar_are_the_orders_it_counts(backend: Backend) -> None:
    business = build(seed=7, orders=400)
    with session_scope() as session:
        write(session, business, NOW)
        board = dashboard(session, "executive")
        bars = next(
            t for t in refresh(session, board, EVERY, NOW, "USD") if t.widget.id == "gmv_by_channel"
        )
        assert bars.result is not None
        first = bars.result.rows[0]
        channel = first["channel"]
        listing = rows_behind(
            session, bars.widget, [channel], EVERY, page=1, now=NOW, base_currency="USD"
        )
        expected = [o for o in business.orders if o.channel == channel]
        assert listing.total == len(expected)
        assert len(listing.rows) == min(DRILL_PAGE_SIZE, len(expected))
        assert {r["channel"] for r in listing.rows} == {channel}
        # the amounts behind the bar add up to the bar (gross GMV: every order's total)
        seen, page = [], 1
        while len(seen) < listing.total:
            more = rows_behind(
                session, bars.widget, [channel], EVERY, page=page, now=NOW, base_currency="USD"
            )
            seen += more.rows
            page += 1
        assert sum(r["total_base"] for r in seen) == first["gmv"]
        assert len({r["external_id"] for r in seen}) == len(seen)  # pages never overlap


def test_a_month_of_a_trend_and_the_dashboard_filters_narrow_the_rows(backend: Backend) -> None:
    business = build(seed=8, orders=400)
    with session_scope() as session:
        write(session, business, NOW)
        trend = next(w for w in dashboard(session, "executive").widgets if w.id == "orders_trend")
        narrow = EVERY.model_copy(update={"countries": ["DE"]})
        month = NOW.strftime("%Y-%m")
        listing = rows_behind(session, trend, [month], narrow, page=1, now=NOW, base_currency="USD")
    expected = [
        o for o in business.orders if o.country == "DE" and o.placed_at.strftime("%Y-%m") == month
    ]
    assert listing.total == len(expected)
    assert all(r["country"] == "DE" for r in listing.rows)


def test_a_point_that_does_not_fit_the_widget_is_refused(backend: Backend) -> None:
    widget = Widget.model_validate(
        {"id": "w", "title": {"en": "W"}, "kpi": "gmv", "by": "month", "chart": {"type": "bar"}}
    )
    with session_scope() as session, pytest.raises(ValidationFailed):
        rows_behind(session, widget, ["March"], EVERY, page=1, now=NOW, base_currency="USD")
