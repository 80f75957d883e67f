"""A summary turned sideways: one grouping's values become columns, one per value and measure.

`Orders by channel and month` lists a row per channel and month; pivoted by month it is a
row per channel with a column per month, which is how people read such a table. Pure: it
reshapes the rows a summary returned and names each new column after its value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_

MAX_PIVOT_COLUMNS = 60
SEPARATOR = "|"  # pivoted column keys are `<measure>|<value>`


@dataclass(frozen=True, slots=True)
class PivotColumn:
    """A column of the pivoted table: a remaining grouping, or one measure at one value."""

    key: str
    source: str  # the grouping or measure key it comes from
    value: Any = None  # the pivoted value (for measure columns)


def pivot_rows(
    rows: list[dict[str, Any]], down: list[str], across: str, measures: list[str]
) -> tuple[list[PivotColumn], list[dict[str, Any]]]:
    """Rows by the `down` groupings, with a column per value of `across` and measure.

    Rows keep the order in which their first value appeared (the summary's sort); the values
    across run in their natural order, empty last.

    Raises:
        ValidationFailed: more than `MAX_PIVOT_COLUMNS` columns would result.
    """
    values = sorted({row.get(across) for row in rows}, key=lambda v: (v is None, str(v)))
    if len(values) * len(measures) > MAX_PIVOT_COLUMNS:
        raise ValidationFailed(
            {"pivot": f"{len(values)} values × {len(measures)} measures"},
            N_(
                "The pivot would have more than {limit} columns: filter the report or pivot by "
                "another grouping."
            ),
            limit=str(MAX_PIVOT_COLUMNS),
        )
    columns = [PivotColumn(key, key) for key in down]
    columns += [
        PivotColumn(f"{measure}{SEPARATOR}{value}", measure, value)
        for value in values
        for measure in measures
    ]
    shaped: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        group = tuple(row.get(key) for key in down)
        line = shaped.setdefault(group, {key: row.get(key) for key in down})
        for measure in measures:
            line[f"{measure}{SEPARATOR}{row.get(across)}"] = row.get(measure)
    return columns, list(shaped.values())
