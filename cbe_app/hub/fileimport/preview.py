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
from cbe_app.hub.canonical import MappedAdSpend, MappedOrder, MappedRecord, MapResult
from cbe_app.hub.fileimport.formats import ORDERS, ImportFormat, rename
from cbe_app.hub.fileimport.table import Table, read_table
from cbe_app.hub.ingest.context import AccountRef, IngestContext
from cbe_app.hub.ingest.page import NormalisedPage, normalise_records
from cbe_app.hub.normalise import Order
from cbe_app.hub.normalise_adspend import AdSpend
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
class PreviewAdSpend:
    """A day of spend as the hub would store it."""

    rows: str
    day: str
    platform: str
    campaign: str
    country: str
    spend: str
    spend_base: str
    impressions: str
    clicks: str


@dataclass(frozen=True, slots=True)
class Problem:
    """A record the import would put in quarantine, and why."""

    rows: str
    external_id: str
    reason: str


@dataclass
class Preview:
    """The first records of a file (orders or days of spend), and the problems among them."""

    orders: list[PreviewOrder] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    ad_spend: list[PreviewAdSpend] = field(default_factory=list)


def row_span(raw: Any) -> str:
    """The sheet rows a record came from ("7" or "7–9"), from the `_row` its rows carry."""
    rows = raw if isinstance(raw, list) else [raw]
    numbers = sorted(r["_row"] for r in rows if isinstance(r, dict) and r.get("_row"))
    if not numbers:
        return ""
    return str(numbers[0]) if numbers[0] == numbers[-1] else f"{numbers[0]}–{numbers[-1]}"


def _money(minor: int, currency: str) -> str:
    return f"{from_minor(minor, currency)} {currency}"


def _order(o: Order, rows: str) -> PreviewOrder:
    return PreviewOrder(
        rows=rows,
        external_id=o.external_id,
        placed_at=o.placed_at.strftime("%Y-%m-%d %H:%M"),
        status=o.status.value,
        payment_status=o.payment_status.value,
        total=_money(o.total_minor, o.currency),
        total_base=_money(o.total_base_minor, o.base_currency),
        country=o.country,
        email=o.customer_email or "",
        lines=len(o.lines),
    )


def _ad_spend(a: AdSpend, rows: str) -> PreviewAdSpend:
    return PreviewAdSpend(
        rows=rows,
        day=a.day.isoformat(),
        platform=a.platform,
        campaign=a.campaign,
        country=a.country,
        spend=_money(a.spend_minor, a.currency),
        spend_base=_money(a.spend_base_minor, a.base_currency),
        impressions="" if a.impressions is None else f"{a.impressions:,}",
        clicks="" if a.clicks is None else f"{a.clicks:,}",
    )


def _problems(result: MapResult, page: NormalisedPage) -> list[Problem]:
    found = [Problem(row_span(r.raw), r.external_id, r.reason) for r in result.rejects]
    found += [Problem(row_span(raw), ext, reason) for _, ext, reason, raw in page.failed]
    found.sort(key=lambda p: int(p.rows.split("–")[0]) if p.rows else 0)
    return found


def _record_key(record: MappedRecord) -> str:
    if isinstance(record, MappedOrder):
        return record.external_id
    return record.key if isinstance(record, MappedAdSpend) else ""


def preview(
    path: Path,
    mapping: Mapping[str, str],
    maps: StatusMaps,
    base_currency: str,
    now: datetime,
    *,
    fmt: ImportFormat = ORDERS,
    constants: Mapping[str, str] | None = None,
) -> Preview:
    """Map and normalise the first rows of the file (nothing is written)."""
    table: Table = read_table(path, limit=PREVIEW_ROWS)
    result = fmt.map_rows(rename(table.rows, mapping, constants or {}))
    ctx = IngestContext(AccountRef(0, fmt.provider, "file"), maps, base_currency, now)
    page = normalise_records(result, ctx)
    spans = {_record_key(r): row_span(result.raw_of(i)) for i, r in enumerate(result.records)}
    return Preview(
        orders=[_order(o, spans.get(o.external_id, "")) for o in page.orders],
        problems=_problems(result, page),
        rows_read=len(table.rows),
        ad_spend=[_ad_spend(a, spans.get(a.ref, "")) for a in page.ad_spend],
    )
