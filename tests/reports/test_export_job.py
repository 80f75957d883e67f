"""Exports as jobs: read in batches, resumed after a killed step, written by the renderer."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cbe_app.auth.roles import Role
from cbe_app.core.errors import NotFound
from cbe_app.db import session_scope
from cbe_app.jobs.models import Job, JobStatus
from cbe_app.jobs.runner import JobFailed, JobView, Step
from cbe_app.reports import export_job
from cbe_app.reports.export_job import ExportRequest, export_step, file_path, finished_export
from cbe_app.reports.report import ExportFormat
from cbe_app.reports.saved import share_report
from tests.conftest import Backend
from tests.reports.dataset import Business, build, write
from tests.reports.test_boards import person

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture
def business(backend: Backend) -> Business:
    made = build()
    with session_scope() as session:
        write(session, made, NOW)
    return made


def _step(job_id: int, request: ExportRequest, cursor: dict[str, Any]) -> Step:
    with session_scope() as session:
        return export_step("USD")(session, JobView(job_id, request.to_json(), cursor), NOW)


def _run(job_id: int, request: ExportRequest, limit: int = 200) -> Step:
    cursor: dict[str, Any] = {}
    for _ in range(limit):
        step = _step(job_id, request, cursor)
        if step.finished:
            return step
        cursor = step.cursor
    raise AssertionError("the export did not finish")


def test_a_csv_is_read_in_batches_and_a_killed_step_writes_nothing_twice(
    business: Business, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_job, "BATCH", 100)
    request = ExportRequest("refunds", ExportFormat.CSV, "en", period="all_time")
    first = _step(7, request, {})
    second = _step(7, request, first.cursor)
    path = file_path(7, request)
    with path.open("ab") as handle:  # a third step wrote, then its worker was killed
        handle.write(b"O-999999,half a row")
    resumed = _step(7, request, second.cursor)
    assert (first.done, second.done) == (100, 200)
    done = _run_from(7, request, resumed)
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    refunded = [o for o in business.orders if o.refunded > 0]
    assert lines[0][0] == "Order number" and len(lines) == len(refunded) + 1
    assert len({line[0] for line in lines[1:]}) == len(refunded)  # every order once
    assert done.result["rows"] == len(refunded) and not done.result["truncated"]
    assert done.result["filename"] == "Refunded-orders.csv"


def _run_from(job_id: int, request: ExportRequest, step: Step) -> Step:
    while not step.finished:
        step = _step(job_id, request, step.cursor)
    return step


def test_a_pivoted_summary_is_written_as_a_workbook_by_the_renderer(business: Business) -> None:
    request = ExportRequest("orders_by_channel", ExportFormat.XLSX, "en", period="all_time")
    done = _run(8, request)
    sheet = openpyxl.load_workbook(file_path(8, request)).worksheets[0]
    lines = list(sheet.values)
    assert lines[0][0] == "Channel" and str(lines[0][1]).endswith("· Orders")
    assert len(lines) == done.result["rows"] + 1 == 4  # one line per channel
    leftovers = sorted(p.name for p in file_path(8, request).parent.iterdir())
    assert leftovers == [file_path(8, request).name, file_path(8, request).name + ".log"]


def test_a_pdf_in_chinese(business: Business) -> None:
    request = ExportRequest("late_parcels", ExportFormat.PDF, "zh_CN", period="all_time")
    done = _run(9, request)
    assert file_path(9, request).read_bytes()[:5] == b"%PDF-"
    assert done.result["rows"] > 0 and done.result["filename"] == "延误包裹.pdf"


def test_a_renderer_that_fails_fails_the_job_with_its_reason(
    business: Business, tmp_path: Path
) -> None:
    request = ExportRequest("late_parcels", ExportFormat.PDF, "en")
    step = _step(10, request, {})
    file_path(10, request).with_name(file_path(10, request).name + ".spool").write_bytes(
        b"not json\n"
    )
    with pytest.raises(JobFailed, match="could not be written"):
        _run_from(10, request, step)


def test_an_export_is_only_for_who_may_open_it_and_only_theirs_to_download(
    business: Business,
) -> None:
    finance, executive, builder = person(Role.FINANCE), person(Role.FINANCE), person(Role.BUILDER)
    request = ExportRequest(
        "refunds", ExportFormat.CSV, "en", period="all_time", user_id=finance.user_id
    )
    with session_scope() as session:
        job = Job(task=export_job.EXPORT_TASK, title="Export", params=request.to_json())
        job.created_by, job.status = finance.user_id, JobStatus.SUCCEEDED
        session.add(job)
        session.flush()
        job_id = int(job.id or 0)
    done = _run(job_id, request)
    with session_scope() as session:
        stored = session.get(Job, job_id)
        assert stored is not None
        stored.result = done.result
    with session_scope() as session:
        path, name = finished_export(session, job_id, finance)
        assert path.exists() and name == "Refunded-orders.csv"
        with pytest.raises(NotFound):
            finished_export(session, job_id, executive)
        share_report(session, "refunds", [], principal=builder, now=NOW, base_currency="USD")
    with pytest.raises(JobFailed, match="no longer open"):
        _run(job_id + 1, request)
