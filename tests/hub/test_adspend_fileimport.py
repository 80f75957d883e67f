"""Importing an ad platform's export from Data hub › Import file: the preview of the days of
spend as the hub would store them, and the background import, resumable and idempotent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from cbe_app.db import session_scope
from cbe_app.hub.fileimport import job as import_job
from cbe_app.hub.fileimport.adspend_columns import AD_SPEND_FIELDS, guess_constants
from cbe_app.hub.fileimport.columns import guess_mapping
from cbe_app.hub.fileimport.formats import AD_SPEND, read_rows
from cbe_app.hub.fileimport.preview import preview
from cbe_app.hub.fileimport.table import read_table
from cbe_app.hub.marketing import AdSpend
from cbe_app.hub.runs import QuarantineItem, SyncRun
from cbe_app.hub.statusmap import pack_status_maps
from cbe_app.jobs.runner import Outcome, run_job
from tests.conftest import Backend
from tests.hub.test_fileimport import CrashOnce

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
# A Google Ads campaign report as downloaded: two title lines, then the header, then a total.
GOOGLE = """Campaign report
"February 27, 2026 - March 2, 2026"
Day,Campaign,Country/Territory,Currency code,Cost,Impr.,Clicks
2026-02-27,Search - Brand - US,United States,USD,"1,234.50","12,345",321
2026-02-28,Search - Brand - US,United States,USD,10.00,"1,000",30
2026-03-01,Shopping - DE,Germany,EUR,20.00,"2,000",40
2026-03-01,Shopping - FR,France,EURO,7.00,700,7
01/03/2026,Shopping - DE,Germany,EUR,20.00,"2,000",40
2026-03-02,Search - Brand - US,United States,USD,12.00,"1,100",33
Total: Account,--,--,USD,"1,303.50","19,145",471
"""
MAPPING = guess_mapping(GOOGLE.splitlines()[2].split(","), AD_SPEND_FIELDS)
CONSTANTS = {"platform": "Google Ads"}


def google_csv(path: Path) -> Path:
    path.write_text(GOOGLE, encoding="utf-8")
    return path


def test_the_preview_shows_days_of_spend_and_each_problem_with_its_row(tmp_path: Path) -> None:
    path = google_csv(tmp_path / "google.csv")
    headers = read_table(path).headers
    assert guess_constants(headers) == CONSTANTS
    found = preview(
        path, MAPPING, pack_status_maps(), "USD", NOW, fmt=AD_SPEND, constants=CONSTANTS
    )
    assert found.orders == [] and found.rows_read == 7  # the total row is read, not a record
    shown = [(d.rows, d.day, d.platform, d.campaign, d.country, d.spend) for d in found.ad_spend]
    assert shown == [
        ("4", "2026-02-27", "Google Ads", "Search - Brand - US", "US", "1234.50 USD"),
        ("5", "2026-02-28", "Google Ads", "Search - Brand - US", "US", "10.00 USD"),
        ("6", "2026-03-01", "Google Ads", "Shopping - DE", "DE", "20.00 EUR"),
        ("9", "2026-03-02", "Google Ads", "Search - Brand - US", "US", "12.00 USD"),
    ]
    de = found.ad_spend[2]
    assert de.spend_base.endswith(" USD") and de.spend_base != "20.00 USD"
    assert (de.impressions, de.clicks) == ("2,000", "40")
    assert [(p.rows, p.reason) for p in found.problems] == [
        ("7", "row 7: unknown currency 'EURO'"),
        (
            "8",
            "row 8: day '01/03/2026' could be 1 March 2026 or 3 January 2026; "
            "write it as 2026-03-01 or 2026-01-03",
        ),
    ]


def test_an_xlsx_export_with_date_cells_and_a_typed_platform(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["日期", "广告系列", "国家", "币种", "消耗", "展示次数", "点击次数"])
    sheet.append([datetime(2026, 3, 1), "双11预热", "美国", "USD", 12.5, 1000, 20])
    sheet.append([datetime(2026, 3, 2), "双11预热", "US", "USD", "¥1,234", 1000, 20])
    book.save(tmp_path / "ads.xlsx")
    mapping = guess_mapping(read_table(tmp_path / "ads.xlsx").headers, AD_SPEND_FIELDS)
    assert "platform" not in mapping
    found = preview(
        tmp_path / "ads.xlsx",
        mapping,
        pack_status_maps(),
        "USD",
        NOW,
        fmt=AD_SPEND,
        constants={"platform": "TikTok Ads"},
    )
    assert [(d.day, d.platform, d.spend) for d in found.ad_spend] == [
        ("2026-03-02", "TikTok Ads", "1234.00 USD")
    ]
    assert [p.reason for p in found.problems] == ["row 2: unknown country '美国'"]


def test_the_command_line_reads_an_export_by_the_guess_alone(tmp_path: Path) -> None:
    rows = read_rows(google_csv(tmp_path / "google.csv"), AD_SPEND)
    assert rows[0] == {
        "day": "2026-02-27",
        "campaign": "Search - Brand - US",
        "country": "United States",
        "currency": "USD",
        "spend": "1,234.50",
        "impressions": "12,345",
        "clicks": "321",
        "_row": 4,
        "platform": "Google Ads",
    }


def run_import(path: Path, monkeypatch: pytest.MonkeyPatch, crash_at: int = 0) -> None:
    monkeypatch.setattr(import_job, "ORDERS_PER_STEP", 2)
    monkeypatch.setattr("cbe_app.jobs.service._send", lambda task, job_id: None)
    job_id = import_job.start_file_import(
        path, "google.csv", MAPPING, NOW, None, fmt=AD_SPEND, constants=CONSTANTS
    )
    step = CrashOnce(crash_at)
    while True:
        try:
            if run_job(job_id, step, budget_seconds=60) is Outcome.FINISHED:
                return
        except RuntimeError:
            continue  # the redelivered message runs it again


def counts() -> tuple[int, int, SyncRun]:
    with session_scope() as session:
        days = session.scalar(select(func.count()).select_from(AdSpend)) or 0
        held = session.scalar(select(func.count()).select_from(QuarantineItem)) or 0
        run = session.scalars(select(SyncRun).order_by(SyncRun.id.desc())).first()
        assert run is not None
        session.expunge(run)
    return days, held, run


def test_a_killed_import_resumes_and_again_changes_nothing(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(google_csv(tmp_path / "a.csv"), monkeypatch, crash_at=3)
    days, held, run = counts()
    assert (days, held) == (4, 2)
    assert (run.status, run.trigger, run.created, run.quarantined) == ("succeeded", "file", 4, 2)
    assert not list(tmp_path.glob("a.csv*"))  # the upload and its spool are gone
    run_import(google_csv(tmp_path / "b.csv"), monkeypatch)
    days, held, run = counts()
    assert (days, held) == (4, 2)
    assert (run.created, run.updated, run.unchanged, run.quarantined) == (0, 0, 4, 2)
    with session_scope() as session:
        assert import_job.last_choices(session, AD_SPEND) == (MAPPING, CONSTANTS)
        assert import_job.last_mapping(session) == {}  # the orders' import is another account
