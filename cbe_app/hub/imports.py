"""Normalising and importing one provider payload or file (the CLI's `normalize` and `import`).

A provider's file is one response body of its API; the `csv` provider's a spreadsheet of
orders with the documented columns; the `adspend` provider's an ad platform's export, whose
columns are matched by the file import's guess (the headers Google Ads, Meta, Amazon Ads and
TikTok Ads write, and our own names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from cbe_app.db import session_scope
from cbe_app.hub.connect import file_import_account
from cbe_app.hub.fileimport.formats import AD_SPEND, read_rows
from cbe_app.hub.files import read_payload
from cbe_app.hub.ingest.context import AccountRef, IngestContext, IngestSummary
from cbe_app.hub.ingest.page import ingest_page, normalise_records
from cbe_app.hub.ingest.rules import ingest_context
from cbe_app.hub.providers.registry import ProviderInfo, provider
from cbe_app.hub.runs import QuarantineItem
from cbe_app.hub.statusmap import StatusMaps, pack_status_maps


@dataclass
class Normalised:
    """Canonical records as JSON, and a line per record that could not be made canonical."""

    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _payload(info: ProviderInfo, path: Path) -> Any:
    """The file's content as the provider's mapper reads it."""
    if info.name == AD_SPEND.provider:
        return read_rows(path, AD_SPEND)
    return read_payload(info.name, path)


def normalise_file(provider_name: str, path: Path, base_currency: str, now: datetime) -> Normalised:
    """Map and normalise a file with the pack's status maps, touching no database."""
    info = provider(provider_name)
    result = info.mapper()(_payload(info, path))
    ctx = IngestContext(
        AccountRef(0, info.name, info.kind.value), pack_status_maps(), base_currency, now
    )
    page = normalise_records(result, ctx)
    out = Normalised(
        [o.as_contract() for o in page.orders]
        + [s.as_contract() for s in page.shipments]
        + [p.as_contract() for p in page.payments]
        + [a.as_contract() for a in page.ad_spend]
    )
    out.problems = [f"{r.kind} {r.external_id or '(no id)'}: {r.reason}" for r in result.rejects]
    out.problems += [
        f"{kind} {external_id or '(no id)'}: {reason}"
        for kind, external_id, reason, _ in page.failed
    ]
    return out


def import_file(
    provider_name: str,
    path: Path,
    base_currency: str,
    now: datetime,
    maps: StatusMaps | None = None,
    *,
    problems: list[str] | None = None,
) -> IngestSummary:
    """Load a file through the same upsert path as a sync, under the provider's import account.

    When `problems` is given, a line per record this import quarantined (its id and why) is
    added to it, so that the operator who ran it is told, not only the quarantine screen.
    """
    info = provider(provider_name)
    result = info.mapper()(_payload(info, path))
    with session_scope() as session:
        account = file_import_account(session, info.name, now)
        ctx = ingest_context(session, account, base_currency, now, maps)
        summary = ingest_page(session, result, ctx)
        if problems is not None and summary.quarantined:
            problems.extend(_held_by(session, account.id or 0, now))
        return summary


def _held_by(session: Session, account_id: int, now: datetime) -> list[str]:
    # What the quarantine holds from this import (every hold of it is stamped `now`), read back
    # rather than collected, as `ingest_page` keeps its list of failures to itself.
    rows = session.execute(
        select(
            col(QuarantineItem.kind), col(QuarantineItem.external_id), col(QuarantineItem.reason)
        )
        .where(
            col(QuarantineItem.account_id) == account_id,
            col(QuarantineItem.status) == "open",
            col(QuarantineItem.last_seen_at) == now,
        )
        .order_by(col(QuarantineItem.id))
    )
    return [f"{kind} {external_id or '(no id)'}: {reason}" for kind, external_id, reason in rows]
