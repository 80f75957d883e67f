"""Reports run and changed: pages of rows, summaries and pivots against hand counts, and a
builder's edits as versions that always run."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from cbe_app.auth.roles import Role
from cbe_app.core.errors import NotFound, PermissionDenied, ValidationFailed
from cbe_app.db import session_scope
from cbe_app.packs.models import DefinitionVersion, StoredDefinition
from cbe_app.reports.pivot import MAX_PIVOT_COLUMNS
from cbe_app.reports.report import ReportDefinition, Schedule
from cbe_app.reports.reporting import all_rows, describe_filter, describe_period, run_report
from cbe_app.reports.saved import (
    create_report,
    duplicate_report,
    save_report,
    save_schedules,
    saved_report,
    share_report,
    visible_reports,
)
from cbe_app.reports.spec import Filter, Grain, Op, Period, PeriodPreset
from tests.conftest import Backend
from tests.reports.dataset import Business, build, write
from tests.reports.test_boards import NOW, person

CANCELLED = ReportDefinition.model_validate(
    {
        "key": "cancelled",
        "title": {"en": "Cancelled orders"},
        "source": "orders",
        "columns": ["external_id", "placed_at", "channel", "total_base"],
        "filters": [{"field": "status", "op": "eq", "value": "cancelled"}],
        "sort": [{"by": "total_base", "descending": True}],
    }
)
BY_CHANNEL_AND_QUARTER = ReportDefinition.model_validate(
    {
        "key": "by_channel",
        "title": {"en": "Orders by channel and quarter"},
        "source": "orders",
        "mode": "summary",
        "group_by": [{"field": "channel"}, {"field": "placed_at", "grain": "quarter"}],
        "measures": [
            {"key": "orders", "agg": "count"},
            {"key": "gmv", "agg": "sum", "field": "total_base", "format": "money"},
        ],
        "pivot": "placed_at_quarter",
    }
)


@pytest.fixture
def business(backend: Backend) -> Business:
    made = build()
    with session_scope() as session:
        write(session, made, NOW)
    return made


def _run(report: ReportDefinition, **options: Any) -> Any:
    with session_scope() as session:
        return run_report(session, report, now=NOW, base_currency="USD", **options)


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month + 2) // 3}"


def test_a_report_of_rows_pages_through_the_records_it_selects(business: Business) -> None:
    cancelled = sorted(
        (o for o in business.orders if o.status == "cancelled"), key=lambda o: (-o.total, o.id)
    )
    first = _run(CANCELLED, locale="en", page=1, page_size=25)
    second = _run(CANCELLED, locale="en", page=2, page_size=25)
    assert first.total == second.total == len(cancelled)
    numbers = [r["external_id"] for r in first.rows + second.rows]
    assert numbers == [f"O-{o.id}" for o in cancelled[:50]]
    assert first.rows[0]["total_base"] == Decimal(cancelled[0].total) / 100
    assert [c.label for c in first.columns] == ["Order number", "Placed", "Channel", "Order total"]
    assert [c.type for c in first.columns] == ["text", "time", "text", "money"]
    chinese = _run(CANCELLED, locale="zh_CN", page_size=1)
    assert chinese.columns[0].label != "Order number" and chinese.columns[0].label.strip()


def test_a_summary_pivots_one_grouping_across_the_columns(business: Business) -> None:
    page = _run(BY_CHANNEL_AND_QUARTER, locale="en", page_size=100)
    quarters = sorted({_quarter(o.placed_at.date()) for o in business.orders})
    assert [c.key for c in page.columns] == ["channel"] + [
        f"{m}|{q}" for q in quarters for m in ("orders", "gmv")
    ]
    assert page.columns[1].label == f"{quarters[0]} · Count" and page.columns[2].type == "money"
    counts: Counter[tuple[str, str]] = Counter()
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for o in business.orders:
        counts[o.channel, _quarter(o.placed_at.date())] += 1
        sums[o.channel, _quarter(o.placed_at.date())] += o.total
    assert page.total == len({channel for channel, _ in counts})
    for row in page.rows:
        for quarter in quarters:
            expected = counts.get((row["channel"], quarter))
            assert row.get(f"orders|{quarter}") == (Decimal(expected) if expected else None)
            if expected:
                assert row[f"gmv|{quarter}"] == Decimal(sums[row["channel"], quarter]) / 100


def test_a_pivot_too_wide_to_read_is_refused_with_the_reason(business: Business) -> None:
    by_day = BY_CHANNEL_AND_QUARTER.model_copy(
        update={
            "group_by": [
                BY_CHANNEL_AND_QUARTER.group_by[0],
                BY_CHANNEL_AND_QUARTER.group_by[1].model_copy(update={"grain": Grain.DAY}),
            ],
            "pivot": "placed_at_day",
        }
    )
    with pytest.raises(ValidationFailed) as refused:
        _run(by_day, locale="en")
    assert str(MAX_PIVOT_COLUMNS) in refused.value.text


def test_every_row_for_a_file_and_the_words_that_describe_it(business: Business) -> None:
    with session_scope() as session:
        columns, rows = all_rows(
            session, CANCELLED, now=NOW, base_currency="USD", locale="en", limit=10
        )
        listed = list(rows)
    assert len(listed) == 10 and [c.key for c in columns] == CANCELLED.columns
    assert describe_period(Period(preset=PeriodPreset.LAST_30_DAYS), "en") == "Last 30 days"
    assert describe_period(Period(start=date(2026, 3, 1)), "en") == "2026-03-01 – …"
    assert describe_period(None, "en") == "All time"
    status = Filter(field="status", op=Op.IN, value=["cancelled", "returned"])
    assert describe_filter("orders", status, "en") == "Status is one of cancelled, returned"


def test_builders_create_change_share_and_copy_reports(business: Business) -> None:
    builder, operator = person(Role.BUILDER), person(Role.OPERATOR)
    options = {"principal": builder, "now": NOW, "base_currency": "USD"}
    with session_scope() as session:
        made = create_report(session, "Orders to check!", "orders", **options)
        assert made.key == "orders_to_check" and made.columns[0] == "external_id"
        with pytest.raises(PermissionDenied):
            create_report(session, "Mine", "orders", **{**options, "principal": operator})
        bad = made.model_copy(update={"columns": ["external_id", "margin"]})
        with pytest.raises(ValidationFailed) as refused:
            save_report(session, bad, **options)
        assert "columns.1" in refused.value.field_errors
        save_report(session, made.model_copy(update={"columns": ["external_id"]}), **options)
        assert made.key not in {r.key for r in visible_reports(session, operator)}
        share_report(session, made.key, [Role.OPERATOR], **options)
        schedule = Schedule(id="monday", recipients=["ops@acme.example"])
        save_schedules(session, made.key, [schedule], **options)
    with session_scope() as session:
        shared = saved_report(session, made.key, operator)
        assert shared.columns == ["external_id"] and shared.schedules == [schedule]
        stored = session.exec(
            select(StoredDefinition).where(
                StoredDefinition.kind == "report", StoredDefinition.key == made.key
            )
        ).one()
        versions = session.exec(
            select(DefinitionVersion).where(DefinitionVersion.definition_id == stored.id)
        ).all()
        assert len(versions) == 4  # created, saved, shared, scheduled; the refused edit left none
        copy = duplicate_report(session, made.key, "Orders to check (DE)", **options)
        assert copy.shared_with == [] and copy.schedules == []
        with pytest.raises(NotFound):
            saved_report(session, copy.key, operator)
