"""What an import would make of a file's first rows, before anything is written.

The same mapper and normaliser as the import itself, so what the preview accepts the import
accepts, and every problem it shows names the rows of the sheet it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cbe_app.core.money import from_minor
from cbe_app.hub.canonical import MappedOrder
from cbe_app.hub.fileimport.table import Table, read_table
from cbe_app.hub.ingest.context import AccountRef, IngestContext
from cbe_app.hub.ingest.page import normalise_all
from cbe_app.hub.providers.csvfile.mapper import PROVIDER, apply_mapping, map_rows
from cbe_app.hub.statusmap import StatusMaps

PREVIEW_ROWS = 200


@dataclass(frozen=True, slots=True)
class PreviewOrder:
    """An order as the hub would store it."""

    rows: str  # the sheet rows it comes from, e.g. "2–4"
    external_id: str
    placed_at: str
    status: str
    payment_status: str
    total: str
    total_base: str
    country: str
    email: str
    lines: int


@dataclass(frozen=True, slots=True)
class Problem:
    """A record the import would put in quarantine, and why."""

    rows: str
    external_id: str
    reason: str


@dataclass
class Preview:
    """The first orders of a file, and the problems among them."""

    orders: list[PreviewOrder] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0


def row_span(raw: Any) -> str:
    """The sheet rows a record came from ("7" or "7–9"), from the `_row` its rows carry."""
    rows = raw if isinstance(raw, list) else [raw]
    numbers = sorted(r["_row"] for r in rows if isinstance(r, dict) and r.get("_row"))
    if not numbers:
        return ""
    return str(numbers[0]) if numbers[0] == numbers[-1] else f"{numbers[0]}–{numbers[-1]}"


def preview(
    path: Path, mapping: Mapping[str, str], maps: StatusMaps, base_currency: str, now: datetime
) -> Preview:
    """Map and normalise the first rows of the file (nothing is written)."""
    table: Table = read_table(path, limit=PREVIEW_ROWS)
    result = map_rows(apply_mapping(table.rows, mapping))
    ctx = IngestContext(AccountRef(0, PROVIDER, "sales"), maps, base_currency, now)
    orders, _, _, failed = normalise_all(result, ctx)
    out = Preview(rows_read=len(table.rows))
    spans = {
        r.external_id: row_span(result.raw_of(i))
        for i, r in enumerate(result.records)
        if isinstance(r, MappedOrder)
    }
    for o in orders:
        out.orders.append(
            PreviewOrder(
                rows=spans.get(o.external_id, ""),
                external_id=o.external_id,
                placed_at=o.placed_at.strftime("%Y-%m-%d %H:%M"),
                status=o.status.value,
                payment_status=o.payment_status.value,
                total=f"{from_minor(o.total_minor, o.currency)} {o.currency}",
                total_base=f"{from_minor(o.total_base_minor, o.base_currency)} {o.base_currency}",
                country=o.country,
                email=o.customer_email or "",
                lines=len(o.lines),
            )
        )
    out.problems = [Problem(row_span(r.raw), r.external_id, r.reason) for r in result.rejects]
    out.problems += [Problem(row_span(raw), ext, reason) for _, ext, reason, raw in failed]
    out.problems.sort(key=lambda p: int(p.rows.split("–")[0]) if p.rows else 0)
    return out
