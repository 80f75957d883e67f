"""Tabular reports: a builder's saved table of rows or of sums, and when it is e-mailed.

A report reads one source of the catalogue, like a widget. In **rows** mode it lists records
(chosen columns, filters, sort), paged on screen and exported whole; in **summary** mode it
groups them (dimensions, measures, top-N), and may spread one dimension across the columns
(a pivot). Schedules send it as a CSV, XLSX or PDF attachment by e-mail, daily, weekly or
monthly at a local time. Like every definition it is data: versioned, shared by role,
exported to a file and imported again.

Pure: the model and the schedule arithmetic (`last_due`, `next_due`); no database, no clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, StringConstraints, field_validator, model_validator

from cbe_app.auth.roles import Role
from cbe_app.core.definitions import Definition, LocalizedText
from cbe_app.notify.mail import parse_address
from cbe_app.reports.listing import MAX_COLUMNS, ListSpec
from cbe_app.reports.spec import (
    MAX_ROWS,
    DataSpec,
    Dimension,
    Filter,
    Measure,
    Name,
    Period,
    Sort,
    _Strict,
)

MAX_RECIPIENTS = 20


class ReportMode(StrEnum):
    """What a report's lines are."""

    ROWS = "rows"  # one line per record of the source
    SUMMARY = "summary"  # one line per group, with sums


class ExportFormat(StrEnum):
    """The files a report is exported and e-mailed as."""

    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


class Frequency(StrEnum):
    """How often a schedule sends the report."""

    DAILY = "daily"
    WEEKLY = "weekly"  # on `weekday`
    MONTHLY = "monthly"  # on `day` of the month


class Schedule(_Strict):
    """E-mail the report to `recipients` every day, week or month at a local time."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
    every: Frequency = Frequency.WEEKLY
    at: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "08:00"
    weekday: Annotated[int, Field(ge=0, le=6)] = 0  # Monday is 0
    day: Annotated[int, Field(ge=1, le=28)] = 1  # 28 at most: every month has it
    timezone: Annotated[str, StringConstraints(max_length=64)] = "UTC"
    recipients: Annotated[list[str], Field(min_length=1, max_length=MAX_RECIPIENTS)]
    format: ExportFormat = ExportFormat.XLSX
    language: Literal["en", "zh_CN"] = "en"
    enabled: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value[:64]!r} is not a time zone (e.g. Asia/Shanghai)") from None
        return value

    @field_validator("recipients")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        # The mail module's own parsing: what it accepts here, it can send to.
        parsed = {v.strip(): parse_address(v.strip()) for v in value}
        bad = [v for v, address in parsed.items() if address is None]
        if bad:
            raise ValueError(f"not an e-mail address: {', '.join(b[:80] for b in bad)}")
        return list(dict.fromkeys(a.addr_spec for a in parsed.values() if a is not None))


class ReportDefinition(Definition):
    """A saved report: what it reads and shows, who may open it, and when it is sent."""

    kind: Literal["report"] = "report"
    title: LocalizedText
    description: LocalizedText | None = None
    source: Name
    mode: ReportMode = ReportMode.ROWS
    columns: Annotated[list[Name], Field(max_length=MAX_COLUMNS)] = Field(default_factory=list)
    group_by: Annotated[list[Dimension], Field(max_length=3)] = Field(default_factory=list)
    measures: Annotated[list[Measure], Field(max_length=20)] = Field(default_factory=list)
    pivot: Name | None = None  # a group_by key whose values become columns
    filters: Annotated[list[Filter], Field(max_length=20)] = Field(default_factory=list)
    sort: Annotated[list[Sort], Field(max_length=5)] = Field(default_factory=list)
    limit: Annotated[int, Field(ge=1, le=MAX_ROWS)] | None = None  # summaries: top-N
    period: Period | None = None
    time_field: Name | None = None
    shared_with: Annotated[list[Role], Field(max_length=20)] = Field(default_factory=list)
    schedules: Annotated[list[Schedule], Field(max_length=10)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _complete(self) -> ReportDefinition:
        if self.mode is ReportMode.ROWS and not self.columns:
            raise ValueError("a report of rows needs at least one column")
        if self.mode is ReportMode.SUMMARY and not self.measures:
            raise ValueError("a summary needs at least one measure")
        if self.pivot is not None:
            keys = [d.key for d in self.group_by]
            if self.mode is not ReportMode.SUMMARY or self.pivot not in keys or len(keys) < 2:
                raise ValueError("a pivot spreads one of two or more groupings across the columns")
        ids = [s.id for s in self.schedules]
        if len(ids) != len(set(ids)):
            raise ValueError("each schedule needs its own id")
        return self

    def data_spec(self) -> DataSpec:
        """The summary as a data spec (summary mode only)."""
        return DataSpec(
            source=self.source,
            measures=list(self.measures),
            dimensions=list(self.group_by),
            filters=list(self.filters),
            sort=list(self.sort),
            limit=self.limit,
            period=self.period,
            time_field=self.time_field,
        )

    def list_spec(self) -> ListSpec:
        """The rows as a listing spec (rows mode only)."""
        return ListSpec(
            source=self.source,
            columns=list(self.columns),
            filters=list(self.filters),
            sort=list(self.sort),
            period=self.period,
            time_field=self.time_field,
        )


def _local(day: date, at: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(part) for part in at.split(":"))
    # A wall time skipped by a clock change is read as the same time before it (fold=0).
    return datetime.combine(day, time(hours, minutes), zone).astimezone(UTC)


def _month_back(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def last_due(schedule: Schedule, now: datetime) -> datetime:
    """The latest moment at or before `now` (aware) the schedule was due, in UTC."""
    zone = ZoneInfo(schedule.timezone)
    today = now.astimezone(zone).date()
    if schedule.every is Frequency.DAILY:
        days = [today, today - timedelta(days=1)]
    elif schedule.every is Frequency.WEEKLY:
        back = (today.weekday() - schedule.weekday) % 7
        days = [today - timedelta(days=back), today - timedelta(days=back + 7)]
    else:
        this_month = today.replace(day=schedule.day)
        days = [this_month, _month_back(today).replace(day=schedule.day)]
    return next(m for m in (_local(d, schedule.at, zone) for d in days) if m <= now)


def next_due(schedule: Schedule, now: datetime) -> datetime:
    """The first moment after `now` (aware) the schedule is due, in UTC."""
    zone = ZoneInfo(schedule.timezone)
    day = now.astimezone(zone).date()
    for _ in range(40):  # a month and a bit always holds the next one
        moment = _local(day, schedule.at, zone)
        wanted = (
            schedule.every is Frequency.DAILY
            or (schedule.every is Frequency.WEEKLY and day.weekday() == schedule.weekday)
            or (schedule.every is Frequency.MONTHLY and day.day == schedule.day)
        )
        if wanted and moment > now:
            return moment
        day += timedelta(days=1)
    raise AssertionError("unreachable: every schedule is due within 40 days")
