#!/usr/bin/env bash
# Refresh the message catalogue: extract every T("…") / N_("…") and merge into the .po files.
# Translations live in scripts/zh_CN.tsv (msgid<TAB>Chinese); new ids are listed until translated.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
mkdir -p cbe_app/locale
$pybabel extract -F babel.cfg -k T -k N_ --no-default-keywords --sort-by-file --no-wrap \
  --project cbe_app --omit-header -o cbe_app/locale/messages.pot .
po=cbe_app/locale/zh_CN/LC_MESSAGES/messages.po
if [ -f "$po" ]; then
  $pybabel update -i cbe_app/locale/messages.pot -d cbe_app/locale -l zh_CN --no-wrap --ignore-obsolete
else
  $pybabel init -i cbe_app/locale/messages.pot -d cbe_app/locale -l zh_CN --no-wrap
fi
.venv/bin/python scripts/apply_translations.py && echo "Every message is translated."
