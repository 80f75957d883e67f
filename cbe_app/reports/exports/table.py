"""A report's result table as the exports write it: columns, rows, and the shared rules.

Pure: no database, no Reflex, no clock. Spreadsheets evaluate cells that look like formulas,
and report cells hold text customers typed (names, addresses, notes): every text cell that
could start a formula is neutralised with a leading apostrophe (the OWASP "CSV injection"
guard); numbers we write ourselves stay numbers. See docs/exports.md.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from babel.numbers import format_decimal

from cbe_app.core.i18n import N_, normalise_locale
from cbe_app.core.money import minor_exponent

COLUMN_TYPES = frozenset(
    {"text", "number", "money", "percent", "ratio", "date", "time", "bool", "id"}
)
NUMERIC = frozenset({"number", "money", "percent", "ratio"})
# OWASP: a cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_STARTS = frozenset("=+-@\t\r")
# C0 controls other than tab, line feed and carriage return: illegal in XLSX's XML, noise in
# CSV, and a way to hide a formula behind an invisible first character.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
YES = N_("Yes")
NO = N_("No")


@dataclass(frozen=True, slots=True)
class ExportColumn:
    """One column of an exported table."""

    key: str  # key into each row dict
    label: str  # heading, already in the reader's language
    type: str  # one of COLUMN_TYPES

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"Unknown export column type {self.type!r} for {self.key!r}")


@dataclass(frozen=True, slots=True)
class ExportTable:
    """A result table and what a reader needs to know about it."""

    title: str
    subtitle: tuple[str, ...]  # lines under the title: period, filters, "generated at …"
    columns: tuple[ExportColumn, ...]
    rows: Iterable[dict[str, Any]]  # may be a generator of millions of rows
    currency: str  # ISO 4217 of every money value
    locale: str  # "en" or "zh_CN"


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What was written: how many rows, and whether the table had more than the limit."""

    rows: int
    truncated: bool


class ExternalResourceRefused(ValueError):
    """A PDF asked for a URL; reports render offline and never make the server fetch."""


def neutralise(text: str) -> str:
    """Text that a spreadsheet shows as text, never evaluates (OWASP CSV injection guard)."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


class Capped:
    """Yields at most `limit` rows, then notes whether the source had more (reading one)."""

    def __init__(self, rows: Iterable[dict[str, Any]], limit: int) -> None:
        if limit < 0:
            raise ValueError("An export limit cannot be negative")
        self._source = iter(rows)
        self._limit = limit
        self.count = 0
        self.truncated = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in itertools.islice(self._source, self._limit):
            self.count += 1
            yield row
        self.truncated = next(self._source, None) is not None

    def summary(self) -> ExportSummary:
        return ExportSummary(rows=self.count, truncated=self.truncated)


def safe_text(value: Any) -> str:
    """A value as safe spreadsheet text: no control characters, no formula start."""
    return neutralise(CONTROL.sub("", str(value)))


def heading(column: ExportColumn, currency: str) -> str:
    if column.type == "money":
        return f"{column.label} ({currency})"
    if column.type == "time":
        return f"{column.label} (UTC)"
    return column.label


def as_utc(value: datetime) -> datetime:
    # Storage is UTC; SQLite hands datetimes back naive, so naive means UTC here.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def exact_number(
    value: Decimal | int | float, column: ExportColumn, currency: str
) -> Decimal | None:
    """A figure as an exact Decimal (money to the currency's places); None if not finite."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return None
    if column.type == "money":
        number = number.quantize(Decimal(1).scaleb(-minor_exponent(currency)), ROUND_HALF_EVEN)
    return number


def is_number(value: Any, column: ExportColumn) -> bool:
    return (
        column.type in NUMERIC
        and isinstance(value, Decimal | int | float)
        and not isinstance(value, bool)
    )


def plain_text(value: Any, column: ExportColumn, currency: str) -> str:
    """A value as plain text, as a CSV holds it (numbers exact, times in UTC)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value, column):
        number = exact_number(value, column, currency)
        return "" if number is None else format(number, "f")
    if isinstance(value, datetime):
        moment = as_utc(value)
        return moment.date().isoformat() if column.type == "date" else f"{moment:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(value)


def display_width(text: str) -> int:
    # Chinese characters take two columns of a fixed-width grid.
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def babel_locale(locale: str) -> str:
    return "zh_Hans_CN" if normalise_locale(locale) == "zh_CN" else "en_US"


def count_text(number: int, locale: str) -> str:
    """A count as the reader's language writes it (1,234)."""
    return format_decimal(number, locale=babel_locale(locale))
