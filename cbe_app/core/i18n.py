"""Message catalogues (gettext `.po` files read with Babel) and language choice.

English text is the message id; `locale/<lang>/LC_MESSAGES/messages.po` holds each
translation. `pybabel extract` finds every `T("…")` in the UI and every `N_("…")` in Python
data, so one command refreshes the catalogue and a test proves nothing is untranslated.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LOCALE = "en"
# The language names are shown in their own language, as users look for their own.
LANGUAGES: Mapping[str, str] = MappingProxyType({"en": "English", "zh_CN": "简体中文"})


def N_(message_id: str) -> str:  # noqa: N802 - the gettext convention extractors look for
    """Mark a string for translation where it is defined; it is translated where shown."""
    return message_id


def normalise_locale(value: str | None) -> str:
    """Map a language tag (`zh`, `zh-CN`, `zh-Hans`, `en-GB`) to one of our languages."""
    if not value:
        return DEFAULT_LOCALE
    tag = value.strip().replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_CN"
    if tag.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def locale_from_accept_language(header: str | None) -> str:
    """The best language for an `Accept-Language` header, in the client's order of preference."""
    if not header:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, weight = part.strip().partition(";q=")
        try:
            quality = float(weight) if weight else 1.0
        except ValueError:
            quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        if tag.lower().startswith(("zh", "en")):
            return normalise_locale(tag)
    return DEFAULT_LOCALE


@functools.cache
def catalog(locale: str) -> Mapping[str, str]:
    """Every translated message of a language, keyed by its English message id."""
    if locale == DEFAULT_LOCALE:
        from cbe_app.core.labels import CODE_LABELS  # it imports N_ from here

        return CODE_LABELS
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return MappingProxyType({})
    with path.open("rb") as handle:
        po = read_po(handle, locale=locale)
    return MappingProxyType(
        {
            str(message.id): str(message.string)
            for message in po
            if message.id and message.string and not message.fuzzy
        }
    )


def translate(message_id: str, locale: str, **params: object) -> str:
    """A message in `locale` (the id itself when untranslated), `{name}`s filled from `params`."""
    text = catalog(normalise_locale(locale)).get(message_id) or message_id
    for name, value in params.items():
        text = text.replace("{" + name + "}", str(value))
    return text
