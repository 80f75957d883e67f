import pytest

from cbe_app.core.i18n import (
    LANGUAGES,
    catalog,
    locale_from_accept_language,
    normalise_locale,
)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh_Hans", "zh_CN"),
        ("en-GB", "en"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_normalise_locale(tag: str | None, expected: str) -> None:
    assert normalise_locale(tag) == expected


def test_accept_language_follows_the_clients_preference() -> None:
    assert locale_from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh_CN"
    assert locale_from_accept_language("fr-FR,fr;q=0.9,en;q=0.5,zh;q=0.4") == "en"
    assert locale_from_accept_language("de-DE") == "en"
    assert locale_from_accept_language("en;q=0.1, zh;q=0.9") == "zh_CN"
    assert locale_from_accept_language("zh;q=abc") == "en"


def test_every_language_has_a_name_in_itself() -> None:
    assert LANGUAGES == {"en": "English", "zh_CN": "简体中文"}


def test_the_chinese_catalogue_is_read_and_english_needs_none() -> None:
    assert catalog("zh_CN")["Sign in"] == "登录"
    assert "Sign in" not in catalog("en")  # English text is its own message id
    assert catalog("en")["awaiting_fulfillment"] == "Awaiting fulfilment"  # codes read as words
    assert "A message nobody translated" not in catalog("zh_CN")
