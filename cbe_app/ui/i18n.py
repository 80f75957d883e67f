"""UI language: the chosen language lives in a cookie, its catalogue in state, strings as Vars.

`T("Orders")` is a Var that reads the current catalogue in the browser, so switching the
language re-renders every string at once without a reload. Untranslated text falls back to
the English message id.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from cbe_app.auth.cookies import LANGUAGE_COOKIE
from cbe_app.auth.service import set_locale
from cbe_app.core.i18n import DEFAULT_LOCALE, LANGUAGES, catalog, normalise_locale
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow


class LocaleState(rx.State):
    """The language of this browser (a cookie, so the sign-in page knows it too)."""

    lang: str = rx.Cookie(
        DEFAULT_LOCALE, name=LANGUAGE_COOKIE, max_age=365 * 24 * 3600, same_site="lax"
    )

    @rx.var
    def locale(self) -> str:
        """The language in use, always one we have."""
        return normalise_locale(self.lang)

    @rx.var
    def tr(self) -> dict[str, str]:
        """The catalogue of the language in use (empty for English)."""
        return dict(catalog(normalise_locale(self.lang)))

    @rx.var
    def is_zh(self) -> bool:
        """True when the UI is in Simplified Chinese."""
        return normalise_locale(self.lang) == "zh_CN"

    # Set once the person picks a language here, so a guess from the browser never overrides it.
    _chosen: bool = False

    def _apply(self, locale: str, *, chosen_by_user: bool = False) -> str:
        """Switch this browser's language; returns the language applied."""
        wanted = normalise_locale(locale)
        self.lang = wanted if wanted in LANGUAGES else DEFAULT_LOCALE
        self._chosen = self._chosen or chosen_by_user
        return self.lang

    async def _remember(self, user_id: int, locale: str) -> None:
        """Store the choice on the user too, so it follows them to other devices."""

        def save() -> None:
            with session_scope() as session:
                set_locale(session, user_id, locale, utcnow())

        await asyncio.to_thread(save)


def T(message_id: str, **params: rx.Var | str) -> rx.Var[str]:  # noqa: N802 - the extractor keyword
    """A UI string in the current language; `{name}` placeholders are filled from `params`."""
    text = LocaleState.tr.get(message_id, message_id).to(str)
    for name, value in params.items():
        text = text.replace("{" + name + "}", value)
    return text


def T_var(message_id: rx.Var[str]) -> rx.Var[str]:  # noqa: N802
    """A message id that is only known at run time (from the database) in the current language."""
    return LocaleState.tr.get(message_id, message_id).to(str)
