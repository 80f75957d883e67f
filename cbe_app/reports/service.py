"""Running reports and KPIs: load what they depend on, run the query, shape the result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from cbe_app.core.errors import NotFound, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.db import session_scope
from cbe_app.packs.service import definitions_in_effect
from cbe_app.reports import inventory, rollups
from cbe_app.reports.catalog import SOURCES, CompileContext
from cbe_app.reports.compiler import Compiled, compile_spec
from cbe_app.reports.engine import Result, arrange, columns_of, derive, read_rows, visible
from cbe_app.reports.period import Window, window_of
from cbe_app.reports.regions import RegionMapDefinition
from cbe_app.reports.spec import (
    Aggregate,
    DataSpec,
    Dimension,
    Filter,
    Grain,
    KpiDefinition,
    Period,
)

COMPACT_TASK = "cbe.reports.compact"


def compact_rollups() -> None:
    """Fold the rollup logs into their sums, in a transaction of its own."""
    with session_scope() as session:
        rollups.compact(session.connection())


def record_inventory_now(
    now: datetime, base_currency: str, *, every_day: bool = False
) -> dict[str, Any]:
    """Record today's stock and sum the recent days' sales (or every day's), in one transaction.

    Returns what was written, and the products that could not be valued or costed (and why).
    """
    with session_scope() as session:
        first = inventory.first_sale_day(session) if every_day else None
        stock, sales = inventory.record_inventory(session, now, base_currency, sales_from=first)
    return {"stock_rows": stock, "sales_rows": sales.rows, "not_valued": sales.uncosted}


def compile_context(session: Session, now: datetime) -> CompileContext:
    """The region map admins keep (the pack's `default`), and today."""
    chosen = definitions_in_effect(session, RegionMapDefinition).get("default")
    return CompileContext(region_of=chosen.region_of() if chosen else {}, today=now.date())


def _fetch(session: Session, compiled: Compiled) -> list[Any]:
    return list(session.execute(compiled.statement).mappings())


@dataclass(frozen=True, slots=True)
class _Query:
    """How a spec runs: its context, filters added on top, and whether rollups may answer."""

    ctx: CompileContext
    base_currency: str
    extra: tuple[Filter, ...]
    use_rollups: bool

    def rows(
        self, session: Session, spec: DataSpec, window: Window
    ) -> tuple[list[Any], frozenset[str]]:
        compiled = compile_spec(
            spec, self.ctx, window, self.base_currency, self.extra, use_rollups=self.use_rollups
        )
        found = read_rows(_fetch(session, compiled), spec, compiled.money, self.base_currency)
        return found, compiled.money


def run_spec(
    session: Session,
    spec: DataSpec,
    now: datetime,
    base_currency: str,
    extra: tuple[Filter, ...] = (),
    *,
    use_rollups: bool = True,
    ctx: CompileContext | None = None,
) -> Result:
    """A spec's result, with `extra` filters (a dashboard's) on top of its own.

    `use_rollups=False` reads the raw rows even where rollups could answer (for comparison);
    `ctx` saves loading the region map again for each widget of a dashboard.

    Raises:
        ValidationFailed: every problem of the spec, named by where it is.
    """
    query = _Query(ctx or compile_context(session, now), base_currency, extra, use_rollups)
    window = window_of(spec.period, now)
    rows, money = query.rows(session, spec, window)
    previous = None
    earlier = window.previous()
    wants = any(m.agg is Aggregate.CHANGE for m in spec.measures)
    # With a time dimension a change compares each bucket with the one before it instead.
    if wants and earlier is not None and not any(d.grain for d in spec.dimensions):
        # Derived first, so that a change of a ratio (AOV) compares ratio with ratio.
        previous = derive(query.rows(session, spec, earlier)[0], spec, None, base_currency, money)
    rows = derive(rows, spec, previous, base_currency, money)
    return Result(columns_of(spec, money), visible(arrange(rows, spec), spec), base_currency)


def kpi_definition(session: Session, name: str) -> KpiDefinition:
    """A KPI of the library by its name (as stored, else as the pack ships it)."""
    found = definitions_in_effect(session, KpiDefinition)
    if name not in found:
        raise NotFound(
            N_("There is no KPI {name}. The library has: {known}."),
            name=repr(name),
            known=", ".join(sorted(found)),
        )
    return found[name]


def kpi_spec(kpi: KpiDefinition, by: str | None, start: date | None, end: date | None) -> DataSpec:
    """The KPI's spec grouped by `by` (a field, or `day`/`week`/`month`/`quarter`/`year` of
    its time) over the days from `start` to `end` (both included)."""
    spec = kpi.data
    dimensions = list(spec.dimensions)
    if by:
        dimensions.append(_dimension(spec, by))
    period = Period(start=start, end=end) if (start or end) else spec.period
    try:
        return spec.model_copy(update={"dimensions": dimensions, "period": period})
    except ValueError as exc:
        raise ValidationFailed({"by": str(exc)}, N_("The report cannot run as it is.")) from exc


def _dimension(spec: DataSpec, by: str) -> Dimension:
    grains = {g.value: g for g in Grain}
    if by in grains:
        source = SOURCES.get(spec.source)
        time_field = spec.time_field or (source.time_field if source else "")
        return Dimension(field=time_field, grain=grains[by])
    if not by.replace("_", "").isalnum() or not by[:1].isalpha():
        raise ValidationFailed(
            {"by": f"{by[:40]!r} is not a field name"}, N_("The report cannot run as it is.")
        )
    return Dimension(field=by.lower())


def run_kpi(
    session: Session,
    name: str,
    *,
    by: str | None,
    start: date | None,
    end: date | None,
    now: datetime,
    base_currency: str,
) -> dict[str, Any]:
    """`{"kpi", "currency", "rows": [{<dim>: value, "value": "decimal string"}]}`."""
    kpi = kpi_definition(session, name)
    spec = kpi_spec(kpi, by, start, end)
    result = run_spec(session, spec, now, base_currency)
    # The KPI's own dimensions by their keys; the one asked for by the name it was asked by.
    names = {d.key: d.key for d in spec.dimensions}
    if by:
        names[spec.dimensions[-1].key] = by
    rows = []
    for row in result.rows:
        out: dict[str, Any] = {name: row.get(key) for key, name in names.items()}
        value = row.get(kpi.value)
        out["value"] = None if value is None else str(value)
        rows.append(out)
    return {"kpi": name, "currency": base_currency, "rows": rows}
