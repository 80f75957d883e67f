"""Customer 360 in the browser: an operator tags a customer, and reads the reason when a tag
cannot be one; an executive reads tags but cannot change them."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot, signed_in, wait_for_socket


def open_first_customer(page: Page, who: str) -> None:
    signed_in(page, who)
    page.goto("/customers")
    page.wait_for_selector("[data-testid=customer-link]")
    wait_for_socket(page)
    page.get_by_test_id("customer-link").first.click()
    expect(page.get_by_test_id("customer-360")).to_be_visible()
    wait_for_socket(page)


def test_an_operator_tags_a_customer(page: Page) -> None:
    open_first_customer(page, "operator")
    page.get_by_test_id("tag-input").fill("vip buyer")
    page.get_by_test_id("tag-add").click()
    tag = page.get_by_test_id("customer-tag").filter(has_text="vip-buyer")
    expect(tag).to_be_visible()
    page.get_by_test_id("tag-input").fill("a/b")
    page.get_by_test_id("tag-add").click()
    expect(page.get_by_test_id("customer-tags")).to_contain_text("one word")
    shot(page, "customer-360-tags")
    page.reload()
    expect(tag).to_be_visible()  # kept
    tag.get_by_test_id("tag-remove").click()
    expect(tag).to_have_count(0)


def test_an_executive_reads_tags_but_cannot_change_them(page: Page) -> None:
    open_first_customer(page, "executive")
    expect(page.get_by_test_id("customer-tags")).to_be_visible()
    expect(page.get_by_test_id("tag-input")).to_have_count(0)
