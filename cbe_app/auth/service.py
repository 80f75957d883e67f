"""Use cases for accounts and sessions. Each takes the caller's session and `now`."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, func, update
from sqlmodel import Session, col, select

from cbe_app.auth import audit
from cbe_app.auth.models import AuthSession, LoginAttempt, User, UserRole
from cbe_app.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Role, parse_roles
from cbe_app.auth.throttle import DEFAULT_POLICY, seconds_to_wait
from cbe_app.core.errors import Conflict, NotFound, UserError, ValidationFailed
from cbe_app.core.i18n import LANGUAGES, N_, normalise_locale

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Touching last_seen on every event would turn each click into a write.
_TOUCH_INTERVAL = timedelta(minutes=5)


class InvalidCredentials(UserError):
    """Wrong e-mail or password (deliberately not saying which)."""

    message_id = N_("Wrong e-mail or password.")


class LoginThrottled(UserError):
    """Too many recent failures; the caller must wait."""

    message_id = N_("Too many failed sign-in attempts. Try again in {minutes} minutes.")

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(minutes=max(1, (seconds + 59) // 60))


@dataclass(frozen=True, slots=True)
class UserSummary:
    """What an administrator sees of a user in the list."""

    id: int
    email: str
    full_name: str
    roles: tuple[str, ...]
    is_active: bool
    locale: str
    last_seen_at: datetime | None


def normalise_email(email: str) -> str:
    """E-mail as stored and compared: trimmed and lower-cased."""
    return email.strip().lower()


def token_digest(token: str) -> str:
    """The stored form of a session token (a leaked table does not yield usable cookies)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _roles_of(session: Session, user_id: int) -> frozenset[Role]:
    names = session.scalars(select(col(UserRole.role)).where(col(UserRole.user_id) == user_id))
    return frozenset(Role(n) for n in names if n in Role._value2member_map_)


def _principal(session: Session, user: User, session_id: int | None = None) -> Principal:
    assert user.id is not None
    return Principal(
        user_id=user.id,
        email=user.email,
        full_name=user.full_name,
        roles=_roles_of(session, user.id),
        locale=user.locale,
        session_id=session_id,
    )


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    roles: Iterable[str],
    now: datetime,
    full_name: str = "",
    locale: str = "en",
    actor_id: int | None = None,
    source: str = "ui",
) -> User:
    """Create an active user, collecting every input problem into one `ValidationFailed`."""
    errors: dict[str, str] = {}
    address = normalise_email(email)
    if not _EMAIL.match(address):
        errors["email"] = N_("Enter a valid e-mail address.")
    if problem := password_problem(password):
        errors["password"] = problem
    try:
        role_list = parse_roles(roles)
        if not role_list:
            errors["roles"] = N_("Choose at least one role.")
    except ValueError as exc:
        errors["roles"] = str(exc)
        role_list = []
    if errors:
        raise ValidationFailed(errors)
    if session.scalar(select(col(User.id)).where(col(User.email) == address)) is not None:
        raise Conflict(N_("A user with this e-mail already exists."))
    user = User(
        email=address,
        full_name=full_name.strip() or address.split("@")[0],
        password_hash=hash_password(password),
        locale=normalise_locale(locale),
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add_all(UserRole(user_id=user.id, role=role.value) for role in role_list)
    audit.record(
        session,
        action="user.create",
        entity="user",
        entity_id=user.id,
        actor_id=actor_id,
        source=source,
        at=now,
        email=address,
        roles=[r.value for r in role_list],
    )
    return user


def _recent_failures(
    session: Session, column: object, value: str, since: datetime
) -> list[datetime]:
    query = select(col(LoginAttempt.at)).where(
        column == value,
        LoginAttempt.at >= since,
        col(LoginAttempt.succeeded).is_(False),
    )
    return list(session.scalars(query))


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    ip: str,
    user_agent: str,
    now: datetime,
    session_hours: int,
) -> tuple[Principal, str]:
    """Check a sign-in and open a session; returns the principal and the cookie token.

    A failed attempt is committed before the error is raised, so it counts for throttling.

    Raises:
        LoginThrottled: too many recent failures for this account or address.
        InvalidCredentials: the e-mail or the password is wrong, or the user is disabled.
    """
    address = normalise_email(email)
    since = now - DEFAULT_POLICY.window
    last_success = session.scalar(
        select(func.max(col(LoginAttempt.at))).where(
            LoginAttempt.email == address,
            col(LoginAttempt.succeeded).is_(True),
        )
    )
    account_since = max(since, last_success) if last_success else since
    wait = seconds_to_wait(
        _recent_failures(session, LoginAttempt.email, address, account_since),
        _recent_failures(session, LoginAttempt.ip, ip, since),
        now,
    )
    if wait:
        raise LoginThrottled(wait)
    user = session.scalar(select(User).where(col(User.email) == address))
    ok = verify_password(user.password_hash if user else None, password)
    session.add(
        LoginAttempt(email=address, ip=ip, at=now, succeeded=bool(ok and user and user.is_active))
    )
    if not ok or user is None or not user.is_active:
        audit.record(
            session,
            action="auth.login_failed",
            entity="user",
            source="ui",
            at=now,
            email=address,
            ip=ip,
        )
        # The failure must be kept although the caller's transaction ends in an error:
        # throttling counts these rows.
        session.commit()
        raise InvalidCredentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    auth_session = AuthSession(
        token_hash=token_digest(token),
        user_id=user.id or 0,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=session_hours),
        ip=ip[:64],
        user_agent=user_agent[:300],
    )
    session.add(auth_session)
    session.flush()
    audit.record(
        session,
        action="auth.login",
        entity="user",
        entity_id=user.id or "",
        actor_id=user.id,
        at=now,
        ip=ip,
    )
    return _principal(session, user, auth_session.id), token


def resolve_session(session: Session, token: str | None, now: datetime) -> Principal | None:
    """The principal behind a session cookie, or None when it is unknown, expired or revoked.

    Checked on every event, so signing out, disabling a user or removing a role takes effect
    on the user's next click.
    """
    if not token:
        return None
    row = session.execute(
        select(AuthSession, User)
        .join(User, col(User.id) == col(AuthSession.user_id))
        .where(col(AuthSession.token_hash) == token_digest(token))
    ).first()
    if row is None:
        return None
    auth_session, user = row
    if auth_session.revoked_at is not None or auth_session.expires_at <= now or not user.is_active:
        return None
    if now - auth_session.last_seen_at > _TOUCH_INTERVAL:
        session.execute(
            update(AuthSession)
            .where(col(AuthSession.id) == auth_session.id)
            .values(last_seen_at=now)
        )
    return _principal(session, user, auth_session.id)


def principal_of(session: Session, user_id: int | None) -> Principal | None:
    """A user as a principal (roles as held now), for work done later on their behalf; None
    when the user is gone or disabled."""
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        return None
    return _principal(session, user)


def revoke_session(session: Session, token: str | None, now: datetime) -> None:
    """Sign out: the token stops working at once, everywhere."""
    if not token:
        return
    session.execute(
        update(AuthSession)
        .where(
            col(AuthSession.token_hash) == token_digest(token),
            col(AuthSession.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )


def set_locale(session: Session, user_id: int, locale: str, now: datetime) -> str:
    """Remember the user's language; returns the language actually stored."""
    chosen = normalise_locale(locale)
    if chosen not in LANGUAGES:
        raise ValidationFailed({"locale": N_("Unknown language.")})
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(what="User")
    if user.locale != chosen:
        user.locale = chosen
        user.updated_at = now
    return chosen


def list_users(session: Session) -> list[UserSummary]:
    """Every user with roles and last activity, for administrators."""
    roles: dict[int, list[str]] = {}
    for user_id, role in session.execute(select(col(UserRole.user_id), col(UserRole.role))):
        roles.setdefault(user_id, []).append(role)
    latest = select(col(AuthSession.user_id), func.max(col(AuthSession.last_seen_at)))
    last_seen: dict[int, datetime] = {  # noqa: C416 - dict() would call Result.keys()
        user_id: seen
        for user_id, seen in session.execute(latest.group_by(col(AuthSession.user_id)))
    }
    order = {r.value: i for i, r in enumerate(Role)}
    return [
        UserSummary(
            id=u.id or 0,
            email=u.email,
            full_name=u.full_name,
            roles=tuple(sorted(roles.get(u.id or 0, []), key=lambda r: order.get(r, 99))),
            is_active=u.is_active,
            locale=u.locale,
            last_seen_at=last_seen.get(u.id or 0),
        )
        for u in session.scalars(select(User).order_by(col(User.email)))
    ]


def purge_expired(
    session: Session, now: datetime, keep_attempts: timedelta = timedelta(days=30)
) -> int:
    """Delete sessions that can no longer be used and old sign-in attempts; returns rows removed."""
    sessions: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(AuthSession).where(
            (col(AuthSession.expires_at) < now)
            | (col(AuthSession.revoked_at) < now - timedelta(days=1))
        )
    )
    attempts: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(LoginAttempt).where(col(LoginAttempt.at) < now - keep_attempts)
    )
    return int(sessions.rowcount or 0) + int(attempts.rowcount or 0)
