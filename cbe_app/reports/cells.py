"""A report's values as a screen shows them: text in the reader's language.

Amounts and shares are formatted with Babel (CLDR) for the language; times are UTC minutes;
yes/no and the codes the hub stores (an order's status) read as words. Exports keep the
plain values instead (`reports.export`), so a spreadsheet can compute with them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cbe_app.core.i18n import N_, translate
from cbe_app.reports.reporting import ReportColumn
from cbe_app.reports.tiles import format_value

# Fields whose values are codes of the hub's vocabularies, shown as their words.
CODE_FIELDS = frozenset({"status", "payment_status", "kind"})
_YES, _NO = N_("Yes"), N_("No")


def cell(value: Any, column: ReportColumn, currency: str, locale: str) -> str:
    """One value as text ("—" for none)."""
    if value is None:
        return "—"
    if column.type in ("money", "number", "percent", "ratio"):
        return format_value(value, column.type, currency, locale)
    if isinstance(value, bool):
        return translate(_YES if value else _NO, locale)
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d %H:%M" if isinstance(value, datetime) else "%Y-%m-%d")
    return translate(str(value), locale) if column.key in CODE_FIELDS else str(value)


def cells(
    rows: list[dict[str, Any]], columns: tuple[ReportColumn, ...], currency: str, locale: str
) -> list[list[str]]:
    """Every row as its cells, in the order of `columns`."""
    return [[cell(row.get(c.key), c, currency, locale) for c in columns] for row in rows]


def align(column: ReportColumn) -> str:
    """Figures line up on the right, everything else on the left."""
    return "right" if column.type in ("money", "number", "percent", "ratio") else "left"
