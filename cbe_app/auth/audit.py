"""The audit trail: one append-only row per security-relevant or data-changing action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from cbe_app.auth.models import AuditEvent


def record(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: str | int = "",
    actor_id: int | None = None,
    source: str = "ui",
    at: datetime,
    **detail: Any,
) -> None:
    """Append an audit event in the caller's transaction (so it exists only if the change does)."""
    session.add(
        AuditEvent(
            at=at,
            actor_id=actor_id,
            source=source,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=detail,
        )
    )
