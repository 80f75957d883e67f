"""Admin pages: creating a user, and a job whose progress the page shows live."""

import re
import time

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import BASE, shot, signed_in, wait_for_socket


def test_an_admin_creates_a_user_who_can_then_sign_in(page: Page, browser: Browser) -> None:
    signed_in(page, "admin")
    page.click("[data-testid=nav-admin]")
    page.wait_for_url(re.compile(r"/admin/?$"))
    expect(page.get_by_test_id("user-row")).to_have_count(6)
    page.click("[data-testid=new-user]")
    page.fill("input[name=email]", "not-an-email")
    page.fill("input[name=password]", "short")
    page.click("[data-testid=create-user]")
    expect(page.get_by_test_id("error-email")).to_have_text("Enter a valid e-mail address.")
    expect(page.get_by_test_id("error-password")).to_have_text("Use at least 10 characters.")
    expect(page.get_by_test_id("error-roles")).to_have_text("Choose at least one role.")
    shot(page, "admin-new-user-errors")
    page.fill("input[name=email]", "li.na@shop.example")
    page.fill("input[name=name]", "Li Na")
    page.fill("input[name=password]", "warehouse-pass-1")
    page.click("[data-testid=role-warehouse]")
    page.click("[data-testid=create-user]")
    expect(page.get_by_test_id("user-row")).to_have_count(7)
    expect(page.get_by_text("li.na@shop.example")).to_be_visible()
    shot(page, "admin-users")

    other = browser.new_context(base_url=BASE)
    newcomer = other.new_page()
    newcomer.goto("/login")
    newcomer.wait_for_selector("#email")
    wait_for_socket(newcomer)
    newcomer.fill("#email", "li.na@shop.example")
    newcomer.fill("#password", "warehouse-pass-1")
    newcomer.click("[data-testid=sign-in]")
    expect(newcomer.get_by_test_id("nav-inventory")).to_be_visible()
    expect(newcomer.get_by_test_id("nav-admin")).to_have_count(0)
    other.close()


def test_job_progress_is_pushed_to_the_open_page(page: Page) -> None:
    signed_in(page, "admin")
    page.goto("/admin/jobs")
    page.wait_for_selector("[data-testid=demo-orders]")
    wait_for_socket(page)
    page.fill("[data-testid=demo-orders]", "12000")
    page.click("[data-testid=start-demo-load]")
    row = page.get_by_test_id("job-row").first
    seen: set[str] = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        seen.add(row.get_by_test_id("job-progress").inner_text().split("\n")[0])
        if "Succeeded" in row.get_by_test_id("job-status").inner_text():
            break
        page.wait_for_timeout(200)
    expect(row.get_by_test_id("job-status")).to_have_text("Succeeded")
    expect(row.get_by_test_id("job-progress")).to_contain_text("12,000 / 12,000")
    # Several intermediate figures arrived without any reload: pushed by the worker's progress.
    assert len({s for s in seen if "/ 12,000" in s}) >= 2, seen
    shot(page, "admin-jobs")


def test_bad_job_input_is_explained(page: Page) -> None:
    signed_in(page, "admin")
    page.goto("/admin/jobs")
    page.wait_for_selector("[data-testid=demo-orders]")
    wait_for_socket(page)
    page.fill("[data-testid=demo-orders]", "lots")
    page.click("[data-testid=start-demo-load]")
    expect(page.get_by_text("Enter a number of orders between 1 and 1,000,000.")).to_be_visible()
