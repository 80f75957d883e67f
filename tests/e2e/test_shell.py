"""The shell: navigation by area, empty states, language switch, roles and a phone screen."""

import re
import sqlite3

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import BASE, RunningApp, shot, signed_in, wait_for_socket

AREAS = [
    ("dashboards", "Dashboards", "仪表盘"),
    ("reports", "Reports", "报表"),
    ("orders", "Orders", "订单"),
    ("inventory", "Inventory", "库存"),
    ("purchasing", "Purchasing", "采购"),
    ("customers", "Customers", "客户"),
    ("service", "Service desk", "客服工单"),
    ("finance", "Finance", "财务"),
    ("builders", "Builders", "应用搭建"),
    ("datahub", "Data hub", "数据中台"),
    ("admin", "Admin", "系统管理"),
]

# Areas whose own screens replaced the empty state.
SCREENS = {"dashboards", "reports", "orders", "customers", "datahub", "admin"}


def orders_in(app: RunningApp) -> int:
    with sqlite3.connect(app.data_dir / "cbe.db") as connection:
        return int(connection.execute("SELECT count(*) FROM orders").fetchone()[0])


def test_an_admin_can_open_every_area_from_the_navigation(
    page: Page, app_server: RunningApp
) -> None:
    signed_in(page, "admin")
    shot(page, "shell-dashboards")
    for key, title, _ in AREAS:
        page.click(f"[data-testid=nav-{key}]")
        page.wait_for_url(re.compile(rf"/{key}/?$"))
        expect(page.get_by_test_id("page-title")).to_have_text(title)
        if key not in SCREENS:
            expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.click("[data-testid=nav-dashboards]")
    cards = page.get_by_test_id("dashboard-card")  # the pack's two (and builders' copies)
    expect(cards.filter(has_text="Executive cockpit")).to_have_count(1)
    expect(cards.filter(has_text="Operations")).to_have_count(1)
    page.click("[data-testid=nav-orders]")
    expect(page.get_by_test_id("order-row").first).to_be_visible()
    expect(page.get_by_text(f"· {orders_in(app_server)} orders")).to_be_visible()
    shot(page, "shell-orders")


def test_the_language_switch_changes_every_string_and_is_remembered(
    page: Page, browser: Browser
) -> None:
    signed_in(page, "builder")
    page.click("[data-testid=language-switch]")
    page.click("[data-testid=language-zh_CN]")
    expect(page.get_by_test_id("page-title")).to_have_text("仪表盘")
    expect(page.get_by_test_id("language-switch")).to_have_text("简体中文")
    for key, _, chinese in AREAS:
        if key in ("finance", "admin"):
            continue  # a builder does not see these
        expect(page.get_by_test_id(f"nav-{key}")).to_have_text(chinese)
    body = page.inner_text("body")
    for english in ("What will be here", "Already in your data hub", "Cross-border apps"):
        assert english not in body
    shot(page, "shell-zh")
    page.reload()
    wait_for_socket(page)
    expect(page.get_by_test_id("page-title")).to_have_text("仪表盘")
    # Stored on the account: a new browser signs in straight into Chinese.
    other = browser.new_context(base_url=BASE)
    fresh = other.new_page()
    signed_in(fresh, "builder")
    expect(fresh.get_by_test_id("page-title")).to_have_text("仪表盘")
    other.close()
    page.click("[data-testid=language-switch]")
    page.click("[data-testid=language-en]")
    expect(page.get_by_test_id("page-title")).to_have_text("Dashboards")


def test_the_sign_in_page_switches_language_too(page: Page) -> None:
    page.goto("/login")
    wait_for_socket(page)
    page.click("[data-testid=language-zh_CN]")
    expect(page.get_by_test_id("sign-in")).to_have_text("登录")
    page.wait_for_timeout(1500)  # nothing (a page load, a guess from the browser) switches it back
    expect(page.get_by_test_id("sign-in")).to_have_text("登录")
    shot(page, "login-zh")
    page.click("[data-testid=language-en]")
    expect(page.get_by_test_id("sign-in")).to_have_text("Sign in")


def test_each_role_sees_only_its_areas_and_a_clear_message_elsewhere(page: Page) -> None:
    signed_in(page, "warehouse")
    visible = {key for key, _, _ in AREAS if page.get_by_test_id(f"nav-{key}").count()}
    assert visible == {"dashboards", "reports", "orders", "inventory", "purchasing"}
    page.goto("/finance")
    wait_for_socket(page)
    expect(page.get_by_test_id("access-denied")).to_contain_text(
        "You don't have permission to open this page."
    )
    expect(page.get_by_test_id("fact-value")).to_have_count(0)
    expect(page.get_by_test_id("empty-state")).to_have_count(0)
    shot(page, "access-denied")
    page.goto("/admin/users")
    wait_for_socket(page)
    expect(page.get_by_test_id("access-denied")).to_be_visible()
    expect(page.get_by_test_id("user-row")).to_have_count(0)


def test_a_phone_sized_screen_has_a_menu_drawer(browser: Browser) -> None:
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=BASE, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    signed_in(page, "warehouse")
    expect(page.get_by_test_id("open-menu")).to_be_visible()
    shot(page, "phone-dashboards")
    page.click("[data-testid=open-menu]")
    drawer = page.get_by_test_id("mobile-nav")
    expect(drawer).to_be_visible()
    page.wait_for_timeout(600)  # let the drawer finish sliding in before the picture
    shot(page, "phone-menu")
    drawer.get_by_test_id("nav-inventory").click()
    page.wait_for_url(re.compile(r"/inventory/?$"))
    expect(page.get_by_test_id("page-title")).to_have_text("Inventory")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing spills sideways
    phone.close()


def test_a_first_visit_speaks_the_browsers_language(browser: Browser) -> None:
    chinese = browser.new_context(base_url=BASE, locale="zh-CN")
    page = chinese.new_page()
    page.goto("/login")
    wait_for_socket(page)
    expect(page.get_by_test_id("sign-in")).to_have_text("登录")
    chinese.close()
