"""The guard decorator against real sessions, with a stand-in for a Reflex state."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from cbe_app.auth.roles import Permission
from cbe_app.auth.service import authenticate, create_user
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.session import SessionState
from tests.conftest import Backend


class FakeState:
    """What the guard reads of a Reflex state: the handshake headers and the page path."""

    def __init__(self, cookie: str | None) -> None:
        self.router_data = {"headers": {"cookie": cookie} if cookie else {}}
        self.router = SimpleNamespace(url=SimpleNamespace(path="/admin/users"))
        self.session = SimpleNamespace(denied="")
        self.ran: list[str] = []

    async def get_state(self, cls: Any) -> SimpleNamespace:
        assert cls is SessionState
        return self.session

    def get_full_name(self) -> str:
        return "fake_state"


def cookie_for(role: str) -> str:
    with session_scope() as session:
        create_user(
            session,
            email=f"{role}@x.example",
            password="long-enough-pw",
            roles=[role],
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
    with session_scope() as session:
        _, token = authenticate(
            session,
            email=f"{role}@x.example",
            password="long-enough-pw",
            ip="127.0.0.1",
            user_agent="test",
            now=utcnow(),
            session_hours=1,
        )
    return f"other=1; cbe_session={token}"


@guarded(Permission.MANAGE_USERS)
async def load_users(state: FakeState) -> str:
    state.ran.append(current_principal().email)
    return "users"


@guarded()
async def stream(state: FakeState) -> Any:
    for step in ("a", "b"):
        state.ran.append(step)
        yield step


def run(coro: Any) -> Any:
    # In a thread of its own: the browser tests' Playwright keeps a loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def collect(agen: Any) -> list[Any]:
    return [item async for item in agen]


def test_without_a_session_the_handler_does_not_run_and_the_browser_goes_to_sign_in(
    backend: Backend,
) -> None:
    for cookie in (None, "cbe_session=forged"):
        state = FakeState(cookie)
        result = run(load_users(state))
        assert state.ran == []
        assert "/login?next=/admin/users" in str(result)


def test_without_the_permission_the_page_is_told_and_nothing_runs(backend: Backend) -> None:
    state = FakeState(cookie_for("operator"))
    assert run(load_users(state)) is None
    assert state.ran == []
    assert state.session.denied == "admin.users"


def test_with_the_permission_the_handler_runs_as_that_user(backend: Backend) -> None:
    state = FakeState(cookie_for("admin"))
    assert run(load_users(state)) == "users"
    assert state.ran == ["admin@x.example"]
    with pytest.raises(RuntimeError):
        current_principal()  # only inside a guarded handler


def test_generator_handlers_are_guarded_too(backend: Backend) -> None:
    anonymous = FakeState(None)
    assert len(run(collect(stream(anonymous)))) == 1 and anonymous.ran == []
    member = FakeState(cookie_for("warehouse"))
    assert run(collect(stream(member))) == ["a", "b"]


def test_blocking_handlers_are_refused_at_definition() -> None:
    with pytest.raises(TypeError, match="must be async"):

        @guarded()
        def blocking(state: FakeState) -> None:  # pragma: no cover - never runs
            return None
