"""Connecting accounts: each sales account is a channel, each carrier account a carrier."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from cbe_app.auth import audit
from cbe_app.core.errors import Conflict, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.hub.accounts import Account, AccountKind
from cbe_app.hub.catalog import Carrier, Channel
from cbe_app.hub.ingest.context import AccountRef
from cbe_app.hub.providers.registry import ProviderInfo, provider
from cbe_app.hub.secrets import seal


def _channel(session: Session, code: str, name: str, provider_name: str, now: datetime) -> int:
    found = session.scalar(select(col(Channel.id)).where(col(Channel.code) == code))
    if found is not None:
        return int(found)
    channel = Channel(code=code, name=name, provider=provider_name, created_at=now)
    session.add(channel)
    session.flush()
    return int(channel.id or 0)


def _carrier(session: Session, provider_name: str, title: str) -> int:
    found = session.scalar(select(col(Carrier.id)).where(col(Carrier.code) == provider_name))
    if found is not None:
        return int(found)
    carrier = Carrier(code=provider_name, name=title, provider=provider_name, services=[])
    session.add(carrier)
    session.flush()
    return int(carrier.id or 0)


# Widths of accounts.code / channels.code, accounts.name / channels.name, accounts.base_url.
_CODE_MAX, _NAME_MAX, _URL_MAX = 40, 120, 300


def _pace(raw: Any) -> float | str | None:
    """A request pace: a number of requests per second from 0 (no pacing, for sandboxes) to
    1000, '' when none is given (the provider's published limit applies), None when invalid."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ""
    try:
        rate = float(raw)
    except (TypeError, ValueError):
        return None
    return rate if 0 <= rate <= 1000 else None


def _checked(
    code: str, name: str, provider_name: str, base_url: str, settings: dict[str, Any] | None
) -> tuple[ProviderInfo, dict[str, Any]]:
    """The provider and the settings to store, or `ValidationFailed` naming every problem."""
    errors = {}
    info = None
    try:
        info = provider(provider_name)
    except ValueError as exc:
        errors["provider"] = str(exc)
    if not code.strip() or not code.replace("-", "").replace("_", "").isalnum():
        errors["code"] = N_("Use letters, digits, - and _ only.")
    elif len(code) > _CODE_MAX:
        # The columns are this wide: PostgreSQL refuses longer text with a DataError (a stack
        # trace, not a message) and SQLite would keep it; say so here instead.
        errors["code"] = N_("Use at most 40 characters.")
    if not name.strip():
        errors["name"] = N_("Give the account a name.")
    elif len(name.strip()) > _NAME_MAX:
        errors["name"] = N_("Use at most 120 characters.")
    if not base_url.startswith(("http://", "https://", "file://")):
        errors["base_url"] = N_("Enter the address of the API, starting with https://")
    elif len(base_url.rstrip("/")) > _URL_MAX:
        errors["base_url"] = N_("Use at most 300 characters.")
    kept = dict(settings or {})
    if "requests_per_second" in kept:
        pace = _pace(kept.pop("requests_per_second"))
        if pace is None:
            errors["requests_per_second"] = N_("Enter a number from 0 to 1000.")
        elif pace != "":
            kept["requests_per_second"] = pace
    if errors or info is None:
        raise ValidationFailed(errors)
    return info, kept


def connect_account(
    session: Session,
    *,
    code: str,
    name: str,
    provider_name: str,
    base_url: str,
    credentials: dict[str, Any],
    now: datetime,
    settings: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> Account:
    """Create an account (and its channel or carrier); every input problem is reported at once."""
    info, settings = _checked(code, name, provider_name, base_url, settings)
    if session.scalar(select(col(Account.id)).where(col(Account.code) == code)) is not None:
        raise Conflict(N_("An account with this code already exists."))
    account = Account(
        code=code,
        name=name.strip(),
        provider=info.name,
        kind=info.kind.value,
        base_url=base_url.rstrip("/"),
        credentials=seal(credentials),
        settings=settings,
        created_at=now,
        updated_at=now,
    )
    if info.kind is AccountKind.SALES:
        account.channel_id = _channel(session, code, name.strip(), info.name, now)
    elif info.kind is AccountKind.CARRIER:
        account.carrier_id = _carrier(session, info.name, info.title)
    session.add(account)
    session.flush()
    # The secrets themselves never go into the audit trail; which ones were given does.
    audit.record(
        session,
        action="account.connect",
        entity="account",
        entity_id=account.id or 0,
        actor_id=actor_id,
        at=now,
        provider=info.name,
        credentials=sorted(credentials),
    )
    return account


def file_import_account(session: Session, provider_name: str, now: datetime) -> Account:
    """The account that file and CLI imports of a provider's payloads are recorded under."""
    code = f"import-{provider(provider_name).name}"
    found = session.scalar(select(Account).where(col(Account.code) == code))
    if found is not None:
        return found
    info = provider(provider_name)
    return connect_account(
        session,
        code=code,
        # Spreadsheets are imports by nature; a provider's payloads are "imported files".
        name=info.title if not info.pulls else f"{info.title} (imported files)",
        provider_name=info.name,
        base_url="file://import",
        credentials={},
        now=now,
    )


def account_ref(account: Account) -> AccountRef:
    """The ids an ingest needs."""
    return AccountRef(
        id=account.id or 0,
        provider=account.provider,
        kind=account.kind,
        channel_id=account.channel_id,
        carrier_id=account.carrier_id,
    )
