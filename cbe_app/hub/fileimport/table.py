"""Reading a spreadsheet the way sellers save them: CSV in UTF-8 or GB18030 (what Excel in
China writes) or UTF-16 (Google Ads' "Excel CSV"), comma, semicolon or tab separated, or the
first sheet of an XLSX workbook.

Rows are dicts keyed by the header row, numbered like the sheet, so every problem can name the
row a person should look at. The header is the first row, unless the file opens with title
lines of one cell each (Google Ads puts the report's name and dates above its header).
"""

from __future__ import annotations

import csv
import io
import itertools
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_

MAX_FILE_BYTES = 200 * 1024 * 1024
_TITLE_LINES = 5  # at most this many one-cell lines may come before the header
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Table:
    """The header and some (or all) rows of a file."""

    headers: list[str]
    rows: list[Row]


def _unreadable(name: str, problem: str) -> ValidationFailed:
    return ValidationFailed({"file": problem}, N_("Cannot read {file}."), file=name)


def store_upload(folder: Path, filename: str, content: bytes) -> Path:
    """Keep an uploaded file under `folder` with a name of our own; refuses what cannot be a
    spreadsheet or is too big, saying why."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise _unreadable(filename, N_("Choose a .csv or .xlsx file."))
    if len(content) > MAX_FILE_BYTES:
        raise _unreadable(filename, N_("The file is larger than 200 MB."))
    if not content.strip():
        raise _unreadable(filename, N_("The file is empty."))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(content)
    return path


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    lines = sample.splitlines()
    for skip in range(min(_TITLE_LINES, len(lines) - 1) + 1):  # title lines confuse the sniffer
        try:
            return csv.Sniffer().sniff("\n".join(lines[skip:]), delimiters=",;\t|")
        except csv.Error:
            continue
    return csv.excel


def _filled(cells: Sequence[Any]) -> int:
    return sum(1 for c in cells if c is not None and str(c).strip())


def _header(rows: Iterator[Sequence[Any]]) -> tuple[int, list[str], Iterator[Sequence[Any]]]:
    """The sheet row number of the header, its names, and the rows after it."""
    opening: list[Sequence[Any]] = []
    for cells in rows:
        opening.append(cells)
        if _filled(cells) != 1 or len(opening) > _TITLE_LINES:
            break
    at = len(opening) - 1 if opening and _filled(opening[-1]) > 1 else 0
    names = [str(h).strip() if h is not None else "" for h in opening[at]] if opening else []
    return at + 1, names, itertools.chain(opening[at + 1 :], rows)


def _csv_rows(path: Path) -> tuple[int, list[str], Iterator[Sequence[Any]]]:
    text = _decode(path.read_bytes())
    return _header(csv.reader(io.StringIO(text), _dialect(text[:8192])))


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else value


@contextmanager
def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str], Iterator[Sequence[Any]]]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise _unreadable(path.name, N_("This is not an Excel workbook (.xlsx).")) from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        yield _header(iter([_cell(v) for v in values] for values in rows))
    finally:
        workbook.close()  # a read-only workbook keeps its file open until closed


@contextmanager
def _rows(path: Path) -> Iterator[tuple[int, list[str], Iterator[Sequence[Any]]]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with _xlsx_rows(path) as found:
            yield found
    else:
        yield _csv_rows(path)


def read_table(path: Path, limit: int | None = None) -> Table:
    """The file's header and its non-blank rows (the first `limit` of them when given)."""
    if not path.is_file():
        raise _unreadable(path.name, N_("No such file."))
    rows: list[Row] = []
    with _rows(path) as (at, headers, values):
        if not any(headers):
            raise _unreadable(path.name, N_("The first row must name the columns."))
        for number, cells in enumerate(values, start=at + 1):
            if not any(str(c).strip() for c in cells):
                continue
            rows.append({**dict(zip(headers, cells, strict=False)), "_row": number})
            if limit is not None and len(rows) >= limit:
                break
    return Table([h for h in headers if h], rows)
