"""Exports read back the way their readers read them: csv, openpyxl, a PDF's text."""

from __future__ import annotations

import csv
import io
import socket
import weakref
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from babel.messages.extract import extract_from_file
from pypdf import PdfReader

from cbe_app.config import PROJECT_ROOT
from cbe_app.core.i18n import catalog
from cbe_app.reports.exports import (
    ExportColumn,
    ExportTable,
    ExternalResourceRefused,
    export_html,
    neutralise,
    offline_fetcher,
    render_pdf,
    write_csv,
    write_pdf,
    write_xlsx,
)

HOSTILE = ["=1+2", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://evil")']
COLUMNS = (
    ExportColumn("order", "Order", "id"),
    ExportColumn("created", "Created", "time"),
    ExportColumn("customer", "客户", "text"),
    ExportColumn("total", "Order total", "money"),
    ExportColumn("margin", "Margin", "percent"),
    ExportColumn("shipped", "Shipped on", "date"),
    ExportColumn("paid", "Paid", "bool"),
    ExportColumn("units", "Units", "number"),
)
CREATED = datetime(2026, 3, 1, 14, 5, tzinfo=UTC)


def orders(count: int = 40) -> Iterator[dict[str, Any]]:
    names = ["Anna Müller", "王小明", "=cmd|' /C calc'!A0", "李华 (深圳跨境电商)"]
    for i in range(count):
        yield {
            "order": f"#{100200 + i}",
            "created": CREATED + timedelta(hours=7 * i),
            "customer": names[i % len(names)],
            "total": Decimal("1234.50") if i % 3 else Decimal("-12.5"),
            "margin": Decimal("0.25"),
            "shipped": date(2026, 3, 2) if i % 2 else None,
            "paid": i % 2 == 0,
            "units": i,
        }


def table(rows: Any = None, *, locale: str = "en", **changes: Any) -> ExportTable:
    values: dict[str, Any] = {
        "title": "Orders in March — 三月订单",
        "subtitle": ("Period: March 2026", "Generated 2026-04-01 08:00 UTC"),
        "columns": COLUMNS,
        "rows": orders() if rows is None else rows,
        "currency": "USD",
        "locale": locale,
    }
    return ExportTable(**(values | changes))


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- the injection guard -----------------------------------------------------------------


def test_neutralise_quotes_every_formula_start_and_nothing_else() -> None:
    for text in HOSTILE:
        assert neutralise(text) == "'" + text
    for text in ("", "Anna", "#100200", "12.50", " =1", "'quoted", "王小明"):
        assert neutralise(text) == text


# --- CSV ---------------------------------------------------------------------------------


def test_csv_round_trip() -> None:
    out = io.BytesIO()
    summary = write_csv(table(), out)
    assert (summary.rows, summary.truncated) == (40, False)
    rows = csv_rows(out.getvalue())
    assert rows[0] == [
        "Order",
        "Created (UTC)",
        "客户",
        "Order total (USD)",
        "Margin",
        "Shipped on",
        "Paid",
        "Units",
    ]
    assert rows[1] == [
        "#100200",
        "2026-03-01 14:05:00",
        "Anna Müller",
        "-12.50",
        "0.25",
        "",
        "true",
        "0",
    ]
    assert rows[2][1:] == [
        "2026-03-01 21:05:00",
        "王小明",
        "1234.50",
        "0.25",
        "2026-03-02",
        "false",
        "1",
    ]
    assert rows[3][2] == "'=cmd|' /C calc'!A0"
    assert len(rows) == 41


def test_csv_neutralises_text_cells_headings_and_hidden_formula_starts() -> None:
    columns = (ExportColumn("a", "=label", "text"), ExportColumn("b", "B", "number"))
    rows = [{"a": text, "b": Decimal(-1)} for text in [*HOSTILE, "\x01=1+2", "\x00@x"]]
    out = io.BytesIO()
    write_csv(table(iter(rows), columns=columns), out)
    parsed = csv_rows(out.getvalue())
    assert parsed[0] == ["'=label", "B"]
    assert [r[0] for r in parsed[1:]] == ["'" + t for t in HOSTILE] + ["'=1+2", "'@x"]
    assert {r[1] for r in parsed[1:]} == {"-1"}  # our own numbers stay numbers


def test_csv_numbers_are_plain_and_money_has_the_currency_places() -> None:
    columns = (
        ExportColumn("m", "Amount", "money"),
        ExportColumn("n", "Number", "number"),
        ExportColumn("r", "Ratio", "ratio"),
    )
    rows = [
        {"m": Decimal("1E+3"), "n": Decimal("1E-7"), "r": 0.1},
        {"m": Decimal("2.5"), "n": Decimal("NaN"), "r": Decimal("Infinity")},
        {"m": 7, "n": None, "r": None},
    ]
    out = io.BytesIO()
    write_csv(table(iter(rows), columns=columns, currency="JPY"), out)
    parsed = csv_rows(out.getvalue())
    assert parsed[0][0] == "Amount (JPY)"
    assert parsed[1:] == [["1000", "0.0000001", "0.1"], ["2", "", ""], ["7", "", ""]]


def test_times_are_utc_whatever_zone_they_come_in() -> None:
    shanghai = timezone(timedelta(hours=8))
    columns = (ExportColumn("t", "At", "time"), ExportColumn("d", "Day", "date"))
    rows = [
        {"t": datetime(2026, 3, 1, 8, 0, tzinfo=shanghai), "d": datetime(2026, 3, 1, 1, 0)},
        {"t": datetime(2026, 3, 1, 8, 0), "d": date(2026, 3, 2)},  # naive: stored UTC
    ]
    out = io.BytesIO()
    write_csv(table(iter(rows), columns=columns), out)
    assert csv_rows(out.getvalue())[1:] == [
        ["2026-03-01 00:00:00", "2026-03-01"],
        ["2026-03-01 08:00:00", "2026-03-02"],
    ]


def test_csv_batches_append_to_one_file() -> None:
    out = io.BytesIO()
    write_csv(table(orders(3)), out)
    write_csv(table(list(orders(5))[3:]), out, header=False)
    rows = csv_rows(out.getvalue())
    assert out.getvalue().count(b"\xef\xbb\xbf") == 1
    assert [r[0] for r in rows] == ["Order"] + [f"#{100200 + i}" for i in range(5)]


def test_limit_stops_early_and_reads_only_one_row_past_it() -> None:
    pulled = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for row in orders(100):
            pulled += 1
            yield row

    summary = write_csv(table(counted()), io.BytesIO(), limit=10)
    assert (summary.rows, summary.truncated, pulled) == (10, True, 11)
    exact = write_csv(table(orders(10)), io.BytesIO(), limit=10)
    assert (exact.rows, exact.truncated) == (10, False)


def test_unknown_column_types_are_refused() -> None:
    with pytest.raises(ValueError, match="currency"):
        ExportColumn("x", "X", "currency")


# --- XLSX --------------------------------------------------------------------------------


def test_xlsx_round_trip() -> None:
    out = io.BytesIO()
    summary = write_xlsx(table(), out)
    assert (summary.rows, summary.truncated) == (40, False)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["Orders in March — 三月订单", "About"]
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:H41"
    header = [c.value for c in sheet[1]]
    assert header == [
        "Order",
        "Created (UTC)",
        "客户",
        "Order total (USD)",
        "Margin",
        "Shipped on",
        "Paid",
        "Units",
    ]
    assert all(c.font.b for c in sheet[1])
    order, created, customer, total, margin, shipped, paid, units = sheet[3]
    assert (order.value, order.data_type) == ("#100201", "s")
    assert created.value == datetime(2026, 3, 1, 21, 5) and created.is_date
    assert customer.value == "王小明"
    assert total.value == 1234.5 and total.data_type == "n"
    assert total.number_format == "#,##0.00"
    assert margin.value == 0.25 and margin.number_format == "0.0%"
    assert shipped.value == datetime(2026, 3, 2) and shipped.number_format == "yyyy-mm-dd"
    assert paid.value is False and paid.data_type == "b"
    assert units.value == 1 and units.data_type == "n"
    assert sheet["D2"].value == -12.5  # a negative amount is a number, never neutralised
    assert sheet["C4"].value == "'=cmd|' /C calc'!A0" and sheet["C4"].data_type == "s"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width


def test_xlsx_hostile_cells_come_back_as_text_never_formulas() -> None:
    columns = (ExportColumn("a", "@label", "text"), ExportColumn("b", "B", "id"))
    texts = [*HOSTILE, "\x01=1+2", "#N/A", "#DIV/0!"]
    rows = [{"a": text, "b": text} for text in texts]
    out = io.BytesIO()
    write_xlsx(table(iter(rows), columns=columns, title='=HYPERLINK("x")'), out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    sheet = book.worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    about = [c for row in book["About"].iter_rows() for c in row if c.value is not None]
    assert {c.data_type for c in cells + about} <= {"s", "n"}
    assert sheet["A1"].value == "'@label"
    # XML reads a carriage return back as a line feed; the cell is still quoted.
    expected = ["'" + t.replace("\r", "\n") for t in HOSTILE] + ["'=1+2", "#N/A", "#DIV/0!"]
    assert [c.value for c in sheet["A"][1:]] == expected
    assert [c.value for c in sheet["B"][1:]] == expected
    assert about[0].value == '\'=HYPERLINK("x")'


def test_xlsx_money_takes_the_currency_places_and_ids_stay_exact() -> None:
    columns = (ExportColumn("id", "Id", "id"), ExportColumn("m", "Amount", "money"))
    rows = [{"id": 12345678901234567890, "m": Decimal(1500)}]
    for currency, number_format in (("JPY", "#,##0"), ("KWD", "#,##0.000"), ("EUR", "#,##0.00")):
        out = io.BytesIO()
        write_xlsx(table(iter(rows), columns=columns, currency=currency), out)
        sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
        assert sheet["B1"].value == f"Amount ({currency})"
        assert sheet["B2"].value == 1500 and sheet["B2"].number_format == number_format
        assert sheet["A2"].value == "12345678901234567890"  # text: Excel would round it


def test_xlsx_sheet_names_follow_excels_rules() -> None:
    for title, expected in (
        ("Q1/Q2: [draft]* orders? by\\country, channel", "Q1 Q2 draft orders by country,"),
        ("'quoted'", "quoted"),
        ("History", "Report"),
        ("", "Report"),
        ("About", "About"),
    ):
        out = io.BytesIO()
        write_xlsx(table(orders(1), title=title), out)
        names = openpyxl.load_workbook(io.BytesIO(out.getvalue())).sheetnames
        assert names[0] == expected and len(names[0]) <= 31
        assert len({n.casefold() for n in names}) == 2


def test_xlsx_beyond_the_limit_says_so_on_the_about_sheet() -> None:
    out = io.BytesIO()
    summary = write_xlsx(table(orders(12)), out, limit=5)
    assert (summary.rows, summary.truncated) == (5, True)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.worksheets[0].max_row == 6
    about = [[c.value for c in row] for row in book["About"].iter_rows()]
    assert about[0] == ["Orders in March — 三月订单", None]
    assert ["Rows", 5] in about and ["Currency", "USD"] in about
    assert any(row[0] and "first 5 rows" in row[0] for row in about)
    with pytest.raises(ValueError, match="1048575"):
        write_xlsx(table(), io.BytesIO(), limit=2_000_000)


# --- streaming ---------------------------------------------------------------------------


class Row(dict[str, Any]):
    """A row that can be watched with a weak reference (a plain dict cannot)."""


class CountingSink(io.RawIOBase):
    """An output stream that only counts bytes, so the test holds no copy of the file."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


def watched_rows(count: int, sink: CountingSink, seen: dict[str, int]) -> Iterator[Row]:
    """Rows that record how many earlier rows are still alive, and how much output exists."""
    alive = [0]

    def gone() -> None:
        alive[0] -= 1

    for i in range(count):
        seen["most_alive"] = max(seen.get("most_alive", 0), alive[0])
        if i == count // 2:
            seen["written_halfway"] = sink.size
        row = Row(order=f"#{i}", total=Decimal(i) / 100)
        alive[0] += 1
        weakref.finalize(row, gone)
        yield row


@pytest.mark.parametrize("writer", [write_csv, write_xlsx])
def test_two_hundred_thousand_rows_stream_without_a_list(writer: Any) -> None:
    columns = (ExportColumn("order", "Order", "id"), ExportColumn("total", "Total", "money"))
    if writer is write_xlsx:
        columns = columns[1:]  # openpyxl writes ~40 µs a cell: one column keeps this test quick
    sink, seen = CountingSink(), {}
    summary = writer(table(watched_rows(200_000, sink, seen), columns=columns), sink)
    assert summary.rows == 200_000 and not summary.truncated
    # At most the 200-row sample that sizes the spreadsheet's columns is ever held at once.
    assert seen["most_alive"] <= 201
    if writer is write_csv:
        assert seen["written_halfway"] > 1_000_000  # written as it goes, not at the end
    assert sink.size > 500_000


# --- PDF ---------------------------------------------------------------------------------


def test_pdf_holds_the_title_amounts_chinese_and_the_hostile_text_as_is() -> None:
    out = io.BytesIO()
    summary = write_pdf(table(), out)
    assert (summary.rows, summary.truncated) == (40, False)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    first = reader.pages[0]
    assert first.mediabox.width > first.mediabox.height  # eight columns: landscape
    text = pdf_text(out.getvalue())
    assert "Orders in March — 三月订单" in text
    assert "Period: March 2026" in text
    assert "$1,234.50" in text and "-$12.50" in text and "25.0%" in text
    assert "王小明" in text and "Mar 1, 2026 14:05" in text and "Mar 2, 2026" in text
    assert "=cmd|' /C calc'!A0" in text  # a PDF is not a spreadsheet: shown as typed
    assert f"Page 1 of {len(reader.pages)}" in text
    assert "Showing the first" not in text


def test_pdf_says_when_it_shows_only_the_first_rows() -> None:
    out = io.BytesIO()
    summary = write_pdf(table(orders(40)), out, limit=30)
    assert (summary.rows, summary.truncated) == (30, True)
    text = pdf_text(out.getvalue()).replace("\n", " ")
    note = "Showing the first 30 rows of a longer report; export CSV or XLSX for all of them."
    assert note in text
    assert "#100229" in text and "#100230" not in text


def test_the_pdf_limit_is_five_thousand_rows() -> None:
    # The HTML stage is the PDF's content; rendering 5,000 rows takes WeasyPrint a minute.
    html, summary = export_html(table(orders(5_001)))
    assert (summary.rows, summary.truncated) == (5_000, True)
    assert "Showing the first 5,000 rows of a longer report" in html
    assert "#105199" in html and "#105200" not in html
    assert html.count("<tr>") == 5_001  # the heading row and 5,000 rows


def test_pdf_in_chinese_and_portrait_for_few_columns() -> None:
    out = io.BytesIO()
    write_pdf(table(orders(3), locale="zh_CN", columns=COLUMNS[:4]), out)
    page = PdfReader(io.BytesIO(out.getvalue())).pages[0]
    assert page.mediabox.height > page.mediabox.width  # four columns: portrait
    text = pdf_text(out.getvalue())
    assert "US$1,234.50" in text and "2026年3月1日 14:05" in text
    assert "第 1 页，共 1 页" in text


def test_an_empty_pdf_says_there_are_no_rows() -> None:
    out = io.BytesIO()
    assert write_pdf(table(iter([])), out).rows == 0
    assert "No rows match this report." in pdf_text(out.getvalue())


def test_the_url_fetcher_refuses_everything() -> None:
    fetcher = offline_fetcher()
    for url in ("http://127.0.0.1:9/x.png", "https://example.com/", "file:///etc/passwd"):
        with pytest.raises(ExternalResourceRefused):
            fetcher.fetch(url)
    with pytest.raises(ExternalResourceRefused):
        fetcher("data:text/plain,hello")


def test_rendering_never_opens_a_connection_or_a_file(tmp_path: Path) -> None:
    image = tmp_path / "logo.png"
    image.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    with socket.socket() as witness:
        witness.bind(("127.0.0.1", 0))
        witness.listen()
        witness.settimeout(0.2)
        url = f"http://127.0.0.1:{witness.getsockname()[1]}"
        html = f"""<html><head>
            <link rel="stylesheet" href="{url}/style.css">
            <style>@import url("{url}/import.css");
              @font-face {{ font-family: X; src: url("{url}/font.woff"); }}
              body {{ background: url("{url}/bg.png"); font-family: X; }}</style>
            </head><body><p>Offline</p><img src="{url}/x.png"><img src="{image.as_uri()}">
            <iframe src="{url}/frame"></iframe></body></html>"""
        out = io.BytesIO()
        render_pdf(html, out)
        with pytest.raises(TimeoutError):
            witness.accept()
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert "Offline" in reader.pages[0].extract_text()
    assert list(reader.pages[0].images) == []  # not even the local file was read


def test_cells_are_escaped_not_rendered_as_html() -> None:
    with socket.socket() as witness:
        witness.bind(("127.0.0.1", 0))
        witness.listen()
        witness.settimeout(0.2)
        hostile = f'<img src="http://127.0.0.1:{witness.getsockname()[1]}/x.png"><b>bold</b>'
        rows = [{"customer": hostile, "order": "</style><script>x</script>"}]
        out = io.BytesIO()
        write_pdf(table(iter(rows), title="<h1>T</h1>"), out)
        with pytest.raises(TimeoutError):
            witness.accept()
    text = pdf_text(out.getvalue()).replace("\n", "")
    assert "<b>bold</b>" in text and "</style><script>x</script>" in text
    assert "<h1>T</h1>" in text


# --- translations ------------------------------------------------------------------------


def test_every_message_has_a_chinese_translation_with_its_placeholders() -> None:
    known = catalog("zh_CN")
    modules = [
        f"cbe_app/reports/exports/{name}"
        for name in ("table.py", "xlsx_writer.py", "pdf_writer.py")
    ]
    for module in (*modules, "cbe_app/notify/mail.py"):
        found = extract_from_file("python", PROJECT_ROOT / module, keywords={"N_": None})
        ids = {message for _line, message, _comments, _context in found}
        for message_id in ids:
            chinese = known.get(message_id)
            assert chinese, f"{module}: {message_id!r} has no translation"
            for placeholder in ("{count}", "{page}", "{pages}", "{address}"):
                assert (placeholder in message_id) == (placeholder in chinese), message_id
