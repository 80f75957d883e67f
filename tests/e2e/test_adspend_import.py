"""Ad spend in the browser: a Google Ads export imported from Data hub › Import file.

The person says the file holds ad spend, drops the export as Google Ads downloads it (title
lines, its own headers, a total line), checks the columns the guess chose and the platform it
named, sees the preview of each day as the hub stores it and the row it cannot take, imports,
and finds the bad row in quarantine, where Retry keeps it with its reason.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, shot, signed_in, wait_for_socket

GOOGLE_ADS = """Campaign report
"March 2, 2026 - March 4, 2026"
Day,Campaign,Country/Territory,Currency code,Cost,Impr.,Clicks
2026-03-02,E2E Brand Search,United States,USD,"1,234.50","12,345",321
2026-03-03,E2E Brand Search,United States,USD,10.00,"1,000",30
2026-03-01,E2E Shopping DE,Germany,EUR,20.00,"2,000",40
2026-03-04,E2E Shopping FR,France,EURO,7.00,700,7
Total: Account,--,--,USD,"1,271.50","16,045",398
"""


def _open(page: Page, path: str, ready: str) -> None:
    page.goto(path)
    page.wait_for_selector(ready)
    wait_for_socket(page)


def _stored(app: RunningApp) -> list[tuple[str, str, str, str, int, int]]:
    with sqlite3.connect(app.data_dir / "cbe.db") as db:
        rows = db.execute(
            "SELECT day, platform, country, currency, spend_minor, spend_base_minor "
            "FROM ad_spend WHERE campaign LIKE 'E2E %' ORDER BY day"
        ).fetchall()
    return [tuple(r) for r in rows]


def test_import_a_google_ads_export_as_ad_spend(
    page: Page, tmp_path: Path, app_server: RunningApp
) -> None:
    upload = tmp_path / "Campaign report.csv"
    upload.write_text(GOOGLE_ADS, encoding="utf-8")
    signed_in(page, "admin")
    _open(page, "/datahub/import", "[data-testid=import-drop]")
    page.click("[data-testid=import-kind-ad_spend]")
    expect(page.get_by_test_id("import-drop")).to_contain_text("One row per day and campaign")
    page.set_input_files("[data-testid=import-drop] input[type=file]", str(upload))
    expect(page.get_by_test_id("import-filename")).to_have_text("Campaign report.csv")

    # The guess: Google Ads' own headers, and the platform named from them.
    expect(page.get_by_test_id("column-day")).to_have_value("Day")
    expect(page.get_by_test_id("column-spend")).to_have_value("Cost")
    expect(page.get_by_test_id("column-impressions")).to_have_value("Impr.")
    expect(page.get_by_test_id("column-country")).to_have_value("Country/Territory")
    expect(page.get_by_test_id("column-platform")).to_have_value("")
    expect(page.get_by_test_id("constant-platform")).to_have_value("Google Ads")
    page.fill("[data-testid=constant-platform]", "Google Ads")  # typed for the whole file

    expect(page.get_by_test_id("import-summary")).to_have_text(
        "3 days of spend ready and 1 to fix in the first 5 rows."
    )
    days = page.get_by_test_id("import-spend")
    expect(days).to_have_count(3)
    expect(days.first).to_contain_text("2026-03-02")
    expect(days.first).to_contain_text("Google Ads")
    expect(days.first).to_contain_text("1234.50 USD")
    germany = days.filter(has_text="E2E Shopping DE")
    expect(germany).to_contain_text("20.00 EUR")
    expect(germany).to_contain_text(re.compile(r"\d+\.\d\d USD"))  # at the ECB rate of the day
    problem = page.get_by_test_id("import-problem")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("row 7: unknown currency 'EURO'")
    shot(page, "datahub-import-ad-spend-preview")

    page.click("[data-testid=import-start]")
    page.wait_for_url(re.compile(r"/datahub/runs/?$"))
    run = page.get_by_test_id("run-row").first
    expect(run.get_by_test_id("run-status")).to_contain_text("Succeeded", timeout=30_000)
    expect(run).to_contain_text("Ad spend import")
    expect(run).to_contain_text("+3")
    stored = _stored(app_server)
    assert [
        (day, platform, country, currency) for day, platform, country, currency, *_ in stored
    ] == [
        ("2026-03-01", "Google Ads", "DE", "EUR"),
        ("2026-03-02", "Google Ads", "US", "USD"),
        ("2026-03-03", "Google Ads", "US", "USD"),
    ]
    assert stored[1][4:] == (123450, 123450)

    # The row it could not take waits in quarantine with its reason; Retry keeps it there.
    page.click("[data-testid=datahub-tab-quarantine]")
    held = page.get_by_test_id("held-record").filter(has_text="E2E Shopping FR")
    expect(held.get_by_test_id("held-reason")).to_contain_text("unknown currency 'EURO'")
    held.get_by_test_id("retry").click()
    expect(page.get_by_text("The record is still held; its reason is updated.")).to_be_visible()
    shot(page, "datahub-quarantine-ad-spend")
    # Dismissed, so that the other browser tests find the demo's quarantine empty.
    held.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_test_id("held-record").filter(has_text="E2E Shopping FR")).to_have_count(0)
