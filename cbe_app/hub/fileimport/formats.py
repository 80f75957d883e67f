"""What a file can hold: orders or ad spend, each with its columns, its mapper and its records.

The person first says which; everything after (matching columns, the preview, the import job,
its quarantine) is the same path for both, through the format's provider: `csv` for orders,
`adspend` for ad spend, each with its own import account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.hub.canonical import MapResult
from cbe_app.hub.fileimport.adspend_columns import AD_SPEND_FIELDS, guess_constants
from cbe_app.hub.fileimport.columns import FIELDS, ImportField, guess_mapping
from cbe_app.hub.fileimport.table import read_table
from cbe_app.hub.providers.adspend import mapper as adspend
from cbe_app.hub.providers.csvfile import mapper as csvfile

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ImportFormat:
    """One kind of file the hub imports."""

    key: str
    label: str  # a message id
    provider: str  # whose mapper reads the rows, and whose import account records them
    fields: tuple[ImportField, ...]
    map_rows: Callable[[Iterable[Row]], MapResult]
    record_of: Callable[[Row], str]  # rows with the same (non-empty) value are one record
    guess_constants: Callable[[Sequence[str]], dict[str, str]]


def _none(_headers: Sequence[str]) -> dict[str, str]:
    return {}


def _order_of(row: Row) -> str:
    return str(row.get("external_id") or "").strip()


ORDERS = ImportFormat(
    "orders", N_("Orders"), csvfile.PROVIDER, FIELDS, csvfile.map_rows, _order_of, _none
)
AD_SPEND = ImportFormat(
    "ad_spend",
    N_("Ad spend"),
    adspend.PROVIDER,
    AD_SPEND_FIELDS,
    adspend.map_rows,
    adspend.held_key,
    guess_constants,
)
FORMATS: dict[str, ImportFormat] = {f.key: f for f in (ORDERS, AD_SPEND)}


def import_format(key: str) -> ImportFormat:
    """The format called `key`, or `ValidationFailed` when there is none."""
    found = FORMATS.get(key)
    if found is None:
        raise ValidationFailed({"kind": N_("Choose what the file holds.")})
    return found


def usable_constants(
    fmt: ImportFormat, mapping: Mapping[str, str], constants: Mapping[str, str]
) -> dict[str, str]:
    """The typed values that stand in for a column: of fields that allow one, with no column
    chosen (a chosen column wins)."""
    allowed = {f.key for f in fmt.fields if f.constant}
    return {
        key: value.strip()
        for key, value in constants.items()
        if key in allowed and value.strip() and not mapping.get(key)
    }


def rename(
    rows: Iterable[Row], mapping: Mapping[str, str], constants: Mapping[str, str]
) -> list[Row]:
    """Rows with the file's columns renamed to ours, and each constant as a column of its own."""
    renamed = csvfile.apply_mapping(rows, mapping)
    if constants:
        for row in renamed:
            row.update(constants)
    return renamed


def group_rows(fmt: ImportFormat, rows: Iterable[Row]) -> list[list[Row]]:
    """The rows of each record, in the order of each record's first row (the rows of an order
    need not be next to each other in the sheet); a row that names no record stays a record of
    its own, so that it reaches quarantine with its reason."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(fmt.record_of(row) or f"\0row {row['_row']}", []).append(row)
    return list(groups.values())


def read_rows(path: Path, fmt: ImportFormat) -> list[Row]:
    """Every row of a file in our columns, matched by the guess alone (the command line has no
    one to ask); `ValidationFailed` names the columns it cannot find."""
    table = read_table(path)
    mapping = guess_mapping(table.headers, fmt.fields)
    constants = usable_constants(fmt, mapping, fmt.guess_constants(table.headers))
    missing = [
        f.key for f in fmt.fields if f.required and f.key not in mapping and f.key not in constants
    ]
    if missing:
        known = ", ".join(f.key for f in fmt.fields if f.required)
        raise ValidationFailed(
            {
                "file": f"no column {', '.join(missing)} in the first row (name the columns "
                f"{known}, or as a known tool's export does)"
            },
            N_("Cannot read {file}."),
            file=str(path),
        )
    return rename(table.rows, mapping, constants)
