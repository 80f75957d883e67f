"""Ad spend import: one row of an ad platform's export is one day of one campaign's spend.

Columns, after the file import's column mapping (which knows the headers Google Ads, Meta Ads
Manager, Amazon Ads and TikTok Ads write, and Chinese ones): day, platform, currency, spend,
and optionally campaign, country, impressions and clicks. A file without a platform column
gets the platform typed once for the whole file, as a constant column. Days, amounts and counts
are read as exports write them (`hub/normalise_adspend.py`). Rows of the same day, platform,
campaign and country (an export by ad group, network or device) add up to one record. Rows an
export adds as totals ("Total: Account", 合计) are not a day's spend and are left out. Every
problem names its sheet row, and the rows are kept whole with it, so they can be fixed and
imported (or retried) again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from cbe_app.hub.canonical import MappedAdSpend, MapResult, RecordKind, Reject, ad_spend_key
from cbe_app.hub.normalise_adspend import read_amount, read_count, read_day
from cbe_app.hub.providers.csvfile.mapper import read_csv
from cbe_app.hub.providers.parsing import MappingError, text

PROVIDER = "adspend"
COLUMNS = ("day", "platform", "currency", "spend")
OPTIONAL = ("campaign", "country", "impressions", "clicks")
_TOTALS = ("total", "合计", "总计", "汇总")
Row = dict[str, Any]


def is_total(row: Row) -> bool:
    """Whether the row is an export's total line rather than a day's spend."""
    return text(row.get("day")).lower().startswith(_TOTALS)


def _record(row: Row) -> MappedAdSpend:
    missing = [column for column in COLUMNS if column not in row]
    try:
        if missing:
            raise MappingError(f"the file has no column {', '.join(missing)}")
        return MappedAdSpend(
            provider=PROVIDER,
            day=read_day(row["day"]),
            platform=text(row["platform"]),
            campaign=text(row.get("campaign")),
            country=text(row.get("country")),
            currency=text(row["currency"]),
            spend=read_amount(row["spend"], "spend"),
            impressions=read_count(row.get("impressions"), "impressions"),
            clicks=read_count(row.get("clicks"), "clicks"),
            row=int(row.get("_row") or 0),
        )
    except ValueError as exc:  # a MappingError, or a value the readers refuse
        number = row.get("_row")
        raise MappingError(f"row {number}: {exc}" if number else str(exc)) from None


def _total(counts: list[int | None]) -> int | None:
    known = [count for count in counts if count is not None]
    return sum(known) if known else None


def _combined(rows: list[Row]) -> MappedAdSpend:
    """One record of rows with the same key: an export finer than a day of a campaign in a
    country (by ad group, network or device) adds up to it."""
    records = [_record(row) for row in rows]
    first = records[0]
    if len(records) == 1:
        return first
    other = next((r for r in records if r.currency.upper() != first.currency.upper()), None)
    if other is not None:
        raise MappingError(
            f"rows {first.row} and {other.row} are the same day, platform, campaign and country "
            f"in two currencies ({first.currency}, {other.currency})"
        )
    return replace(
        first,
        spend=sum((r.spend for r in records), Decimal(0)),
        impressions=_total([r.impressions for r in records]),
        clicks=_total([r.clicks for r in records]),
    )


def held_key(row: Row) -> str:
    """The record a row belongs to: its natural key as far as it reads ('' for none at all)."""
    try:
        day = read_day(row.get("day")).isoformat()
    except ValueError:
        day = text(row.get("day"))
    parts = (day, text(row.get("platform")), text(row.get("campaign")), text(row.get("country")))
    return ad_spend_key(*parts) if any(parts) else ""


def map_rows(rows: Iterable[Row]) -> MapResult:
    """Map the rows, those of one day, platform, campaign and country as one record; a bad row
    rejects its record, with the reason naming the row and every row of the record kept."""
    result = MapResult()
    groups: dict[str, list[Row]] = {}
    for row in rows:
        if not is_total(row):
            groups.setdefault(held_key(row) or f"\0row {row.get('_row')}", []).append(row)
    for key, group in groups.items():
        raw = group if len(group) > 1 else group[0]
        try:
            result.add(_combined(group), raw)
        except ValueError as exc:
            held = "" if key.startswith("\0") else key
            result.rejects.append(Reject(PROVIDER, RecordKind.AD_SPEND, held, str(exc), raw))
    return result


def map_payload(payload: Any) -> MapResult:
    """Map a CSV text with our column names, already-read rows (`{"column": value, "_row": n}`),
    or one such row (a quarantined row, retried on its own)."""
    if isinstance(payload, bytes | str):
        text = payload.decode("utf-8-sig") if isinstance(payload, bytes) else payload
        return map_rows(read_csv(text))
    if isinstance(payload, list | dict):
        return map_rows(payload if isinstance(payload, list) else [payload])
    raise MappingError("an ad-spend import needs CSV text or a list of rows")
