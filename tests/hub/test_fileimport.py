"""Spreadsheet import: reading what sellers save, matching columns, preview, the import job."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlmodel import Session

from cbe_app.core.errors import ValidationFailed
from cbe_app.db import session_scope
from cbe_app.hub.fileimport import job as import_job
from cbe_app.hub.fileimport.columns import check_mapping, guess_mapping
from cbe_app.hub.fileimport.preview import preview
from cbe_app.hub.fileimport.table import read_table, store_upload
from cbe_app.hub.orders import OrderLine, SalesOrder
from cbe_app.hub.runs import QuarantineItem, SyncRun
from cbe_app.hub.statusmap import pack_status_maps
from cbe_app.jobs.runner import JobView, Outcome, Step, run_job
from tests.conftest import Backend

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
CHINESE = ["订单号", "下单时间", "币种", "国家", "买家邮箱", "商品编码", "数量", "单价", "订单状态"]
OURS = {
    "external_id": "订单号",
    "placed_at": "下单时间",
    "currency": "币种",
    "country": "国家",
    "customer_email": "买家邮箱",
    "sku": "商品编码",
    "quantity": "数量",
    "unit_price": "单价",
    "status": "订单状态",
}
ROWS = [
    ["CN-1", "2026-10-02 10:15:00", "CNY", "CN", "li@example.cn", "SKU-A", "2", "99.00", "shipped"],
    ["CN-2", "2026-10-03 08:00:00", "USD", "US", "amy@example.com", "SKU-B", "1", "19.99", "new"],
    ["CN-1", "2026-10-02 10:15:00", "CNY", "CN", "li@example.cn", "SKU-C", "1", "49.50", "shipped"],
    ["CN-3", "2026-10-04 09:30:00", "XYZ", "US", "bob@example.com", "SKU-B", "1", "5", "shipped"],
    ["", "2026-10-04 09:30:00", "USD", "US", "eve@example.com", "SKU-B", "1", "5", "shipped"],
    [
        "CN-4",
        "2026-10-05 12:00:00",
        "EUR",
        "Germany",
        "hans@example.de",
        "SKU-D",
        "3",
        "25",
        "gone",
    ],
]


def write_csv(
    path: Path, rows: list[list[str]], *, encoding: str = "utf-8", sep: str = ","
) -> Path:
    lines = [sep.join(CHINESE), *(sep.join(r) for r in rows)]
    path.write_bytes("\n".join(lines).encode(encoding))
    return path


def test_headers_in_english_chinese_or_a_shopify_export_are_matched() -> None:
    assert guess_mapping(CHINESE) == OURS
    shopify = ["Name", "Email", "Financial Status", "Fulfillment Status", "Currency", "Created at"]
    shopify += ["Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku"]
    shopify += ["Billing Name", "Shipping Country", "Id"]
    assert guess_mapping(shopify) == {
        "external_id": "Id",
        "placed_at": "Created at",
        "currency": "Currency",
        "country": "Shipping Country",
        "customer_email": "Email",
        "sku": "Lineitem sku",
        "quantity": "Lineitem quantity",
        "unit_price": "Lineitem price",
        "status": "Fulfillment Status",
        "payment_status": "Financial Status",
        "customer_name": "Billing Name",
    }
    # An exact name wins over an alias, and no header is used twice.
    assert guess_mapping(["price", "unit_price"])["unit_price"] == "unit_price"
    assert guess_mapping(["Status"]) == {"status": "Status"}


def test_a_mapping_is_checked_field_by_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_mapping({**OURS, "sku": "", "currency": "Währung", "quantity": "单价"}, CHINESE)
    assert caught.value.field_errors == {
        "currency": "The file has no such column.",
        "sku": "Choose the column that holds this.",
        "quantity": "This column is chosen twice.",
        "unit_price": "This column is chosen twice.",
    }
    assert check_mapping({**OURS, "shipping": ""}, CHINESE) == OURS


@pytest.mark.parametrize(
    ("encoding", "sep"), [("utf-8-sig", ","), ("gb18030", ","), ("utf-8", ";"), ("utf-8", "\t")]
)
def test_csv_in_the_encodings_and_separators_sellers_use(
    tmp_path: Path, encoding: str, sep: str
) -> None:
    rows = [*ROWS[:2], [""] * 9, ROWS[2]]  # a blank line is skipped but keeps its number
    table = read_table(write_csv(tmp_path / "o.csv", rows, encoding=encoding, sep=sep))
    assert table.headers == CHINESE
    assert [(r["订单号"], r["_row"]) for r in table.rows] == [("CN-1", 2), ("CN-2", 3), ("CN-1", 5)]
    assert read_table(tmp_path / "o.csv", limit=1).rows[0]["单价"] == "99.00"


def test_the_first_sheet_of_a_workbook_with_dates_and_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(CHINESE)
    sheet.append(["CN-9", datetime(2026, 10, 2, 10, 15), "USD", "US", "a@b.co", "S", 2, 9.5, "new"])
    book.save(tmp_path / "o.xlsx")
    [row] = read_table(tmp_path / "o.xlsx").rows
    assert (row["下单时间"], row["数量"], row["单价"], row["_row"]) == (
        "2026-10-02T10:15:00",
        2,
        9.5,
        2,
    )


def test_what_cannot_be_read_is_refused_with_the_reason(tmp_path: Path) -> None:
    def refusal(call: Any) -> str:
        with pytest.raises(ValidationFailed) as caught:
            call()
        return caught.value.field_errors["file"]

    assert refusal(lambda: store_upload(tmp_path, "orders.pdf", b"%PDF")) == (
        "Choose a .csv or .xlsx file."
    )
    assert refusal(lambda: store_upload(tmp_path, "orders.csv", b"  \n")) == "The file is empty."
    fake = store_upload(tmp_path, "orders.xlsx", b"not a zip")
    assert refusal(lambda: read_table(fake)) == "This is not an Excel workbook (.xlsx)."
    headless = store_upload(tmp_path, "h.csv", b",,\n1,2,3\n")
    assert refusal(lambda: read_table(headless)) == "The first row must name the columns."
    assert refusal(lambda: read_table(tmp_path / "missing.csv")) == "No such file."


def test_the_preview_shows_orders_and_each_problem_with_its_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "o.csv", ROWS)
    found = preview(path, OURS, pack_status_maps(), "USD", NOW)
    assert [(o.external_id, o.rows, o.lines, o.total, o.status) for o in found.orders] == [
        ("CN-1", "2–4", 2, "247.50 CNY", "shipped"),
        ("CN-2", "3", 1, "19.99 USD", "pending"),
    ]
    assert found.orders[0].total_base.endswith(" USD")
    assert [(p.rows, p.external_id) for p in found.problems] == [
        ("5", "CN-3"),
        ("6", ""),
        ("7", "CN-4"),
    ]
    assert "unknown currency 'XYZ'" in found.problems[0].reason
    assert "external_id is empty" in found.problems[1].reason
    assert "'gone' has no mapping" in found.problems[2].reason
    assert found.rows_read == 6


class CrashOnce:
    """The import step, except that one step dies after writing, before its commit."""

    def __init__(self, crash_at: int) -> None:
        self.inner, self.calls, self.crash_at = import_job.import_step("USD"), 0, crash_at

    def __call__(self, session: Session, job: JobView, now: datetime) -> Step:
        step = self.inner(session, job, now)
        self.calls += 1
        if self.calls == self.crash_at:
            session.flush()
            raise RuntimeError("worker killed")
        return step


def run_import(path: Path, monkeypatch: pytest.MonkeyPatch, crash_at: int = 0) -> int:
    monkeypatch.setattr(import_job, "ORDERS_PER_STEP", 1)
    monkeypatch.setattr("cbe_app.jobs.service._send", lambda task, job_id: None)
    job_id = import_job.start_file_import(path, "orders.csv", OURS, NOW, None)
    step = CrashOnce(crash_at)
    while True:
        try:
            outcome = run_job(job_id, step, budget_seconds=60)
        except RuntimeError:
            continue  # the redelivered message runs it again
        if outcome is Outcome.FINISHED:
            return job_id


def stored() -> tuple[dict[str, int], list[tuple[str, str]], SyncRun]:
    with session_scope() as session:
        lines = dict(
            session.execute(
                select(SalesOrder.external_id, func.count(OrderLine.id))
                .join(OrderLine, OrderLine.order_id == SalesOrder.id)
                .group_by(SalesOrder.external_id)
            ).all()
        )
        held = session.execute(
            select(QuarantineItem.external_id, QuarantineItem.reason).order_by(
                QuarantineItem.external_id
            )
        ).all()
        run = session.scalars(select(SyncRun).order_by(SyncRun.id.desc())).first()
        assert run is not None
        session.expunge(run)
    return lines, [(h[0], h[1]) for h in held], run


def test_a_killed_import_resumes_and_every_order_lands_once(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = write_csv(tmp_path / "o.csv", ROWS)
    run_import(upload, monkeypatch, crash_at=3)
    lines, held, run = stored()
    assert lines == {"CN-1": 2, "CN-2": 1}  # CN-1's rows are apart in the sheet: one order
    assert [external_id for external_id, _ in held] == ["", "CN-3", "CN-4"]
    assert (run.status, run.trigger, run.created, run.quarantined) == ("succeeded", "file", 2, 3)
    assert not upload.exists() and not list(tmp_path.glob("*.spool*"))  # nothing left behind


def test_importing_the_same_file_again_changes_nothing(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(write_csv(tmp_path / "a.csv", ROWS), monkeypatch)
    run_import(write_csv(tmp_path / "b.csv", ROWS), monkeypatch)
    lines, held, run = stored()
    assert lines == {"CN-1": 2, "CN-2": 1}
    assert len(held) == 3  # the same problems, held once each
    assert (run.created, run.updated, run.unchanged, run.quarantined) == (0, 0, 2, 3)
    with session_scope() as session:
        assert import_job.last_mapping(session) == OURS
