"""A report as CSV: UTF-8 with a byte-order mark (so Excel reads Chinese), streamed."""

from __future__ import annotations

import codecs
import csv
import io
from typing import BinaryIO

from cbe_app.reports.exports.table import (
    Capped,
    ExportSummary,
    ExportTable,
    heading,
    plain_text,
    safe_text,
)

_CSV_CHUNK = 1 << 16  # characters buffered before one write to the output stream


def write_csv(
    table: ExportTable, out: BinaryIO, *, limit: int = 1_000_000, header: bool = True
) -> ExportSummary:
    """Write UTF-8 CSV with a byte-order mark (so Excel reads Chinese), streaming the rows.

    `header=False` writes rows only (no mark, no heading row), to append a later batch to a
    file a job is writing in steps.
    """
    capped = Capped(table.rows, limit)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        out.write(codecs.BOM_UTF8)
        writer.writerow([safe_text(heading(c, table.currency)) for c in table.columns])
    for row in capped:
        writer.writerow([plain_text(row.get(c.key), c, table.currency) for c in table.columns])
        if buffer.tell() >= _CSV_CHUNK:
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode("utf-8"))
    return capped.summary()
