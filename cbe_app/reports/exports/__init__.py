"""A report's result table written as CSV, XLSX or PDF (see docs/exports.md).

CSV and XLSX stream, so a report of millions of rows never sits in memory; a PDF is for
reading, so it stops at a few thousand rows and says so.
"""

from cbe_app.reports.exports.csv_writer import write_csv
from cbe_app.reports.exports.pdf_writer import export_html, offline_fetcher, render_pdf, write_pdf
from cbe_app.reports.exports.table import (
    COLUMN_TYPES,
    ExportColumn,
    ExportSummary,
    ExportTable,
    ExternalResourceRefused,
    neutralise,
)
from cbe_app.reports.exports.xlsx_writer import write_xlsx

__all__ = [
    "COLUMN_TYPES",
    "ExportColumn",
    "ExportSummary",
    "ExportTable",
    "ExternalResourceRefused",
    "export_html",
    "neutralise",
    "offline_fetcher",
    "render_pdf",
    "write_csv",
    "write_pdf",
    "write_xlsx",
]
