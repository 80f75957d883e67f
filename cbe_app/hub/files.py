"""Reading what operators hand the hub: provider response bodies (JSON) and CSV/XLSX files."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.hub.providers.csvfile.mapper import COLUMNS, read_csv

MAX_FILE_BYTES = 200 * 1024 * 1024


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else value


def _unreadable(path: Path, problem: str) -> ValidationFailed:
    return ValidationFailed({"file": problem}, N_("Cannot read {file}."), file=str(path))


def _xlsx_table(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        table = []
        for number, values in enumerate(rows, start=2):
            if any(v not in (None, "") for v in values):
                table.append(
                    {**dict(zip(header, map(_cell, values), strict=False)), "_row": number}
                )
        return header, table
    finally:
        workbook.close()


def read_xlsx(path: Path) -> list[dict[str, Any]]:
    """The first sheet's rows as dicts keyed by the header row, numbered like the sheet (from 2)."""
    return _xlsx_table(path)[1]


def _require_columns(path: Path, header: list[str]) -> None:
    # The CLI has no column mapping (the UI builds one): a file without our columns would
    # otherwise quarantine every row for the same reason instead of saying it once.
    if not any(header):
        raise _unreadable(path, N_("The file is empty."))
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise _unreadable(
            path,
            f"no column {', '.join(missing)} in the first row "
            f"(a file import needs the columns {', '.join(COLUMNS)})",
        )


def _read_table(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            header, rows = _xlsx_table(path)
        except (BadZipFile, InvalidFileException, KeyError) as exc:
            # openpyxl reports a damaged or renamed file as a zip or package error.
            raise _unreadable(path, f"not an Excel workbook (.xlsx): {exc}") from None
        _require_columns(path, header)
        return rows
    content = path.read_text(encoding="utf-8-sig", errors="replace")
    try:
        header = [h.strip() for h in next(csv.reader(io.StringIO(content)), [])]
        _require_columns(path, header)
        return read_csv(content)
    except csv.Error as exc:  # NUL bytes and the like: a binary file named .csv
        raise _unreadable(path, f"not a CSV file: {exc}") from None


def read_payload(provider: str, path: Path) -> Any:
    """The file's content as its mapper expects it; a clear error when it cannot be read."""
    if not path.is_file():
        problem = N_("This is a folder, not a file.") if path.is_dir() else N_("No such file.")
        raise _unreadable(path, problem)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _unreadable(path, N_("The file is larger than 200 MB."))
    if provider == "csv":
        return _read_table(path)
    try:
        return json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        raise _unreadable(path, problem) from None
    except UnicodeDecodeError:  # a ValueError whose text names no file: say what it means
        raise _unreadable(path, "not valid JSON: the file is not UTF-8 text") from None
