"""Reports in the browser: build one, pivot a summary, export it, e-mail it on a schedule.

The app's first start synced the demo from the sandboxes, so the reports have rows. The
export is made by a real Celery worker and downloaded by the browser's session; the
scheduled e-mail goes to the outbox (no SMTP server is configured in the test run) and is
read back as the message the recipient would get.
"""

from __future__ import annotations

import csv
import email
import io
import re
import sqlite3
from email.policy import default

from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, shot, signed_in, wait_for_socket


def open_report(page: Page, title: str, who: str = "builder") -> None:
    signed_in(page, who)
    page.goto("/reports")
    page.wait_for_selector("[data-testid=report-card]")
    wait_for_socket(page)
    page.get_by_test_id("report-card").filter(has_text=title).click()
    expect(page.get_by_test_id("report-title")).to_have_text(title)
    wait_for_socket(page)


def _pick(page: Page, testid: str, option: str, nth: int = 0) -> None:
    page.get_by_test_id(testid).nth(nth).click()
    page.get_by_role("option", name=option, exact=True).click()


def _database(app: RunningApp) -> sqlite3.Connection:
    return sqlite3.connect(app.data_dir / "cbe.db")


def test_a_builder_makes_a_report_of_rows_with_a_filter_and_it_stays(
    page: Page, app_server: RunningApp
) -> None:
    signed_in(page, "builder")
    page.goto("/reports")
    page.get_by_test_id("new-report").click()
    page.get_by_test_id("new-report-title").fill("Cancelled orders to call")
    page.get_by_test_id("new-report-create").click()
    expect(page.get_by_test_id("report-title")).to_have_text("Cancelled orders to call")
    wait_for_socket(page)
    page.get_by_test_id("report-edit").click()
    expect(page.get_by_test_id("report-builder")).to_be_visible()
    page.get_by_test_id("add-filter").click()
    _pick(page, "filter-field", "Status")
    page.get_by_test_id("filter-value").fill("cancelled")
    page.get_by_test_id("filter-value").blur()
    with _database(app_server) as db:
        query = "SELECT count(*) FROM orders WHERE status = 'cancelled'"
        (cancelled,) = db.execute(query).fetchone()
    assert cancelled > 0
    expect(page.get_by_test_id("report-total")).to_have_text(f"{cancelled} lines")
    shot(page, "report-builder-rows")
    page.get_by_test_id("builder-save").click()
    expect(page.get_by_test_id("report-builder")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("report-title")).to_have_text("Cancelled orders to call")
    expect(page.get_by_test_id("report-total")).to_have_text(f"{cancelled} lines")
    first = page.get_by_test_id("report-row").first
    expect(first).to_be_visible()


def test_a_summary_pivots_months_across_and_a_grouping_can_change(page: Page) -> None:
    open_report(page, "Orders and net GMV by channel and month")
    header = page.locator("thead th")
    expect(header.first).to_have_text("Channel")
    expect(header.nth(1)).to_have_text(re.compile(r"^\d{4}-\d{2} · Orders$"))
    rows = page.get_by_test_id("report-row")
    expect(rows.first).to_be_visible()
    channels = rows.count()
    page.get_by_test_id("report-edit").click()
    _pick(page, "dimension-field", "Country", nth=0)
    expect(page.locator("thead th").first).to_have_text("Country")
    expect(rows).not_to_have_count(channels)
    shot(page, "report-builder-pivot")
    page.get_by_role("button", name="Discard").click()
    expect(page.locator("thead th").first).to_have_text("Channel")


def test_a_report_exported_as_csv_is_downloaded_whole(page: Page) -> None:
    open_report(page, "Refunded orders", "finance")
    page.get_by_test_id("report-period").click()
    page.get_by_role("option", name="All time").click()
    total_text = page.get_by_test_id("report-total").text_content() or ""
    total = int(total_text.split()[0].replace(",", ""))
    assert total > 0
    page.get_by_test_id("report-export").click()
    page.get_by_test_id("export-csv").click()
    download_link = page.get_by_test_id("export-download")
    expect(download_link).to_be_visible(timeout=30_000)
    href = download_link.get_attribute("href")
    assert href and href.startswith("/exports/")
    response = page.request.get(href)
    assert response.status == 200
    assert "attachment" in response.headers["content-disposition"]
    text = response.body().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][0] == "Order number" and "Refunded (USD)" in lines[0]
    assert len(lines) == total + 1
    # Someone else's session cannot fetch it.
    page.context.clear_cookies()
    signed_in(page, "operator")
    assert page.request.get(href).status == 404


def test_a_schedule_sends_the_report_as_an_attachment(page: Page, app_server: RunningApp) -> None:
    open_report(page, "Late parcels")
    page.get_by_test_id("report-schedule").click()
    expect(page.get_by_test_id("schedules-dialog")).to_be_visible()
    page.get_by_test_id("schedule-add").click()
    recipients = page.get_by_test_id("schedule-recipients").last
    recipients.fill("not an address")
    recipients.blur()
    page.get_by_test_id("schedule-save").click()
    expect(page.get_by_test_id("schedule-problems")).to_contain_text("not an e-mail address")
    recipients.fill("ops@acme.example, 仓库@acme.example")
    recipients.blur()
    page.get_by_test_id("schedule-save").click()
    expect(page.get_by_test_id("schedule-notice")).to_be_visible()
    page.get_by_test_id("schedule-send").last.click()
    outbox = app_server.data_dir / "outbox"
    expect(page.get_by_test_id("delivery").first).to_be_visible()
    shot(page, "report-schedules")
    deadline = 60
    while deadline and not list(outbox.glob("*.eml")):
        page.wait_for_timeout(1000)
        deadline -= 1
    sent = sorted(outbox.glob("*.eml"))
    assert sent, "no e-mail reached the outbox"
    message = email.message_from_bytes(sent[-1].read_bytes(), policy=default)
    assert message["Subject"].startswith("Late parcels")
    assert "ops@acme.example" in message["To"]
    attachment = next(message.iter_attachments())
    assert attachment.get_filename().endswith(".xlsx")
    assert attachment.get_content()[:2] == b"PK"  # a zip: an Excel workbook


def test_an_operator_sees_only_what_is_shared_with_operators(page: Page) -> None:
    signed_in(page, "operator")
    page.goto("/reports")
    page.wait_for_selector("[data-testid=report-card]")
    titles = page.get_by_test_id("report-card").all_text_contents()
    assert any("Late parcels" in t for t in titles)
    assert not any("Refunded orders" in t for t in titles)
    expect(page.get_by_test_id("new-report")).to_have_count(0)
    page.goto("/reports/refunds")
    expect(page.get_by_test_id("report-missing")).to_be_visible()
