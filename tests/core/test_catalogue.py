"""Every string the UI shows has a Simplified Chinese translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir

from cbe_app.config import PROJECT_ROOT
from cbe_app.core.i18n import catalog


def extracted_ids() -> set[str]:
    found = extract_from_dir(
        str(PROJECT_ROOT),
        method_map=[("cbe_app/**.py", "python")],
        keywords={"T": None, "N_": None},
    )
    return {
        message for _file, _line, message, _comments, _context in found if isinstance(message, str)
    }


def test_every_message_is_translated_into_chinese() -> None:
    ids = extracted_ids()
    assert len(ids) > 50
    translations = catalog("zh_CN")
    missing = sorted(i for i in ids if not translations.get(i))
    assert not missing, "run scripts/messages.sh and translate:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    for message_id, text in catalog("zh_CN").items():
        for placeholder in ("{minutes}", "{password}", "{file}", "{what}", "{email}"):
            assert (placeholder in message_id) == (placeholder in text), message_id


def test_catalogue_file_is_committed_beside_the_code() -> None:
    assert (Path(PROJECT_ROOT) / "cbe_app/locale/zh_CN/LC_MESSAGES/messages.po").exists()
