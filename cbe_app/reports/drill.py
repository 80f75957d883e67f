"""Drilling down: the rows behind one point of a widget (a bar, a slice, a table row).

The rows behind a point are the widget's source under the widget's own filters, the
dashboard's filters, the shown measure's own conditions, and one condition per dimension
for the point's value: equal to it, or within its time bucket (a month is the days from
its first to the next month's first). Pure: it makes filters; `reports.listing` reads them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.reports.spec import COMBINED, DataSpec, Filter, Grain, Op

# What a person wants to see of each row: enough to recognise it, then open it.
DRILL_COLUMNS: dict[str, list[str]] = {
    "orders": ["external_id", "placed_at", "channel", "country", "status", "total_base"],
    "shipments": ["tracking_number", "carrier", "status", "shipped_at", "promised_on"],
    "payments": ["external_id", "provider", "kind", "status", "occurred_at", "amount_base"],
    "customers": ["id", "country", "first_order_at", "orders", "revenue_base"],
    "inventory": [
        "day",
        "warehouse",
        "sku",
        "on_hand",
        "stock_value_base",
        "units_sold",
        "cogs_base",
    ],
    "marketing": ["day", "platform", "campaign", "country", "spend_base", "new_customers"],
}
_PROBLEM = N_("This point cannot be opened.")


def drill_filters(spec: DataSpec, shown: str, values: list[Any]) -> list[Filter]:
    """The filters that select the rows behind the point with dimension `values`.

    Raises:
        ValidationFailed: the values do not fit the widget's dimensions.
    """
    if len(values) != len(spec.dimensions):
        raise ValidationFailed({"point": "does not match the widget's dimensions"}, _PROBLEM)
    found = list(spec.filters)
    measure = next((m for m in spec.measures if m.key == shown), None)
    if measure is not None and measure.agg not in COMBINED:
        found += measure.where  # a count of refunded orders drills into the refunded ones
    for dimension, value in zip(spec.dimensions, values, strict=True):
        if value is None:
            found.append(Filter(field=dimension.field, op=Op.IS_NULL))
        elif dimension.grain is not None:
            first, after = bucket_days(dimension.grain, str(value))
            found.append(Filter(field=dimension.field, op=Op.GTE, value=first.isoformat()))
            found.append(Filter(field=dimension.field, op=Op.LT, value=after.isoformat()))
        elif isinstance(value, bool | int | float | str):
            found.append(Filter(field=dimension.field, op=Op.EQ, value=value))
        else:
            raise ValidationFailed({"point": "has a value that cannot be matched"}, _PROBLEM)
    return found


def bucket_days(grain: Grain, label: str) -> tuple[date, date]:
    """The first day of a time bucket as the query names it, and the first day after it.

    Raises:
        ValidationFailed: `label` is not a bucket of `grain`.
    """
    try:
        if grain is Grain.DAY:
            first = date.fromisoformat(label)
            return first, first + timedelta(days=1)
        if grain is Grain.WEEK:
            first = date.fromisoformat(label)
            return first, first + timedelta(days=7)
        if grain is Grain.MONTH:
            year, month = (int(p) for p in label.split("-"))
            return date(year, month, 1), _month_after(year, month)
        if grain is Grain.QUARTER:
            year_text, quarter = label.split("-Q")
            year, first_month = int(year_text), (int(quarter) - 1) * 3 + 1
            return date(year, first_month, 1), _month_after(year, first_month + 2)
        year = int(label)
        return date(year, 1, 1), date(year + 1, 1, 1)
    except ValueError:
        problem = f"{label[:20]!r} is not a {grain.value}"
        raise ValidationFailed({"point": problem}, _PROBLEM) from None


def _month_after(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)
