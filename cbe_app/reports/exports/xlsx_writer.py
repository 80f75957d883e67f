"""A report as an Excel workbook: the table from A1 under a frozen header, and an About sheet.

openpyxl's write-only mode streams the rows, so a large report never sits in memory.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cbe_app.core.i18n import N_, translate
from cbe_app.core.money import minor_exponent
from cbe_app.reports.exports.table import (
    NUMERIC,
    Capped,
    ExportColumn,
    ExportSummary,
    ExportTable,
    as_utc,
    count_text,
    display_width,
    exact_number,
    heading,
    is_number,
    plain_text,
    safe_text,
)

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

_XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows less the header
_XLSX_MAX_TEXT = 32_767  # Excel's longest cell text
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_WIDTH_SAMPLE = 200  # rows looked at to size the spreadsheet's columns
_XLSX_TRUNCATED = N_(
    "This workbook holds the first {count} rows of a longer report, as many as Excel allows; "
    "export CSV for all of them."
)
_ABOUT = N_("About")
_ROWS = N_("Rows")
_CURRENCY = N_("Currency")


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
    if is_number(value, column):
        return exact_number(value, column, currency)
    if isinstance(value, datetime):
        moment = as_utc(value)
        # Excel has no time zones: a naive UTC datetime, and the heading says UTC.
        return moment.date() if column.type == "date" else moment.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return safe_text(value)[:_XLSX_MAX_TEXT]


def _column_widths(table: ExportTable, sample: list[dict[str, Any]]) -> list[float]:
    fixed = {"date": 12, "time": 20, "bool": 8}
    widths = []
    for column in table.columns:
        longest = display_width(heading(column, table.currency)) + 2  # room for the filter
        if column.type in fixed:
            longest = max(longest, fixed[column.type])
        else:
            for row in sample:
                cell = plain_text(row.get(column.key), column, table.currency)
                # Thousands separators and the currency's places widen a figure a little.
                extra = len(cell) // 3 + 1 if column.type in NUMERIC else 0
                longest = max(longest, display_width(cell) + extra)
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
    cell = WriteOnlyCell(sheet, value=safe_text(text)[:_XLSX_MAX_TEXT])
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _write_about(workbook: Workbook, table: ExportTable, summary: ExportSummary) -> None:
    name = _sheet_title(translate(_ABOUT, table.locale), "About")
    if name.casefold() == workbook.worksheets[0].title.casefold():
        name = f"{name} (2)"
    sheet = workbook.create_sheet(name)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 60
    sheet.append([_text_cell(sheet, table.title, bold=True)])
    for line in table.subtitle:
        sheet.append([_text_cell(sheet, line)])
    sheet.append([])
    sheet.append([_text_cell(sheet, translate(_ROWS, table.locale)), summary.rows])
    sheet.append([_text_cell(sheet, translate(_CURRENCY, table.locale)), table.currency])
    if summary.truncated:
        note = translate(
            _XLSX_TRUNCATED, table.locale, count=count_text(summary.rows, table.locale)
        )
        sheet.append([_text_cell(sheet, note, bold=True)])


def write_xlsx(table: ExportTable, out: BinaryIO, *, limit: int = _XLSX_MAX_ROWS) -> ExportSummary:
    """Write an Excel workbook: the table from A1 under a frozen header, then an About sheet."""
    if limit > _XLSX_MAX_ROWS:
        raise ValueError(f"An XLSX sheet holds at most {_XLSX_MAX_ROWS} rows under its header")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(table.title))
    capped = Capped(table.rows, limit)
    rows = iter(capped)
    sample = list(itertools.islice(rows, _WIDTH_SAMPLE))
    # A write-only sheet takes widths and panes only before its first row.
    for index, width in enumerate(_column_widths(table, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, heading(c, table.currency), bold=True) for c in table.columns])
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
