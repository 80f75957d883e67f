"""From aggregated rows to a report's result: amounts, derived measures, order and top-N.

Pure: the service runs the compiled query (and, for changes, the same query over the previous
period) and hands the rows here. Money arrives in minor units of the base currency and leaves
as Decimal amounts; ratios, formulas and changes are exact decimals, never floats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cbe_app.core.money import from_minor, minor_exponent
from cbe_app.reports.formula import evaluate, names_in
from cbe_app.reports.spec import COMBINED, Aggregate, DataSpec, Measure

_PLACES = Decimal("0.0001")
_HUGE = Decimal(10) ** 20


@dataclass(frozen=True, slots=True)
class Column:
    """A result column: a dimension or a measure, with how to show its values."""

    key: str
    role: str  # "dimension" or "measure"
    format: str  # "text", "money", "number", "percent", "ratio"


@dataclass(frozen=True, slots=True)
class Result:
    """What a report shows: columns and rows (dicts by column key), money in `currency`."""

    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    currency: str


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _amount(value: Any, currency: str) -> Decimal | None:
    minor = _number(value)
    if minor is None:
        return None
    if minor == minor.to_integral_value():
        return from_minor(int(minor), currency)
    places = minor_exponent(currency)  # an average of minor units: keep the currency's places
    return (minor.scaleb(-places)).quantize(Decimal(1).scaleb(-places))


def _tidy(value: Decimal | None, measure: Measure, currency: str) -> Decimal | None:
    if value is None or not value.is_finite() or abs(value) >= _HUGE:
        return None  # no figure rather than a wrong one (or one decimal places cannot hold)
    if measure.format == "money":
        return value.quantize(Decimal(1).scaleb(-minor_exponent(currency)))
    if measure.format in ("percent", "ratio"):  # shares always with four places: 0.2500
        return value.quantize(_PLACES)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.quantize(_PLACES)


def read_rows(
    raw: Sequence[Mapping[str, Any]], spec: DataSpec, money: frozenset[str], currency: str
) -> list[dict[str, Any]]:
    """The query's rows with amounts in the base currency and numbers as Decimal."""
    sql_keys = [m.key for m in spec.measures if m.agg not in COMBINED]
    rows = []
    for record in raw:
        row: dict[str, Any] = {d.key: record[d.key] for d in spec.dimensions}
        for key in sql_keys:
            value = record[key]
            if key in money:
                row[key] = _amount(value, currency)
            elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                row[key] = _number(value)
            else:
                row[key] = value  # min/max of a date or time
        rows.append(row)
    return rows


def _change(current: Decimal | None, before: Decimal | None) -> Decimal | None:
    if current is None or before is None or before == 0:
        return None
    return (current - before) / abs(before)


def derive(
    rows: list[dict[str, Any]],
    spec: DataSpec,
    previous: list[dict[str, Any]] | None,
    currency: str,
    money: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """Add ratio, formula and change measures to each row (in dependency order).

    `money` are the SQL measures already in currency amounts; other numbers are tidied to
    whole numbers or four places.
    """
    time_keys = [d.key for d in spec.dimensions if d.grain is not None]
    before = _previous_rows(rows, spec, previous, time_keys)
    for measure in ordered_combined(spec.measures):
        for n, row in enumerate(rows):
            row[measure.key] = _tidy(_combined(measure, row, before[n]), measure, currency)
    plain = [m for m in spec.measures if m.agg not in COMBINED and m.key not in money]
    for row in rows:
        for measure in plain:
            if isinstance(row.get(measure.key), Decimal):
                row[measure.key] = _tidy(row[measure.key], measure, currency)
    return rows


def _combined(
    measure: Measure, row: dict[str, Any], before: dict[str, Any] | None
) -> Decimal | None:
    if measure.agg is Aggregate.RATIO:
        numerator, denominator = (
            row.get(measure.numerator or ""),
            row.get(measure.denominator or ""),
        )
        if not isinstance(numerator, Decimal) or not isinstance(denominator, Decimal):
            return None
        return numerator / denominator if denominator else None
    if measure.agg is Aggregate.FORMULA:
        numbers = {k: v for k, v in row.items() if isinstance(v, Decimal)}
        return evaluate(measure.expr or "", numbers)
    of = measure.of or ""
    return _change(row.get(of), before.get(of) if before else None)


def _previous_rows(
    rows: list[dict[str, Any]],
    spec: DataSpec,
    previous: list[dict[str, Any]] | None,
    time_keys: list[str],
) -> list[dict[str, Any] | None]:
    """For each row, the row it is compared with by a change measure.

    With a time dimension, the row of the bucket before it (same other dimensions); without
    one, the same dimensions' row in the previous period.
    """
    other = [d.key for d in spec.dimensions if d.key not in time_keys]
    if time_keys:
        ordered = sorted(range(len(rows)), key=lambda n: tuple(str(rows[n][k]) for k in time_keys))
        last: dict[tuple[Any, ...], dict[str, Any]] = {}
        found: list[dict[str, Any] | None] = [None] * len(rows)
        for n in ordered:
            group = tuple(rows[n][k] for k in other)
            found[n] = last.get(group)
            last[group] = rows[n]
        return found
    by_dims = {tuple(r[k] for k in other): r for r in previous or []}
    return [by_dims.get(tuple(r[k] for k in other)) for r in rows]


def ordered_combined(measures: Sequence[Measure]) -> list[Measure]:
    """Ratio, formula and change measures, each after the measures it reads.

    Raises:
        ValueError: the measures read each other in a circle.
    """
    pending = {m.key: m for m in measures if m.agg in COMBINED}
    done: list[Measure] = []
    while pending:
        ready = [m for m in pending.values() if not (reads(m) & pending.keys())]
        if not ready:
            raise ValueError(f"measures read each other in a circle: {', '.join(sorted(pending))}")
        for measure in ready:
            done.append(measure)
            del pending[measure.key]
    return done


def reads(measure: Measure) -> set[str]:
    """The other measures a ratio, formula or change measure reads."""
    if measure.agg is Aggregate.RATIO:
        return {measure.numerator or "", measure.denominator or ""}
    if measure.agg is Aggregate.CHANGE:
        return {measure.of or ""}
    if measure.agg is Aggregate.FORMULA:
        return names_in(measure.expr or "")
    return set()


def arrange(rows: list[dict[str, Any]], spec: DataSpec) -> list[dict[str, Any]]:
    """Sort (a spec's order; else by its dimensions) and cut to its top-N."""
    order = [(s.by, s.descending) for s in spec.sort]
    if not order and spec.limit and spec.measures:
        shown = [m for m in spec.measures if not m.hidden] or list(spec.measures)
        order = [(shown[0].key, True)]  # a top-N without an order: the biggest first
    if not order:
        order = [(d.key, False) for d in spec.dimensions]
    for key, descending in reversed(order):  # stable sorts, last key first
        present = [r for r in rows if r.get(key) is not None]
        missing = [r for r in rows if r.get(key) is None]
        present.sort(key=_by(key), reverse=descending)
        rows = present + missing  # rows without a value go last either way
    return rows[: spec.limit] if spec.limit else rows


def _by(key: str) -> Callable[[dict[str, Any]], Any]:
    def sortable(row: dict[str, Any]) -> Any:
        value = row[key]
        return value if isinstance(value, Decimal | int | float) else str(value)

    return sortable


def columns_of(spec: DataSpec, money: frozenset[str]) -> tuple[Column, ...]:
    """The result's columns: dimensions, then the measures that are shown."""
    found = [Column(d.key, "dimension", "text") for d in spec.dimensions]
    for measure in spec.measures:
        if measure.hidden:
            continue
        fmt = "money" if measure.key in money else measure.format
        found.append(Column(measure.key, "measure", fmt))
    return tuple(found)


def visible(rows: list[dict[str, Any]], spec: DataSpec) -> list[dict[str, Any]]:
    """Rows without the hidden measures."""
    hidden = {m.key for m in spec.measures if m.hidden}
    if not hidden:
        return rows
    return [{k: v for k, v in row.items() if k not in hidden} for row in rows]
