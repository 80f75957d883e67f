"""Report definitions: what makes one whole, and when its schedules are due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from pydantic import ValidationError

from cbe_app.packs.spec import KINDS
from cbe_app.reports.report import (
    Frequency,
    ReportDefinition,
    ReportMode,
    Schedule,
    last_due,
    next_due,
)


def report(**changes: Any) -> ReportDefinition:
    base: dict[str, Any] = {
        "key": "late_parcels",
        "title": {"en": "Late parcels"},
        "source": "shipments",
        "columns": ["tracking_number", "carrier", "promised_on"],
    }
    return ReportDefinition.model_validate(base | changes)


def schedule(**changes: Any) -> Schedule:
    return Schedule.model_validate({"id": "s1", "recipients": ["ops@acme.example"]} | changes)


def test_a_report_is_a_definition_kind_of_the_pack() -> None:
    assert KINDS["report"] is ReportDefinition
    rows = report()
    assert rows.list_spec().columns == ["tracking_number", "carrier", "promised_on"]
    summary = report(
        mode="summary",
        columns=[],
        group_by=[{"field": "carrier"}, {"field": "shipped_at", "grain": "month"}],
        measures=[{"key": "parcels", "agg": "count"}],
        pivot="shipped_at_month",
    )
    assert summary.mode is ReportMode.SUMMARY
    assert [d.key for d in summary.data_spec().dimensions] == ["carrier", "shipped_at_month"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"columns": []}, "at least one column"),
        ({"mode": "summary", "columns": []}, "at least one measure"),
        (
            {
                "mode": "summary",
                "group_by": [{"field": "carrier"}],
                "measures": [{"key": "n", "agg": "count"}],
                "pivot": "carrier",
            },
            "two or more groupings",
        ),
        ({"pivot": "carrier"}, "two or more groupings"),
        (
            {
                "schedules": [
                    {"id": "a", "recipients": ["x@y.example"]},
                    {"id": "a", "recipients": ["z@y.example"]},
                ]
            },
            "its own id",
        ),
    ],
)
def test_an_incomplete_report_says_what_is_missing(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        report(**changes)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"recipients": ["not-an-address"]}, "not an e-mail address: not-an-address"),
        ({"recipients": ["a@b.example", "x@@y.example"]}, "x@@y.example"),
        ({"recipients": []}, "at least 1"),
        ({"timezone": "Mars/Olympus"}, "not a time zone"),
        ({"at": "24:00"}, "pattern"),
        ({"day": 31}, "less than or equal to 28"),
    ],
)
def test_a_bad_schedule_is_refused_with_the_reason(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        schedule(**changes)


def test_recipients_are_trimmed_and_kept_once() -> None:
    found = schedule(
        recipients=[" a@acme.example", "a@acme.example", "B <b@acme.example> ", "仓库@acme.example"]
    )
    assert found.recipients == ["a@acme.example", "b@acme.example", "仓库@acme.example"]


def test_daily_weekly_and_monthly_moments_in_local_time() -> None:
    now = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)  # a Sunday; 13:00 in Shanghai
    daily = schedule(every=Frequency.DAILY, at="08:00", timezone="Asia/Shanghai")
    assert last_due(daily, now) == datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
    assert next_due(daily, now) == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    weekly = schedule(every=Frequency.WEEKLY, at="18:30", weekday=6, timezone="Asia/Shanghai")
    assert last_due(weekly, now) == datetime(2026, 11, 29, 10, 30, tzinfo=UTC)
    assert next_due(weekly, now) == datetime(2026, 12, 6, 10, 30, tzinfo=UTC)
    monthly = schedule(every=Frequency.MONTHLY, at="07:00", day=6, timezone="UTC")
    assert last_due(monthly, now) == datetime(2026, 11, 6, 7, 0, tzinfo=UTC)
    assert next_due(monthly, now) == datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
    january = schedule(every=Frequency.MONTHLY, at="07:00", day=20)
    assert last_due(january, datetime(2027, 1, 5, tzinfo=UTC)) == datetime(
        2026, 12, 20, 7, tzinfo=UTC
    )


def test_clock_changes_neither_skip_nor_repeat_a_day() -> None:
    berlin = schedule(every=Frequency.DAILY, at="02:30", timezone="Europe/Berlin")
    moment = datetime(2026, 3, 27, 12, tzinfo=UTC)
    seen = []
    for _ in range(4):  # across the night 02:00 does not exist (29 March)
        moment = next_due(berlin, moment)
        seen.append(moment)
    assert [m.date().day for m in seen] == [28, 29, 30, 31]
    assert seen[1] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # read as 02:30 winter time
    assert all(later - earlier >= timedelta(hours=23) for earlier, later in pairwise(seen))
    for due in seen:
        assert last_due(berlin, due) == due and last_due(berlin, due - timedelta(seconds=1)) < due


def test_a_draft_gives_back_the_report_it_was_made_of() -> None:
    from cbe_app.packs.service import read_pack
    from cbe_app.reports.report_draft import draft_of, report_of

    shipped = [d for d in read_pack()[1] if isinstance(d, ReportDefinition)]
    assert len(shipped) >= 5
    for made in shipped:
        assert report_of(draft_of(made), made) == made, made.key


def test_a_draft_names_what_to_fix_and_drops_what_a_change_left_dangling() -> None:
    from cbe_app.core.errors import ValidationFailed
    from cbe_app.reports.report_draft import draft_of, report_of, tidy

    summary = report(
        mode="summary",
        columns=[],
        group_by=[{"field": "carrier"}, {"field": "shipped_at", "grain": "month"}],
        measures=[{"key": "count", "agg": "count"}],
        pivot="shipped_at_month",
        sort=[{"by": "carrier"}, {"by": "count", "descending": True}],
    )
    draft = draft_of(summary)
    draft["dimensions"] = [{"field": "status", "grain": ""}]  # the pivoted grouping is gone
    tidied = tidy(draft)
    assert tidied["pivot"] == "" and [s["by"] for s in tidied["sort"]] == ["count"]
    assert report_of(tidied, summary).group_by[0].field == "status"
    broken = {
        **tidied,
        "title_en": " ",
        "filters": [{"field": "status", "op": "between", "value": "a"}],
    }
    with pytest.raises(ValidationFailed) as refused:
        report_of(broken, summary)  # type: ignore[arg-type]
    assert set(refused.value.field_errors) == {"title_en", "filters.0.value"}
