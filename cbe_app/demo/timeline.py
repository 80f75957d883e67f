"""When orders are placed: the period's daily volume curve, shaped by season and sales events.

Orders are laid out by index along the cumulative volume curve, which keeps them sorted by
`placed_at` without generating the orders before them.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from cbe_app.demo import reference as ref

_BLACK_WEEK = {0: 1.5, 1: 2.9, 2: 1.9, 3: 1.8, 4: 2.6, 5: 1.4}  # days after Thanksgiving


@dataclass(frozen=True, slots=True)
class OrderTimeline:
    """Cumulative order volume by day of the period and by hour of the day."""

    count: int  # orders over the period
    first_day: datetime  # midnight UTC opening the period
    day_cum: tuple[float, ...]
    hour_cum: tuple[float, ...]

    def placed_at(self, index: int) -> datetime:
        """When order `index` was placed; later indexes are never placed earlier.

        Args:
            index: Index of the order in the dataset, below `count`.

        Returns:
            A UTC time within the period.
        """
        # Order i sits mid-way in its 1/count slice of the period's volume, which orders
        # placements by index without looking at any other order.
        days = self.day_cum
        position = (index + 0.5) * days[-1] / self.count
        day = min(bisect_right(days, position), len(days) - 1)
        before = days[day - 1] if day else 0.0
        hours = self.hour_cum
        point = min((position - before) / (days[day] - before), 1.0) * hours[-1]
        hour = min(bisect_right(hours, point), 23)
        hour_start = hours[hour - 1] if hour else 0.0
        seconds = hour * 3600 + int(3600 * (point - hour_start) / (hours[hour] - hour_start))
        return self.first_day + timedelta(days=day, seconds=min(seconds, 86_399))


def order_timeline(*, end: date, months: int, count: int) -> OrderTimeline:
    """The volume curves of `count` orders over the `months` months that end on `end`.

    Args:
        end: Last day of the period (inclusive).
        months: Length of the period in months.
        count: Number of orders over the period.

    Returns:
        The timeline; volume grows by 40 % over the period, on top of season and events.
    """
    first = _period_start(end, months)
    days = (end - first).days + 1
    day_weights = (_day_weight(first + timedelta(d), d / max(days - 1, 1)) for d in range(days))
    return OrderTimeline(
        count=count,
        first_day=datetime(first.year, first.month, first.day, tzinfo=UTC),
        day_cum=tuple(accumulate(day_weights)),
        hour_cum=tuple(accumulate(ref.HOUR_WEIGHTS)),
    )


def _period_start(end: date, months: int) -> date:
    """First day of the `months` months that end on `end`, e.g. 2025-06-30 -> 2024-01-01."""
    after = end + timedelta(days=1)
    year, month = divmod(after.year * 12 + after.month - 1 - months, 12)
    return date(year, month + 1, min(after.day, calendar.monthrange(year, month + 1)[1]))


def _day_weight(day: date, progress: float) -> float:
    growth = 1.0 + 0.4 * progress
    season = ref.MONTH_FACTORS[day.month - 1] * ref.WEEKDAY_FACTORS[day.weekday()]
    return growth * season * _event_factor(day)


def _event_factor(day: date) -> float:
    """Black Friday to Cyber Monday, the Christmas shipping cut-off and Prime Day."""
    november = date(day.year, 11, 1)
    thanksgiving = november + timedelta(days=(3 - november.weekday()) % 7 + 21)
    black_week = _BLACK_WEEK.get((day - thanksgiving).days)
    if black_week is not None:
        return black_week
    if day.month == 12 and day.day > 20:
        return 0.7
    july = date(day.year, 7, 1)
    prime_day = july + timedelta(days=(1 - july.weekday()) % 7 + 7)
    return 1.9 if 0 <= (day - prime_day).days <= 1 else 1.0
