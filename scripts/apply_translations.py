"""Fill msgstr entries of the zh_CN catalogue from scripts/zh_CN.tsv (msgid<TAB>translation).

Keeping translations in a plain two-column file makes them easy to review; this script writes
them into the .po file that the app reads. Unknown ids are reported, never dropped.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "cbe_app" / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
TSV = ROOT / "scripts" / "zh_CN.tsv"


def main() -> int:
    pairs = dict(
        line.split("\t", 1) for line in TSV.read_text(encoding="utf-8").splitlines() if "\t" in line
    )
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if message.id in pairs:
            message.string = pairs[message.id].strip()
            message.flags.discard("fuzzy")
        elif not message.string or message.fuzzy:
            # A fuzzy guess from `pybabel update` is not a translation; the app ignores it.
            missing.append(str(message.id))
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)
    for message_id in missing:
        print(f"untranslated: {message_id}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
