"""The app shell: navigation by area, the top bar with language and user menus, and denial."""

from __future__ import annotations

import reflex as rx

from cbe_app.core.i18n import LANGUAGES
from cbe_app.ui.components.icons import area_icon
from cbe_app.ui.components.plain_form import PlainForm
from cbe_app.ui.i18n import LocaleState, T, T_var
from cbe_app.ui.session import NavItem, SessionState

SIDEBAR_WIDTH = "248px"


def brand() -> rx.Component:
    """The product mark."""
    return rx.hstack(
        rx.center(
            rx.icon("globe", size=18, color="white"),
            width="32px",
            height="32px",
            border_radius="8px",
            background="linear-gradient(135deg, var(--indigo-9), var(--cyan-9))",
        ),
        rx.vstack(
            rx.text("cbe", weight="bold", size="4", line_height="1"),
            rx.text(T("Cross-border apps"), size="1", color_scheme="gray", line_height="1"),
            spacing="1",
        ),
        spacing="3",
        align="center",
    )


def _nav_link(item: NavItem, on_click: rx.EventHandler | None = None) -> rx.Component:
    active = rx.State.router.page.path.startswith(item["href"])
    return rx.link(
        rx.hstack(
            area_icon(item["key"]),
            rx.text(rx.cond(LocaleState.is_zh, item["title_zh"], item["title_en"]), size="2"),
            spacing="3",
            align="center",
            padding_x="12px",
            padding_y="8px",
            border_radius="8px",
            width="100%",
            background=rx.cond(active, "var(--accent-3)", "transparent"),
            color=rx.cond(active, "var(--accent-11)", "var(--gray-12)"),
            font_weight=rx.cond(active, "600", "400"),
            _hover={"background": "var(--gray-3)"},
        ),
        href=item["href"],
        underline="none",
        width="100%",
        data_testid="nav-" + item["key"],
        on_click=on_click,
    )


def nav_list(on_click: rx.EventHandler | None = None) -> rx.Component:
    """The areas this user may open."""
    return rx.vstack(
        rx.foreach(SessionState.nav, lambda item: _nav_link(item, on_click)),
        spacing="1",
        width="100%",
    )


def sidebar() -> rx.Component:
    """The left navigation on screens wider than a phone."""
    return rx.box(
        rx.vstack(
            brand(),
            rx.box(height="16px"),
            nav_list(),
            spacing="2",
            padding="20px 14px",
            width="100%",
        ),
        width=SIDEBAR_WIDTH,
        min_width=SIDEBAR_WIDTH,
        height="100vh",
        position="sticky",
        top="0",
        border_right="1px solid var(--gray-4)",
        background="var(--color-panel-solid)",
        display=["none", "none", "block"],
        overflow_y="auto",
    )


def mobile_menu() -> rx.Component:
    """The navigation in a drawer, for phone-sized screens."""
    return rx.box(
        rx.drawer.root(
            rx.drawer.trigger(
                rx.icon_button(
                    rx.icon("menu"),
                    variant="ghost",
                    size="3",
                    aria_label="Menu",
                    data_testid="open-menu",
                )
            ),
            rx.drawer.overlay(z_index="40"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(
                        brand(),
                        rx.box(height="12px"),
                        nav_list(),
                        spacing="2",
                        padding="20px 14px",
                        width="100%",
                    ),
                    height="100%",
                    width="280px",
                    background="var(--color-panel-solid)",
                    z_index="50",
                    data_testid="mobile-nav",
                )
            ),
            direction="left",
        ),
        display=["block", "block", "none"],
    )


def language_menu() -> rx.Component:
    """English / 简体中文, for every string of the UI."""
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.button(
                rx.icon("languages", size=16),
                rx.text(rx.cond(LocaleState.is_zh, "简体中文", "English")),
                variant="soft",
                color_scheme="gray",
                size="2",
                data_testid="language-switch",
            ),
        ),
        rx.dropdown_menu.content(
            *[
                rx.dropdown_menu.item(
                    name,
                    on_click=SessionState.switch_language(code),
                    data_testid=f"language-{code}",
                )
                for code, name in LANGUAGES.items()
            ]
        ),
    )


def _initials() -> rx.Var[str]:
    return SessionState.user_name.to(str)[0:1].upper()


def sign_out_form(*children: rx.Component, **props: object) -> rx.Component:
    """A form whose submit signs out (the server clears the HttpOnly cookie)."""
    return PlainForm.create(*children, action="/auth/logout", method="post", **props)


def user_menu() -> rx.Component:
    """The signed-in user, their roles, and sign out."""
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.button(
                rx.avatar(fallback=_initials(), size="1", radius="full"),
                rx.text(SessionState.user_name, display=["none", "inline"]),
                rx.icon("chevron-down", size=14),
                variant="ghost",
                color_scheme="gray",
                size="2",
                data_testid="user-menu",
            ),
        ),
        rx.dropdown_menu.content(
            rx.box(
                rx.text(SessionState.user_name, weight="bold", size="2"),
                rx.text(SessionState.user_email, size="1", color_scheme="gray"),
                rx.hstack(
                    rx.foreach(
                        SessionState.role_labels, lambda r: rx.badge(T_var(r), variant="soft")
                    ),
                    spacing="1",
                    wrap="wrap",
                    margin_top="6px",
                ),
                padding="8px 12px",
            ),
            rx.dropdown_menu.separator(),
            sign_out_form(
                rx.el.button(
                    rx.hstack(
                        rx.icon("log-out", size=15),
                        rx.text(T("Sign out"), size="2"),
                        align="center",
                        spacing="2",
                    ),
                    type="submit",
                    data_testid="sign-out",
                    style={
                        "width": "100%",
                        "padding": "6px 12px",
                        "background": "none",
                        "border": "none",
                        "cursor": "pointer",
                        "color": "var(--gray-12)",
                        "textAlign": "left",
                    },
                )
            ),
            min_width="240px",
        ),
    )


def top_bar(title: rx.Var[str]) -> rx.Component:
    """Page title, language and user menus."""
    return rx.hstack(
        mobile_menu(),
        rx.heading(title, size="5", weight="medium", data_testid="page-title", trim="both"),
        rx.spacer(),
        language_menu(),
        user_menu(),
        align="center",
        spacing="3",
        padding_x=["12px", "16px", "28px"],
        height="60px",
        border_bottom="1px solid var(--gray-4)",
        background="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
    )


def denied_panel() -> rx.Component:
    """What a user sees instead of a page they may not open: a message, and no data."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.center(
                    rx.icon("shield-x", size=28, color="var(--red-11)"),
                    width="56px",
                    height="56px",
                    border_radius="50%",
                    background="var(--red-3)",
                ),
                rx.heading(
                    T("You don't have permission to open this page."), size="4", align="center"
                ),
                rx.text(
                    T(
                        "Your roles do not include access to this area. "
                        "Ask an administrator if you need it."
                    ),
                    color_scheme="gray",
                    align="center",
                    size="2",
                ),
                rx.link(rx.button(T("Go to dashboards"), variant="soft"), href="/dashboards"),
                align="center",
                spacing="3",
                padding="12px",
            ),
            max_width="460px",
            data_testid="access-denied",
        ),
        padding_top="10vh",
    )


def page_shell(content: rx.Component, title: rx.Var[str]) -> rx.Component:
    """A signed-in page: navigation, top bar, and the content (or the denial)."""
    return rx.flex(
        sidebar(),
        rx.box(
            top_bar(title),
            rx.box(
                rx.cond(SessionState.denied != "", denied_panel(), content),
                padding=["16px", "20px", "28px"],
                max_width="1280px",
            ),
            flex="1",
            min_width="0",
            background="var(--gray-2)",
            min_height="100vh",
        ),
        width="100%",
    )
