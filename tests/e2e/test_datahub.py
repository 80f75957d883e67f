"""Data hub in the browser: connect and sync an account, import a file, fix a mapping, Order 360.

The app's first start connected the demo accounts to the provider sandboxes (PORT + 1) and
synced them, so the hub already holds orders, parcels and payments from every source.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS
from tests.e2e.conftest import PORT, RunningApp, shot, signed_in, wait_for_socket

SANDBOX = f"http://127.0.0.1:{PORT + 1}"


def _open(page: Page, path: str, ready: str) -> None:
    page.goto(path)
    page.wait_for_selector(ready)
    wait_for_socket(page)


def test_connect_an_account_and_watch_its_first_sync(page: Page) -> None:
    signed_in(page, "admin")
    _open(page, "/datahub/quarantine", "[data-testid=datahub-tab-accounts]")
    expect(page.get_by_text("Nothing in quarantine.")).to_be_visible()  # the demo syncs cleanly
    _open(page, "/datahub", "[data-testid=connect-account]")
    page.click("[data-testid=connect-account]")
    page.click("[data-testid=connect-submit]")  # nothing filled in: every problem at once
    expect(page.get_by_test_id("error-name")).to_have_text("Give the account a name.")
    expect(page.get_by_test_id("error-code")).to_have_text("Use letters, digits, - and _ only.")
    page.click("[data-testid=connect-provider]")
    page.get_by_role("option", name="Amazon").click()
    page.fill("[data-testid=connect-name]", "Amazon Europe")
    page.fill("[data-testid=connect-code]", "amazon-eu")
    page.fill("[data-testid=connect-url]", f"{SANDBOX}/amazon")
    for name, value in DEMO_CREDENTIALS["amazon"].items():
        page.fill(f"[data-testid=connect-cred-{name}]", value)
    page.fill("[data-testid=connect-pace]", "0")  # a sandbox: no need to wait for Amazon's pace
    shot(page, "datahub-connect")
    page.click("[data-testid=connect-submit]")
    row = page.get_by_test_id("account-row").filter(has_text="amazon-eu")
    expect(row).to_contain_text("Never synced")

    row.get_by_test_id("sync-now").click()
    saw_progress, deadline = False, time.monotonic() + 120
    while time.monotonic() < deadline:
        if row.get_by_role("progressbar").count():
            if not saw_progress:
                shot(page, "datahub-sync-progress")
            saw_progress = True
        elif "Synced" in row.get_by_test_id("account-status").inner_text():
            break
        page.wait_for_timeout(100)
    expect(row.get_by_test_id("account-status")).to_have_text("Synced")
    assert saw_progress, "the progress bar never showed while the account synced"

    page.click("[data-testid=datahub-tab-runs]")
    run = page.get_by_test_id("run-row").filter(has_text="Amazon Europe").first
    expect(run.get_by_test_id("run-status")).to_contain_text("Succeeded")
    expect(run).to_contain_text(re.compile(r"\+\d{3,}"))  # hundreds of orders created
    shot(page, "datahub-runs")


CSV = """order,date,currency,country,email,sku,qty,price,status
E2E-1,2026-10-02 10:15:00,EUR,DE,anna.e2e@example.de,CBE-SP-0005,2,19.99,shipped
E2E-1,2026-10-02 10:15:00,EUR,DE,anna.e2e@example.de,CBE-SP-0006,1,5.50,shipped
E2E-2,2026-10-03 08:00:00,USD,US,bo.e2e@example.com,CBE-SP-0007,1,49.00,on its way
E2E-3,2026-10-04 09:30:00,XYZ,US,cy.e2e@example.com,CBE-SP-0007,1,12.00,shipped
"""


def test_import_a_file_then_fix_a_mapping_and_retry_from_quarantine(
    page: Page, tmp_path: Path
) -> None:
    upload = tmp_path / "marketplace-export.csv"
    upload.write_text(CSV)
    signed_in(page, "admin")
    _open(page, "/datahub/import", "[data-testid=import-drop]")
    page.set_input_files("[data-testid=import-drop] input[type=file]", str(upload))
    expect(page.get_by_test_id("import-filename")).to_have_text("marketplace-export.csv")
    page.select_option("[data-testid=column-external_id]", "order")
    page.select_option("[data-testid=column-placed_at]", "date")
    page.select_option("[data-testid=column-customer_email]", "email")
    page.select_option("[data-testid=column-quantity]", "qty")
    page.select_option("[data-testid=column-unit_price]", "price")
    expect(page.get_by_test_id("import-summary")).to_have_text(
        "1 orders ready and 2 to fix in the first 4 rows."
    )
    expect(page.get_by_test_id("import-problem").first).to_contain_text("'on its way'")
    shot(page, "datahub-import-preview")
    page.click("[data-testid=import-start]")
    page.wait_for_url(re.compile(r"/datahub/runs/?$"))
    run = page.get_by_test_id("run-row").first
    expect(run.get_by_test_id("run-status")).to_contain_text("Succeeded", timeout=30_000)
    expect(run).to_contain_text("+1")

    page.click("[data-testid=datahub-tab-quarantine]")
    held = page.get_by_test_id("held-record").filter(has_text="E2E-2")
    expect(held.get_by_test_id("held-reason")).to_contain_text("'on its way' has no mapping")
    expect(page.get_by_test_id("held-record").filter(has_text="E2E-3")).to_contain_text("XYZ")
    shot(page, "datahub-quarantine")

    # The fix: teach the spreadsheet status map what "on its way" means, then retry.
    page.click("[data-testid=datahub-tab-status-maps]")
    wait_for_socket(page)
    page.click("[data-testid=map-provider]")
    page.get_by_role("option", name="Spreadsheet import (CSV/XLSX)").click()
    expect(page.get_by_test_id("map-row").first).to_be_visible()
    page.fill("[data-testid=new-status-key]", "on its way")
    page.select_option("[data-testid=new-status-value]", "shipped")
    page.click("[data-testid=add-status]")
    page.click("[data-testid=save-map]")
    expect(page.get_by_test_id("map-saved")).to_be_visible()
    shot(page, "datahub-status-map")

    page.click("[data-testid=datahub-tab-quarantine]")
    held = page.get_by_test_id("held-record").filter(has_text="E2E-2")
    held.get_by_test_id("retry").click()
    expect(page.get_by_text("The record was accepted.")).to_be_visible()
    expect(page.get_by_test_id("held-record").filter(has_text="E2E-2")).to_have_count(0)
    expect(page.get_by_test_id("held-record").filter(has_text="E2E-3")).to_have_count(1)

    page.goto("/orders")
    page.wait_for_selector("[data-testid=order-search]")
    wait_for_socket(page)
    page.fill("[data-testid=order-search]", "E2E-2")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("order-row")).to_have_count(1)
    expect(page.get_by_test_id("order-row")).to_contain_text("Shipped")


def _order_with_every_source(app: RunningApp) -> tuple[int, str]:
    """A Shopify order the hub has a payment and carrier scans for."""
    with sqlite3.connect(app.data_dir / "cbe.db") as db:
        row = db.execute(
            """
            SELECT o.id, o.external_id FROM orders o
            JOIN channels c ON c.id = o.channel_id AND c.provider = 'shopify'
            JOIN payments p ON p.order_id = o.id
            JOIN shipments s ON s.order_id = o.id
            WHERE o.status = 'delivered'
              AND (SELECT count(*) FROM tracking_events e WHERE e.shipment_id = s.id) >= 3
            ORDER BY o.id LIMIT 1
            """
        ).fetchone()
    assert row is not None, "the demo sync should have linked payments and parcels to orders"
    return int(row[0]), str(row[1])


def test_order_360_shows_one_timeline_from_every_source(page: Page, app_server: RunningApp) -> None:
    order_id, external_id = _order_with_every_source(app_server)
    signed_in(page, "admin")
    _open(page, "/orders", "[data-testid=order-search]")
    page.fill("[data-testid=order-search]", external_id)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("order-row")).to_have_count(1)
    page.get_by_test_id("order-link").click()
    page.wait_for_url(re.compile(rf"/orders/{order_id}/?$"))
    expect(page.get_by_test_id("order-360-id")).to_have_text(external_id)
    entries = page.get_by_test_id("timeline-entry")
    expect(entries.first).to_contain_text("Placed")
    expect(entries.first).to_contain_text("Shopify")
    expect(page.get_by_test_id("timeline-entry").filter(has_text="Delivered").last).to_be_visible()
    sources = set(entries.all_inner_texts())
    text = "\n".join(sources)
    assert re.search(r"Stripe|PayPal", text), text
    assert re.search(r"FedEx|DHL Express|4PX", text), text
    times = [re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", t) for t in entries.all_inner_texts()]
    stamps = [m.group(0) for m in times if m]
    assert stamps == sorted(stamps), "the timeline runs oldest first"
    shot(page, "order-360")
