"""Ad spend into the `ad_spend` table, by its natural key (day, platform, campaign, country).

Per batch, whatever its size: one SELECT of what is stored for the batch's days and platforms,
one bulk INSERT of the new rows and one executemany UPDATE of the changed ones; a row whose
content hash is the stored one is left alone. Exports carry no time of change, so the last
import of a day wins (a platform revises its figures for some days after the fact).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlmodel import Session

from cbe_app.db_bulk import bulk_write
from cbe_app.hub.ingest.context import IngestContext, IngestSummary, fingerprint
from cbe_app.hub.marketing import AdSpend as AdSpendRow
from cbe_app.hub.normalise_adspend import AdSpend

AD_SPEND: Table = AdSpendRow.__table__  # type: ignore[attr-defined]
KEY = ("day", "platform", "campaign", "country")
_VALUES = (
    "currency",
    "spend_minor",
    "base_currency",
    "spend_base_minor",
    "fx_rate",
    "fx_date",
    "fx_source",
    "impressions",
    "clicks",
    "content_hash",
    "account_id",
    "updated_at",
)
_STORED = select(
    AD_SPEND.c.id,
    AD_SPEND.c.day,
    AD_SPEND.c.platform,
    AD_SPEND.c.campaign,
    AD_SPEND.c.country,
    AD_SPEND.c.content_hash,
).where(
    AD_SPEND.c.day.between(bindparam("first"), bindparam("last")),
    AD_SPEND.c.platform.in_(bindparam("platforms", expanding=True)),
)
_UPDATE = update(AD_SPEND).where(AD_SPEND.c.id == bindparam("b_id"))

Key = tuple[date, str, str, str]


def ad_spend_hash(a: AdSpend) -> str:
    """What makes two copies of a day's spend the same."""
    return fingerprint(
        a.currency,
        a.spend_minor,
        a.base_currency,
        a.spend_base_minor,
        a.fx.rate,
        a.fx.rate_date,
        a.impressions,
        a.clicks,
    )


def _row(a: AdSpend, ctx: IngestContext) -> dict[str, Any]:
    return {
        "currency": a.currency,
        "spend_minor": a.spend_minor,
        "base_currency": a.base_currency,
        "spend_base_minor": a.spend_base_minor,
        "fx_rate": a.fx.rate,
        "fx_date": a.fx.rate_date,
        "fx_source": a.fx.provider,
        "impressions": a.impressions,
        "clicks": a.clicks,
        "content_hash": ad_spend_hash(a),
        "account_id": ctx.account.id or None,
        "updated_at": ctx.now,
    }


def _stored(session: Session, batch: dict[Key, AdSpend]) -> dict[Key, tuple[int, str]]:
    """(id, content hash) of the batch's keys that are stored: one query over its day range."""
    days = [key[0] for key in batch]
    found = session.execute(
        _STORED,
        {"first": min(days), "last": max(days), "platforms": sorted({k[1] for k in batch})},
    )
    return {
        key: (row.id, row.content_hash)
        for row in found
        if (key := (row.day, row.platform, row.campaign, row.country)) in batch
    }


def ingest_ad_spend(
    session: Session, records: Sequence[AdSpend], ctx: IngestContext
) -> IngestSummary:
    """Create or update days of spend; an unchanged one (same content hash) is left alone."""
    summary = IngestSummary()
    if not records:
        return summary
    batch = {a.key: a for a in records}  # a key twice in a batch: its later row wins
    summary.unchanged = len(records) - len(batch)
    stored = _stored(session, batch)
    fresh, changed = [], []
    for key, a in batch.items():
        row = _row(a, ctx)
        before = stored.get(key)
        if before is None:
            fresh.append(dict(zip(KEY, key, strict=True)) | row)
        elif before[1] == row["content_hash"]:
            summary.unchanged += 1
        else:
            changed.append(row | {"b_id": before[0]})
    # Another import may have written a key since the SELECT: its row is then updated.
    bulk_write(session, AD_SPEND, fresh, keys=KEY, update=_VALUES)
    if changed:
        session.execute(_UPDATE, changed)
    summary.created, summary.updated = len(fresh), len(changed)
    return summary
