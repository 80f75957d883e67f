"""What admins change in the data hub: retry or dismiss quarantined records, edit status maps."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from cbe_app.auth import audit
from cbe_app.core.errors import NotFound, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.hub.accounts import Account
from cbe_app.hub.canonical import VOCABULARIES
from cbe_app.hub.ingest.page import ingest_page
from cbe_app.hub.ingest.rules import ingest_context
from cbe_app.hub.providers.registry import provider
from cbe_app.hub.runs import QuarantineItem
from cbe_app.hub.statusmap import StatusMapDefinition, status_key
from cbe_app.hub.statusmaps_store import stored_status_maps
from cbe_app.packs.service import save_definition


def retry_held(
    session: Session, item_id: int, base_currency: str, now: datetime, actor_id: int | None = None
) -> QuarantineItem:
    """Map and write a quarantined record again (after a mapping was fixed); returns it updated."""
    item = session.get(QuarantineItem, item_id)
    if item is None or item.account_id is None:
        raise NotFound(what="Quarantined record")
    account = session.get(Account, item.account_id)
    if account is None:
        raise NotFound(what="Account")
    info = provider(account.provider)
    ctx = ingest_context(session, account, base_currency, now)
    try:
        result = info.mapper()(info.retry_payload(item.raw))
    except ValueError as exc:  # MappingError: still not readable; say why, keep it
        item.reason, item.attempts, item.last_seen_at = str(exc), item.attempts + 1, now
        return item
    summary = ingest_page(session, result, ctx)
    session.refresh(item)
    # A record the normaliser refuses again (a status still unmapped) is held again, not in
    # `rejects`: without checking the summary it was marked resolved though nothing was written.
    if item.status == "open" and summary.quarantined == 0 and result.records:
        # Accepted under another key than the one it was held under (no id before): release it.
        item.status, item.resolved_at = "resolved", now
    audit.record(
        session,
        action="quarantine.retry",
        entity="quarantine",
        entity_id=item_id,
        actor_id=actor_id,
        at=now,
        outcome=item.status,
    )
    return item


def dismiss_held(
    session: Session, item_id: int, now: datetime, actor_id: int | None = None
) -> None:
    """Stop showing a record that will never be accepted (kept, marked dismissed)."""
    item = session.get(QuarantineItem, item_id)
    if item is None:
        raise NotFound(what="Quarantined record")
    item.status, item.resolved_at = "dismissed", now
    audit.record(
        session,
        action="quarantine.dismiss",
        entity="quarantine",
        entity_id=item_id,
        actor_id=actor_id,
        at=now,
    )


def status_map_of(session: Session, provider_name: str) -> StatusMapDefinition:
    """The status map in effect for a provider (stored, else the pack's)."""
    found = stored_status_maps(session).by_provider.get(provider_name)
    if found is None:
        raise NotFound(what=f"Status map of {provider_name}")
    return found


def save_status_map(
    session: Session,
    provider_name: str,
    kind: str,
    mapping: dict[str, str],
    *,
    now: datetime,
    actor_id: int | None = None,
) -> StatusMapDefinition:
    """Replace one kind's translations of a provider's map: a new version of the definition."""
    vocabulary = VOCABULARIES.get(kind)
    if vocabulary is None:
        raise ValidationFailed({"kind": N_("Choose orders, payments or shipments.")})
    current = status_map_of(session, provider_name)
    problems = {
        raw: N_("Choose a status from the list.")
        for raw, canonical in mapping.items()
        if canonical not in vocabulary._value2member_map_
    }
    # An empty status is refused unless the map in effect already has one: the csv pack maps
    # "no payment status" to paid, and saving that map back unchanged must not fail.
    blank = any(not status_key(raw) for raw in mapping) and "" not in getattr(current, kind)
    if problems or blank:
        raise ValidationFailed(problems or {"status": N_("A provider status cannot be empty.")})
    updated = StatusMapDefinition.model_validate(current.model_dump() | {kind: mapping})
    row = save_definition(session, updated, now=now, actor_id=actor_id)
    audit.record(
        session,
        action="status_map.save",
        entity="definition",
        entity_id=row.id or 0,
        actor_id=actor_id,
        at=now,
        provider=provider_name,
        kind=kind,
    )
    return updated
