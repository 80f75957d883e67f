from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from cbe_app.auth.models import AuditEvent, AuthSession, User
from cbe_app.auth.roles import Permission, Role
from cbe_app.auth.service import (
    InvalidCredentials,
    LoginThrottled,
    authenticate,
    create_user,
    list_users,
    purge_expired,
    resolve_session,
    revoke_session,
    set_locale,
    token_digest,
)
from cbe_app.core.errors import Conflict, ValidationFailed
from cbe_app.db import get_engine, session_scope
from tests.conftest import Backend

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PASSWORD = "a-long-enough-password"


def make_user(email: str = "ann@shop.example", roles: tuple[str, ...] = ("operator",)) -> int:
    with session_scope() as session:
        user = create_user(
            session, email=email, password=PASSWORD, roles=roles, now=NOW, full_name="Ann Li"
        )
        return user.id or 0


def sign_in(
    email: str = "ann@shop.example",
    password: str = PASSWORD,
    ip: str = "10.0.0.1",
    at: datetime = NOW,
) -> str:
    with session_scope() as session:
        _, token = authenticate(
            session,
            email=email,
            password=password,
            ip=ip,
            user_agent="pytest",
            now=at,
            session_hours=12,
        )
        return token


def principal(token: str | None, at: datetime = NOW):
    with session_scope() as session:
        return resolve_session(session, token, at)


def test_create_user_stores_a_hash_and_roles(backend: Backend) -> None:
    user_id = make_user("  Ann@Shop.Example ", ("finance", "operator"))
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        assert user.email == "ann@shop.example"
        assert PASSWORD not in user.password_hash
        summaries = list_users(session)
    assert summaries[0].roles == ("operator", "finance")


def test_create_user_reports_every_problem_at_once(backend: Backend) -> None:
    with session_scope() as session, pytest.raises(ValidationFailed) as caught:
        create_user(session, email="not-an-email", password="short", roles=["boss"], now=NOW)
    assert set(caught.value.field_errors) == {"email", "password", "roles"}


def test_duplicate_email_is_a_conflict(backend: Backend) -> None:
    make_user()
    with session_scope() as session, pytest.raises(Conflict):
        create_user(session, email="ANN@shop.example", password=PASSWORD, roles=["admin"], now=NOW)


def test_sign_in_opens_a_server_side_session(backend: Backend) -> None:
    make_user()
    token = sign_in()
    assert len(token) >= 43  # 256 random bits, url-safe
    who = principal(token)
    assert who is not None and who.email == "ann@shop.example"
    assert who.roles == frozenset({Role.OPERATOR})
    assert who.can(Permission.VIEW_ORDERS) and not who.can(Permission.MANAGE_USERS)
    with session_scope() as session:
        stored = session.scalars(select(AuthSession.token_hash)).all()
    assert stored == [token_digest(token)]  # only the digest is kept


def test_wrong_password_and_unknown_email_look_the_same(backend: Backend) -> None:
    make_user()
    with pytest.raises(InvalidCredentials) as wrong:
        sign_in(password="not-the-password")
    with pytest.raises(InvalidCredentials) as unknown:
        sign_in(email="nobody@shop.example")
    assert wrong.value.text == unknown.value.text == "Wrong e-mail or password."


def test_fifth_failure_throttles_even_the_right_password(backend: Backend) -> None:
    make_user()
    for minute in range(5):
        with pytest.raises(InvalidCredentials):
            sign_in(password="guess-number-x", at=NOW + timedelta(minutes=minute))
    with pytest.raises(LoginThrottled) as caught:
        sign_in(at=NOW + timedelta(minutes=5))
    assert 1 <= caught.value.params["minutes"] <= 15
    assert sign_in(at=NOW + timedelta(minutes=20))  # the window has passed


def test_throttling_by_address_cannot_be_dodged_by_changing_account(backend: Backend) -> None:
    make_user()
    for n in range(30):
        with pytest.raises(InvalidCredentials):
            sign_in(email=f"user{n}@shop.example", at=NOW + timedelta(seconds=n))
    with pytest.raises(LoginThrottled):
        sign_in(at=NOW + timedelta(minutes=1))
    assert sign_in(ip="10.0.0.2", at=NOW + timedelta(minutes=1))


def test_sign_out_disable_and_expiry_end_the_session_at_once(backend: Backend) -> None:
    user_id = make_user()
    token = sign_in()
    assert principal(token) is not None
    assert principal(token, NOW + timedelta(hours=12, seconds=1)) is None  # expired
    with session_scope() as session:
        revoke_session(session, token, NOW)
    assert principal(token) is None
    token = sign_in()
    with session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.is_active = False
    assert principal(token) is None
    with pytest.raises(InvalidCredentials):
        sign_in()


def test_unknown_or_empty_tokens_resolve_to_nobody(backend: Backend) -> None:
    assert principal(None) is None
    assert principal("") is None
    assert principal("forged-token-value") is None


def test_language_is_remembered(backend: Backend) -> None:
    user_id = make_user()
    with session_scope() as session:
        assert set_locale(session, user_id, "zh-CN", NOW) == "zh_CN"
    assert principal(sign_in()).locale == "zh_CN"


def test_audit_trail_records_creation_and_sign_ins(backend: Backend) -> None:
    make_user()
    sign_in()
    with pytest.raises(InvalidCredentials):
        sign_in(password="nope-nope-nope")
    with session_scope() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.create", "auth.login", "auth.login_failed"]


def test_saving_a_stale_copy_fails_instead_of_overwriting(backend: Backend) -> None:
    user_id = make_user()
    first, second = Session(get_engine()), Session(get_engine())
    a, b = first.get(User, user_id), second.get(User, user_id)
    assert a is not None and b is not None
    a.full_name = "First"
    first.commit()
    b.full_name = "Second"
    with pytest.raises(StaleDataError):
        second.commit()
    first.close()
    second.close()
    with session_scope() as session:
        assert session.get(User, user_id).full_name == "First"


def test_purge_removes_dead_sessions_only(backend: Backend) -> None:
    make_user()
    live = sign_in()
    dead = sign_in()
    with session_scope() as session:
        revoke_session(session, dead, NOW - timedelta(days=2))
        assert purge_expired(session, NOW) >= 1
    assert principal(live) is not None
