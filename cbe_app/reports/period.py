"""Periods as half-open UTC time windows, and the window just before one (for changes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cbe_app.core.i18n import N_
from cbe_app.reports.spec import Period, PeriodPreset


@dataclass(frozen=True, slots=True)
class Window:
    """From `start` (included) to `end` (excluded); None means open on that side."""

    start: datetime | None = None
    end: datetime | None = None

    def previous(self) -> Window | None:
        """The window of the same length just before this one (None when it is open)."""
        if self.start is None or self.end is None:
            return None
        return Window(self.start - (self.end - self.start), self.start)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _months_after(first_of_month: date, months: int) -> date:
    index = first_of_month.month - 1 + months
    return date(first_of_month.year + index // 12, index % 12 + 1, 1)


def _preset_days(preset: PeriodPreset, today: date) -> tuple[date | None, date | None]:
    """First day and the day after the last, for a preset."""
    month = today.replace(day=1)
    quarter = month.replace(month=(today.month - 1) // 3 * 3 + 1)
    tomorrow = today + timedelta(days=1)
    return {
        PeriodPreset.TODAY: (today, tomorrow),
        PeriodPreset.YESTERDAY: (today - timedelta(days=1), today),
        PeriodPreset.LAST_7_DAYS: (today - timedelta(days=6), tomorrow),
        PeriodPreset.LAST_30_DAYS: (today - timedelta(days=29), tomorrow),
        PeriodPreset.THIS_MONTH: (month, _months_after(month, 1)),
        PeriodPreset.LAST_MONTH: (_months_after(month, -1), month),
        PeriodPreset.THIS_QUARTER: (quarter, _months_after(quarter, 3)),
        PeriodPreset.THIS_YEAR: (today.replace(month=1, day=1), date(today.year + 1, 1, 1)),
        PeriodPreset.LAST_12_MONTHS: (
            _months_after(month, -11),
            _months_after(month, 1),
        ),
        PeriodPreset.ALL_TIME: (None, None),
    }[preset]


def window_of(period: Period | None, now: datetime) -> Window:
    """The time window a period covers, days in UTC; no period is all time."""
    if period is None:
        return Window()
    if period.preset is not None:
        first, after = _preset_days(period.preset, now.astimezone(UTC).date())
    else:
        first, after = period.start, (period.end + timedelta(days=1)) if period.end else None
    return Window(
        _midnight(first) if first else None,
        _midnight(after) if after else None,
    )


# How each preset reads (message ids).
PERIOD_LABELS = {
    PeriodPreset.TODAY: N_("Today"),
    PeriodPreset.YESTERDAY: N_("Yesterday"),
    PeriodPreset.LAST_7_DAYS: N_("Last 7 days"),
    PeriodPreset.LAST_30_DAYS: N_("Last 30 days"),
    PeriodPreset.THIS_MONTH: N_("This month"),
    PeriodPreset.LAST_MONTH: N_("Last month"),
    PeriodPreset.THIS_QUARTER: N_("This quarter"),
    PeriodPreset.THIS_YEAR: N_("This year"),
    PeriodPreset.LAST_12_MONTHS: N_("Last 12 months"),
    PeriodPreset.ALL_TIME: N_("All time"),
}
