"""Records that could not be accepted: kept with the reason and raw payload, once per record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, case, cast, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from cbe_app.hub.runs import QuarantineItem

_table = QuarantineItem.__table__  # type: ignore[attr-defined]


def record_key(external_id: str, raw: Any) -> str:
    """The provider's id, or a digest of the payload when the record has no readable id."""
    if external_id:
        return external_id[:128]
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
    return f"sha256:{digest[:48]}"


def hold(
    session: Session,
    *,
    account_id: int | None,
    provider: str,
    kind: str,
    external_id: str,
    reason: str,
    raw: Any,
    now: datetime,
) -> None:
    """Quarantine a record; seeing it again updates the reason and counts another attempt."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    row = {
        "account_id": account_id,
        "provider": provider,
        "kind": kind,
        "record_key": record_key(external_id, raw),
        "external_id": external_id[:128],
        "reason": reason,
        "raw": raw,
        "status": "open",
        "attempts": 1,
        "first_seen_at": now,
        "last_seen_at": now,
    }
    stmt = insert(_table).values(row)
    # A record someone dismissed stays dismissed while it comes back unchanged (every full sync
    # reads it again); a changed payload is news, and opens it again.
    unchanged_dismissal = and_(
        _table.c.status == "dismissed",
        cast(_table.c.raw, Text) == cast(stmt.excluded.raw, Text),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["account_id", "kind", "record_key"],
        set_={
            "reason": stmt.excluded.reason,
            "raw": stmt.excluded.raw,
            "status": case((unchanged_dismissal, "dismissed"), else_="open"),
            "last_seen_at": stmt.excluded.last_seen_at,
            "attempts": _table.c.attempts + 1,
            "resolved_at": case((unchanged_dismissal, _table.c.resolved_at), else_=None),
        },
    )
    session.execute(stmt)


def release(
    session: Session, account_id: int, kind: str, external_ids: Iterable[str], now: datetime
) -> None:
    """Mark quarantined records resolved once a good copy of them has been accepted."""
    keys = [key[:128] for key in external_ids if key]
    if not keys:
        return
    session.execute(
        update(_table)
        .where(
            and_(
                _table.c.account_id == account_id,
                _table.c.kind == kind,
                _table.c.record_key.in_(keys),
                _table.c.status == "open",
            )
        )
        .values(status="resolved", resolved_at=now)
    )
