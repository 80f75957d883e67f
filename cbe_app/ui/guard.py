"""Access control for every event: declared per handler, checked on the server, denied by default.

Reflex lets any client call any event handler by name over the websocket, so hiding a button
protects nothing. Every handler is therefore wrapped by `guarded(permission)` (or marked
`public`), which re-reads the HttpOnly session cookie from the websocket handshake, resolves
it against the sessions table and checks the permission before the handler body runs. The
`AccessGate` middleware refuses any event whose handler carries no such declaration, so a
forgotten decorator fails closed.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Any, TypeVar
from urllib.parse import quote

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event
from reflex_base.registry import RegistrationContext

from cbe_app.auth.cookies import SESSION_COOKIE, read_cookie
from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Permission
from cbe_app.auth.service import resolve_session
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow

log = logging.getLogger(__name__)
ACCESS_ATTR = "__cbe_access__"
PUBLIC = "public"
SIGNED_IN = "signed_in"
F = TypeVar("F", bound=Callable[..., Any])

_current: ContextVar[Principal | None] = ContextVar("cbe_principal", default=None)


def current_principal() -> Principal:
    """The principal of the event being handled (only inside a guarded handler)."""
    principal = _current.get()
    if principal is None:
        raise RuntimeError("current_principal() used outside a guarded event handler")
    return principal


def session_token(state: BaseState) -> str | None:
    """The session cookie sent with the websocket handshake (never client-settable state)."""
    headers = state.router_data.get("headers", {}) if state.router_data else {}
    return read_cookie(headers.get("cookie"), SESSION_COOKIE)


def _lookup(token: str | None) -> Principal | None:
    with session_scope() as session:
        return resolve_session(session, token, utcnow())


async def resolve_principal(state: BaseState) -> Principal | None:
    """Who sent this event, checked against the sessions table (off the event loop)."""
    token = session_token(state)
    return await asyncio.to_thread(_lookup, token) if token else None


def _login_redirect(state: BaseState) -> rx.event.EventSpec:
    path = state.router.url.path if state.router_data else "/"
    return rx.redirect(f"/login?next={quote(path or '/')}")


async def deny(state: BaseState, permission: Permission) -> None:
    """Show the access-denied message on the current page (the handler must then return)."""
    from cbe_app.ui.session import SessionState  # circular at import time: the shell uses guard

    session = await state.get_state(SessionState)
    session.denied = permission.value
    log.warning("denied %s to %s", permission.value, state.get_full_name())


async def _admit(state: BaseState, permission: Permission | None) -> tuple[bool, Any]:
    """(True, principal) to run the handler; (False, event-or-None) to stop it."""
    principal = await resolve_principal(state)
    if principal is None:
        return False, _login_redirect(state)
    if permission is not None and not principal.can(permission):
        await deny(state, permission)
        return False, None
    return True, principal


def guarded(permission: Permission | None = None) -> Callable[[F], F]:
    """Run the handler only for a signed-in user holding `permission` (any signed-in user if None).

    Without a valid session the browser goes to the sign-in page; without the permission the
    page shows a clear message and the handler does not run, so no data is loaded or sent.
    """

    def decorate(fn: F) -> F:
        if inspect.isasyncgenfunction(fn):

            async def gen_wrapper(self: BaseState, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
                admitted, value = await _admit(self, permission)
                if not admitted:
                    if value is not None:
                        yield value
                    return
                reset = _current.set(value)
                try:
                    async for item in fn(self, *args, **kwargs):
                        yield item
                finally:
                    _current.reset(reset)

            wrapper: Any = gen_wrapper
        elif inspect.iscoroutinefunction(fn):

            async def coro_wrapper(self: BaseState, *args: Any, **kwargs: Any) -> Any:
                admitted, value = await _admit(self, permission)
                if not admitted:
                    return value
                reset = _current.set(value)
                try:
                    return await fn(self, *args, **kwargs)
                finally:
                    _current.reset(reset)

            wrapper = coro_wrapper
        else:
            raise TypeError(
                f"{fn.__qualname__}: guarded handlers must be async (no blocking on the event loop)"
            )
        functools.update_wrapper(wrapper, fn)
        setattr(wrapper, ACCESS_ATTR, permission.value if permission else SIGNED_IN)
        return wrapper  # type: ignore[no-any-return]

    return decorate


def public(fn: F) -> F:
    """Mark a handler that anyone may call, signed in or not (sign-in page, language switch)."""
    setattr(fn, ACCESS_ATTR, PUBLIC)
    return fn


def access_of(handler_fn: Callable[..., Any]) -> str | None:
    """The declared access of a handler function, or None when it declares none."""
    return getattr(handler_fn, ACCESS_ATTR, None)


# Reflex's own events that every page sends: hydration, page-load bookkeeping, syncing
# browser-storage vars (which Reflex limits to rx.Cookie/LocalStorage vars) and error reports.
# `setvar` is deliberately absent: a client must never set state by name.
FRAMEWORK_HANDLERS = frozenset(
    {
        "hydrate",
        "hydrate_and_load",
        "on_load_internal",
        "set_is_hydrated",
        "update_vars_internal",
        "handle_frontend_exception",
    }
)


def is_framework_handler(handler_fn: Callable[..., Any]) -> bool:
    """Reflex's own handlers that pages need (see `FRAMEWORK_HANDLERS`)."""
    module = getattr(handler_fn, "__module__", "") or ""
    name = getattr(handler_fn, "__name__", "")
    return module.startswith(("reflex.", "reflex_base.")) and name in FRAMEWORK_HANDLERS


class AccessGate(Middleware):
    """Refuses every event whose handler declares no access (deny by default)."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        registered = RegistrationContext.get().event_handlers.get(event.name)
        if registered is None:
            return None  # Reflex itself rejects unknown events
        fn = registered.handler.fn
        if access_of(fn) is not None or is_framework_handler(fn):
            return None
        log.error("refused undeclared event handler %s", event.name)
        return StateUpdate(delta={}, events=[])
