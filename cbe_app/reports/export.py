"""A report's result table written as CSV, XLSX or PDF.

Pure: no database, no Reflex, no clock; the caller hands over rows (often a generator over a
server-side cursor) and a binary stream. CSV and XLSX stream, so a report of millions of rows
never sits in memory; a PDF is for reading, so it stops at a few thousand rows and says so.

Spreadsheets evaluate cells that look like formulas, and report cells hold text customers
typed (names, addresses, notes). Every text cell that could start a formula is therefore
neutralised with a leading apostrophe (the OWASP "CSV injection" guard); numbers we write
ourselves stay numbers. See docs/exports.md.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cbe_app.core.i18n import N_, catalog, normalise_locale
from cbe_app.core.money import minor_exponent
from cbe_app.reports.tiles import format_value

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

COLUMN_TYPES = frozenset(
    {"text", "number", "money", "percent", "ratio", "date", "time", "bool", "id"}
)
_NUMERIC = frozenset({"number", "money", "percent", "ratio"})
# OWASP: a cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
_FORMULA_STARTS = frozenset("=+-@\t\r")
# C0 controls other than tab, line feed and carriage return: illegal in XLSX's XML, noise in
# CSV, and a way to hide a formula behind an invisible first character.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CSV_CHUNK = 1 << 16  # characters buffered before one write to the output stream
_XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows less the header
_XLSX_MAX_TEXT = 32_767  # Excel's longest cell text
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_WIDTH_SAMPLE = 200  # rows looked at to size the spreadsheet's columns
_TEMPLATES = Path(__file__).resolve().parent / "templates"

_PDF_TRUNCATED = N_(
    "Showing the first {count} rows of a longer report; export CSV or XLSX for all of them."
)
_XLSX_TRUNCATED = N_(
    "This workbook holds the first {count} rows of a longer report, as many as Excel allows; "
    "export CSV for all of them."
)
_NO_ROWS = N_("No rows match this report.")
_PAGE = N_("Page {page} of {pages}")
_ABOUT = N_("About")
_ROWS = N_("Rows")
_CURRENCY = N_("Currency")
_YES = N_("Yes")
_NO = N_("No")


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
    return "'" + text if text[:1] in _FORMULA_STARTS else text


class _Capped:
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


def _translate(message_id: str, locale: str, **params: Any) -> str:
    text = catalog(normalise_locale(locale)).get(message_id) or message_id
    return text.format(**params) if params else text


def _text(value: Any) -> str:
    """A value as safe spreadsheet text: no control characters, no formula start."""
    return neutralise(_CONTROL.sub("", str(value)))


def _heading(column: ExportColumn, currency: str) -> str:
    if column.type == "money":
        return f"{column.label} ({currency})"
    if column.type == "time":
        return f"{column.label} (UTC)"
    return column.label


def _utc(value: datetime) -> datetime:
    # Storage is UTC; SQLite hands datetimes back naive, so naive means UTC here.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _number(value: Decimal | int | float, column: ExportColumn, currency: str) -> Decimal | None:
    """A figure as an exact Decimal (money to the currency's places); None if not finite."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return None
    if column.type == "money":
        number = number.quantize(Decimal(1).scaleb(-minor_exponent(currency)), ROUND_HALF_EVEN)
    return number


def _is_number(value: Any, column: ExportColumn) -> bool:
    return (
        column.type in _NUMERIC
        and isinstance(value, Decimal | int | float)
        and not isinstance(value, bool)
    )


# --- CSV ---------------------------------------------------------------------------------


def _csv_cell(value: Any, column: ExportColumn, currency: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value, column):
        number = _number(value, column, currency)
        return "" if number is None else format(number, "f")
    if isinstance(value, datetime):
        moment = _utc(value)
        return moment.date().isoformat() if column.type == "date" else f"{moment:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return value.isoformat()
    return _text(value)


def write_csv(
    table: ExportTable, out: BinaryIO, *, limit: int = 1_000_000, header: bool = True
) -> ExportSummary:
    """Write UTF-8 CSV with a byte-order mark (so Excel reads Chinese), streaming the rows.

    `header=False` writes rows only (no mark, no heading row), to append a later batch to a
    file a job is writing in steps.
    """
    capped = _Capped(table.rows, limit)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        out.write(codecs.BOM_UTF8)
        writer.writerow([_text(_heading(c, table.currency)) for c in table.columns])
    for row in capped:
        writer.writerow([_csv_cell(row.get(c.key), c, table.currency) for c in table.columns])
        if buffer.tell() >= _CSV_CHUNK:
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode("utf-8"))
    return capped.summary()


# --- XLSX --------------------------------------------------------------------------------


def _sheet_title(title: str, fallback: str = "Report") -> str:
    """A legal Excel sheet name: 31 characters, none of []:*?/\\, no apostrophe at the ends."""
    name = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split()).strip("'")[:31].strip().strip("'")
    # "History" is reserved by Excel for change tracking.
    return name if name and name.casefold() != "history" else fallback


def _number_format(column: ExportColumn, currency: str) -> str | None:
    if column.type == "money":
        places = minor_exponent(currency)
        return "#,##0" + ("." + "0" * places if places else "")
    return {
        "percent": "0.0%",
        "ratio": "0.00",
        "date": "yyyy-mm-dd",
        "time": "yyyy-mm-dd hh:mm:ss",
    }.get(column.type)


def _xlsx_value(value: Any, column: ExportColumn, currency: str) -> Any:
    """A cell value openpyxl writes natively; text is returned as `str` (forced to 's')."""
    if value is None or isinstance(value, bool):
        return value
    if _is_number(value, column):
        return _number(value, column, currency)
    if isinstance(value, datetime):
        moment = _utc(value)
        # Excel has no time zones: a naive UTC datetime, and the heading says UTC.
        return moment.date() if column.type == "date" else moment.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return _text(value)[:_XLSX_MAX_TEXT]


def _display_width(text: str) -> int:
    # Chinese characters take two columns of a fixed-width grid.
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_widths(table: ExportTable, sample: list[dict[str, Any]]) -> list[float]:
    fixed = {"date": 12, "time": 20, "bool": 8}
    widths = []
    for column in table.columns:
        longest = _display_width(_heading(column, table.currency)) + 2  # room for the filter
        if column.type in fixed:
            longest = max(longest, fixed[column.type])
        else:
            for row in sample:
                cell = _csv_cell(row.get(column.key), column, table.currency)
                # Thousands separators and the currency's places widen a figure a little.
                extra = len(cell) // 3 + 1 if column.type in _NUMERIC else 0
                longest = max(longest, _display_width(cell) + extra)
        widths.append(min(max(longest, 8), 60) + 1.5)
    return widths


class _XlsxRow:
    """One reusable cell per column, styled once; each row only sets the values."""

    def __init__(self, sheet: WriteOnlyWorksheet, table: ExportTable) -> None:
        self._table = table
        self._cells = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet)
            cell.number_format = _number_format(column, table.currency) or "General"
            self._cells.append(cell)

    def fill(self, row: dict[str, Any]) -> list[Any]:
        values: list[Any] = []
        for column, cell in zip(self._table.columns, self._cells, strict=True):
            value = _xlsx_value(row.get(column.key), column, self._table.currency)
            if value is None:
                values.append(None)
                continue
            cell.value = value
            if isinstance(value, str):
                # openpyxl would store "=…" as a formula and "#N/A" as an error: force text.
                cell.data_type = "s"
            values.append(cell)
        return values


def _text_cell(sheet: WriteOnlyWorksheet, text: str, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_text(text)[:_XLSX_MAX_TEXT])
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _write_about(workbook: Workbook, table: ExportTable, summary: ExportSummary) -> None:
    name = _sheet_title(_translate(_ABOUT, table.locale), "About")
    if name.casefold() == workbook.worksheets[0].title.casefold():
        name = f"{name} (2)"
    sheet = workbook.create_sheet(name)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 60
    sheet.append([_text_cell(sheet, table.title, bold=True)])
    for line in table.subtitle:
        sheet.append([_text_cell(sheet, line)])
    sheet.append([])
    sheet.append([_text_cell(sheet, _translate(_ROWS, table.locale)), summary.rows])
    sheet.append([_text_cell(sheet, _translate(_CURRENCY, table.locale)), table.currency])
    if summary.truncated:
        note = _translate(_XLSX_TRUNCATED, table.locale, count=_count(summary.rows, table.locale))
        sheet.append([_text_cell(sheet, note, bold=True)])


def write_xlsx(table: ExportTable, out: BinaryIO, *, limit: int = _XLSX_MAX_ROWS) -> ExportSummary:
    """Write an Excel workbook: the table from A1 under a frozen header, then an About sheet."""
    if limit > _XLSX_MAX_ROWS:
        raise ValueError(f"An XLSX sheet holds at most {_XLSX_MAX_ROWS} rows under its header")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(table.title))
    capped = _Capped(table.rows, limit)
    rows = iter(capped)
    sample = list(itertools.islice(rows, _WIDTH_SAMPLE))
    # A write-only sheet takes widths and panes only before its first row.
    for index, width in enumerate(_column_widths(table, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, _heading(c, table.currency), bold=True) for c in table.columns])
    cells = _XlsxRow(sheet, table)
    for row in itertools.chain(sample, rows):
        sheet.append(cells.fill(row))
    if table.columns:
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A1:{last}{capped.count + 1}"
    summary = capped.summary()
    _write_about(workbook, table, summary)
    workbook.save(out)
    return summary


# --- PDF ---------------------------------------------------------------------------------


def _count(number: int, locale: str) -> str:
    return format_decimal(number, locale=_babel_locale(locale))


def _babel_locale(locale: str) -> str:
    return "zh_Hans_CN" if normalise_locale(locale) == "zh_CN" else "en_US"


def _pdf_cell(value: Any, column: ExportColumn, currency: str, locale: str) -> str:
    if _is_number(value, column):
        number = _number(value, column, currency)
        return format_value(number, column.type, currency, locale) if number is not None else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _translate(_YES if value else _NO, locale)
    if isinstance(value, datetime):
        moment = _utc(value)
        day = format_date(moment.date(), "medium", locale=_babel_locale(locale))
        return day if column.type == "date" else f"{day} {moment:%H:%M}"
    if isinstance(value, date):
        return format_date(value, "medium", locale=_babel_locale(locale))
    return str(value)


def _css_string(text: str) -> str:
    """A quoted CSS string; every character that could end it or the <style> is escaped."""
    return (
        '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text) + '"'
    )


def _page_counter(locale: str) -> Markup:
    """The CSS `content` of "Page N of M" in the reader's language, built from page counters."""
    parts = re.split(r"(\{page\}|\{pages\})", _translate(_PAGE, locale))
    tokens = []
    for part in parts:
        if part in ("{page}", "{pages}"):
            tokens.append(f"counter({part[1:-1]})")
        elif part:
            tokens.append(_css_string(part))
    return Markup(" ".join(tokens))  # noqa: S704 - built only from escaped CSS strings


def _css_class(column: ExportColumn) -> str:
    if column.type in _NUMERIC:
        return "num"
    return "keep" if column.type in {"id", "date", "time", "bool"} else "text"


@functools.cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(_TEMPLATES), autoescape=True, undefined=StrictUndefined
    )


@dataclass(frozen=True, slots=True)
class _Page:
    landscape: bool
    font_size: float  # pt
    width_mm: float  # A4 less the side margins


def _page_for(columns: int) -> _Page:
    landscape = columns > 6
    font_size = 9.0 if columns <= 6 else 8.0 if columns <= 10 else 7.0
    return _Page(landscape, font_size, (297.0 if landscape else 210.0) - 24.0)


_MIN_TEXT_MM = 18.0  # narrower, a text column is unreadable


def _column_needs(
    columns: tuple[ExportColumn, ...], headings: list[str], cells: list[list[str]], *, roomy: bool
) -> list[int]:
    """The widest cell of each column in character cells (text capped: long notes wrap)."""
    needs = []
    for index, column in enumerate(columns):
        heading = headings[index]
        # A heading may wrap between words; when there is room, a short one stays on one line.
        widest = max((_display_width(word) for word in heading.split()), default=0)
        if roomy:
            widest = max(widest, min(_display_width(heading), 18))
        for row in cells:
            widest = max(widest, _display_width(row[index]))
        needs.append(min(widest, 45) if column.type == "text" else widest)
    return needs


def _pdf_widths(
    columns: tuple[ExportColumn, ...], headings: list[str], cells: list[list[str]], layout: _Page
) -> list[str]:
    """Column widths in percent for a fixed table layout, measured from every shown cell.

    WeasyPrint's automatic table layout re-measures every cell of the table on every page:
    quadratic, minutes for 5,000 rows. A fixed layout with measured widths is linear.
    Figures, ids and dates get all they need (they never wrap); text shares the rest.
    """
    # A glyph of figures, capitals or bold headings is up to ~0.6 em wide; 1 pt = 0.3528 mm;
    # 5 mm is the cell's padding and a little slack.
    char_mm = layout.font_size * 0.6 * 0.3528
    is_text = [c.type == "text" for c in columns]
    for roomy in (True, False):
        needs = [n * char_mm + 5.0 for n in _column_needs(columns, headings, cells, roomy=roomy)]
        kept = sum(n for n, text in zip(needs, is_text, strict=True) if not text)
        least = sum(min(n, _MIN_TEXT_MM) for n, text in zip(needs, is_text, strict=True) if text)
        if kept + least <= layout.width_mm:
            break
    wanted = sum(n for n, text in zip(needs, is_text, strict=True) if text)
    # Text wraps, so it gives way (down to its minimum) and takes whatever room is left.
    scale = max(layout.width_mm - kept, least) / wanted if wanted else 1.0
    widths = [
        max(n * scale, min(n, _MIN_TEXT_MM)) if text else n
        for n, text in zip(needs, is_text, strict=True)
    ]
    return [f"{100 * w / sum(widths):.2f}" for w in widths]


def export_html(table: ExportTable, *, limit: int = 5_000) -> tuple[str, ExportSummary]:
    """The printable HTML of a table (at most `limit` rows) and what it holds."""
    locale = normalise_locale(table.locale)
    capped = _Capped(table.rows, limit)
    body = [
        [_pdf_cell(row.get(c.key), c, table.currency, locale) for c in table.columns]
        for row in capped
    ]
    layout = _page_for(len(table.columns))
    headings = [_heading(c, table.currency) for c in table.columns]
    note = _translate(_PDF_TRUNCATED, locale, count=_count(limit, locale))
    html = (
        _templates()
        .get_template("export_table.html")
        .render(
            lang="zh-Hans" if locale == "zh_CN" else "en",
            title=table.title,
            subtitle=table.subtitle,
            headings=headings,
            classes=[_css_class(c) for c in table.columns],
            widths=_pdf_widths(table.columns, headings, body, layout),
            body=body,
            landscape=layout.landscape,
            font_size=layout.font_size,
            page_counter=_page_counter(locale),
            empty=_translate(_NO_ROWS, locale),
            note=note if capped.truncated else "",
        )
    )
    return html, capped.summary()


@functools.cache
def _offline_fetcher_class() -> type[Any]:
    from weasyprint.urls import URLFetcher  # WeasyPrint takes a second to import: only for PDFs

    class OfflineFetcher(URLFetcher):  # type: ignore[misc]
        """Refuses every URL: a report needs nothing external, and must not reach the network."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ExternalResourceRefused(f"Reports never fetch {url[:200]!r}")

    return OfflineFetcher


def offline_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every URL (raises ExternalResourceRefused)."""
    return _offline_fetcher_class()()


def render_pdf(html: str, out: BinaryIO) -> None:
    """Render HTML to PDF without fetching anything (no network, no files, no data: URLs)."""
    from weasyprint import HTML

    HTML(string=html, base_url=None, url_fetcher=offline_fetcher()).write_pdf(target=out)


def write_pdf(table: ExportTable, out: BinaryIO, *, limit: int = 5_000) -> ExportSummary:
    """Write an A4 PDF for reading and printing, with at most `limit` rows."""
    html, summary = export_html(table, limit=limit)
    render_pdf(html, out)
    return summary
