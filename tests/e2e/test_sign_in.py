"""Signing in and out, through the real form and the real session cookie."""

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import BASE, shot, sign_in, signed_in, wait_for_socket


def test_a_protected_page_asks_to_sign_in_and_a_wrong_password_is_explained(page: Page) -> None:
    page.goto("/orders")
    page.wait_for_url(re.compile(r"/login/?\?next=/orders"))
    page.wait_for_selector("#email")
    wait_for_socket(page)
    shot(page, "login")
    page.fill("#email", "admin@demo.cbe.example")
    page.fill("#password", "not-the-password")
    page.click("[data-testid=sign-in]")
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong e-mail or password.")
    expect(page.locator("#email")).to_have_value("admin@demo.cbe.example")
    shot(page, "login-wrong-password")
    assert not [c for c in page.context.cookies() if c["name"] == "cbe_session"]


def test_sign_in_continues_to_the_page_asked_for(page: Page) -> None:
    sign_in(page, "operator", next_path="/orders")
    page.wait_for_url(re.compile(r"/orders/?$"))
    expect(page.get_by_test_id("page-title")).to_have_text("Orders")
    cookie = next(c for c in page.context.cookies() if c["name"] == "cbe_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("cbe_session") == -1  # invisible to scripts


def test_sign_out_ends_the_session_on_the_server(context: BrowserContext) -> None:
    page = context.new_page()
    signed_in(page, "finance")
    token = next(c["value"] for c in context.cookies() if c["name"] == "cbe_session")
    page.click("[data-testid=user-menu]")
    expect(page.get_by_text("Fiona Finance").first).to_be_visible()
    page.click("[data-testid=sign-out]")
    page.wait_for_url(re.compile(r"/login/?\?signed_out=1"))
    expect(page.get_by_test_id("signed-out")).to_be_visible()
    # The old cookie no longer works anywhere, even if someone kept a copy of it.
    replay = context.browser.new_context(base_url=BASE)
    replay.add_cookies([{"name": "cbe_session", "value": token, "url": BASE}])
    other = replay.new_page()
    other.goto("/dashboards")
    other.wait_for_url(re.compile(r"/login/?\?next="))
    replay.close()


def test_the_sign_in_page_moves_a_signed_in_user_on(page: Page) -> None:
    signed_in(page, "admin")
    page.goto("/login")
    page.wait_for_url(re.compile(r"/dashboards/?$"))
    expect(page.get_by_test_id("page-title")).to_have_text("Dashboards")
