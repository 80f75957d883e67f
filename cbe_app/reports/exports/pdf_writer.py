"""A report as a PDF for reading and printing: HTML from a Jinja2 template, then WeasyPrint.

Nothing external is fetched while rendering (`offline_fetcher`): a report must never make the
server reach a URL. A PDF stops at a few thousand rows and says so.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from cbe_app.core.i18n import N_, normalise_locale, translate
from cbe_app.reports.exports.table import (
    NO,
    NUMERIC,
    YES,
    Capped,
    ExportColumn,
    ExportSummary,
    ExportTable,
    ExternalResourceRefused,
    as_utc,
    babel_locale,
    count_text,
    display_width,
    exact_number,
    heading,
    is_number,
)
from cbe_app.reports.tiles import format_value

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_PDF_TRUNCATED = N_(
    "Showing the first {count} rows of a longer report; export CSV or XLSX for all of them."
)
_NO_ROWS = N_("No rows match this report.")
_PAGE = N_("Page {page} of {pages}")


def _pdf_cell(value: Any, column: ExportColumn, currency: str, locale: str) -> str:
    if is_number(value, column):
        number = exact_number(value, column, currency)
        return format_value(number, column.type, currency, locale) if number is not None else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return translate(YES if value else NO, locale)
    if isinstance(value, datetime):
        moment = as_utc(value)
        day = format_date(moment.date(), "medium", locale=babel_locale(locale))
        return day if column.type == "date" else f"{day} {moment:%H:%M}"
    if isinstance(value, date):
        return format_date(value, "medium", locale=babel_locale(locale))
    return str(value)


def _css_string(text: str) -> str:
    """A quoted CSS string; every character that could end it or the <style> is escaped."""
    return (
        '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text) + '"'
    )


def _page_counter(locale: str) -> Markup:
    """The CSS `content` of "Page N of M" in the reader's language, built from page counters."""
    parts = re.split(r"(\{page\}|\{pages\})", translate(_PAGE, locale))
    tokens = []
    for part in parts:
        if part in ("{page}", "{pages}"):
            tokens.append(f"counter({part[1:-1]})")
        elif part:
            tokens.append(_css_string(part))
    return Markup(" ".join(tokens))  # noqa: S704 - built only from escaped CSS strings


def _css_class(column: ExportColumn) -> str:
    if column.type in NUMERIC:
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
        widest = max((display_width(word) for word in heading.split()), default=0)
        if roomy:
            widest = max(widest, min(display_width(heading), 18))
        for row in cells:
            widest = max(widest, display_width(row[index]))
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
    capped = Capped(table.rows, limit)
    body = [
        [_pdf_cell(row.get(c.key), c, table.currency, locale) for c in table.columns]
        for row in capped
    ]
    layout = _page_for(len(table.columns))
    headings = [heading(c, table.currency) for c in table.columns]
    note = translate(_PDF_TRUNCATED, locale, count=count_text(limit, locale))
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
            empty=translate(_NO_ROWS, locale),
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
