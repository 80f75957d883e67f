"""Who is signed in, for display, and what the shell shows them (navigation, denial message).

These vars are display only: nothing here is ever used to decide access; every handler
re-checks the session cookie on the server (see `guard`). None of them has a setter.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TypedDict

import reflex as rx

from cbe_app.auth.roles import AREA_PERMISSIONS, ROLE_LABELS, Role
from cbe_app.db import session_scope
from cbe_app.packs.service import apps
from cbe_app.packs.spec import AppDefinition
from cbe_app.ui.guard import current_principal, guarded, public, resolve_principal
from cbe_app.ui.i18n import LocaleState

_APPS_TTL_SECONDS = 30.0


class NavItem(TypedDict):
    """One entry of the navigation."""

    key: str
    href: str
    title_en: str
    title_zh: str


@dataclass
class _AppsCache:
    """The areas as last read, and when (the menu changes only when a definition is edited)."""

    read_at: float = float("-inf")
    apps: list[AppDefinition] = field(default_factory=list)


_cache = _AppsCache()


def _load_apps() -> list[AppDefinition]:
    if time.monotonic() - _cache.read_at > _APPS_TTL_SECONDS:
        with session_scope() as session:
            _cache.apps = apps(session)
        _cache.read_at = time.monotonic()
    return list(_cache.apps)


async def area_apps() -> dict[str, AppDefinition]:
    """The shell's areas by key (cached for a few seconds)."""
    return {a.key: a for a in await asyncio.to_thread(_load_apps)}


def href_of(key: str) -> str:
    """The route of an area."""
    return f"/{key}"


class SessionState(rx.State):
    """The signed-in user as the shell shows them."""

    user_name: str = ""
    user_email: str = ""
    role_labels: list[str] = []
    nav: list[NavItem] = []
    denied: str = ""  # the permission refused on the current page, if any

    @rx.event
    @guarded()
    async def load(self) -> None:
        """Refresh identity and navigation; runs first on every page load."""
        principal = current_principal()
        self.denied = ""
        self.user_name = principal.full_name
        self.user_email = principal.email
        self.role_labels = [ROLE_LABELS[r] for r in Role if r in principal.roles]
        defined = await area_apps()
        self.nav = [
            NavItem(
                key=key, href=href_of(key), title_en=app.title.en, title_zh=app.title.get("zh_CN")
            )
            for key, app in sorted(defined.items(), key=lambda kv: kv[1].position)
            if key in AREA_PERMISSIONS and principal.can(AREA_PERMISSIONS[key])
        ]

    @rx.event
    @public
    async def switch_language(self, locale: str) -> None:
        """Change the UI language; a signed-in user's choice is stored on their account."""
        locale_state = await self.get_state(LocaleState)
        chosen = locale_state._apply(locale, chosen_by_user=True)
        principal = await resolve_principal(self)
        if principal is not None:
            await locale_state._remember(principal.user_id, chosen)
