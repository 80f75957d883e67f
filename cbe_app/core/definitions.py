"""What every definition is built from: a kind, a key, and texts in each language.

Capabilities define their definition kinds on top of these (an area of the shell, a status
map, later forms, reports, workflows…); `cbe_app.packs.spec.KINDS` lists them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from cbe_app.core.i18n import DEFAULT_LOCALE

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.-]{0,62}$")]


class LocalizedText(BaseModel):
    """A text a builder writes once per language; English is required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    zh_CN: Annotated[str, StringConstraints(max_length=2000)] = ""  # noqa: N815 - the locale code

    def get(self, locale: str) -> str:
        """The text in `locale`, falling back to English."""
        return getattr(self, locale, "") or getattr(self, DEFAULT_LOCALE)


class Definition(BaseModel):
    """What every definition has: its kind and a key unique within the kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    key: Key
