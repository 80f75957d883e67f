"""Pieces every record screen shares: a search box, a back link, a card of facts."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cbe_app.ui.i18n import T


def search_box(placeholder: rx.Var[str], on_submit: Any, testid: str) -> rx.Component:
    """A text box and a Search button; the form sends {"q": text}."""
    return rx.form(
        rx.hstack(
            rx.input(name="q", placeholder=placeholder, width="280px", data_testid=testid),
            rx.button(rx.icon("search", size=15), T("Search"), type="submit"),
            spacing="2",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
    )


def back_link(label: rx.Var[str], href: str) -> rx.Component:
    """Back to the list a record was opened from."""
    return rx.link(
        rx.hstack(rx.icon("arrow-left", size=15), label, spacing="1", align="center"),
        href=href,
        size="2",
    )


def fact(label: rx.Var[str], value: rx.Var[str] | rx.Component) -> rx.Component:
    """A small grey label above its value."""
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        value if isinstance(value, rx.Component) else rx.text(value, size="2", weight="medium"),
        spacing="1",
    )


def facts_card(*facts: rx.Component, testid: str) -> rx.Component:
    """A record's header: its facts side by side, wrapping on narrow screens."""
    return rx.card(rx.flex(*facts, gap="24px", wrap="wrap"), width="100%", data_testid=testid)


def table_card(headers: list[rx.Var[str] | str], body: rx.Component) -> rx.Component:
    """A table with a header row in a card that scrolls sideways when too wide."""
    return rx.card(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            body,
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
    )


def intro_bar(text: rx.Var[str], action: rx.Component) -> rx.Component:
    """What a screen is for, with its main action at the right."""
    return rx.hstack(
        rx.text(text, color_scheme="gray"), rx.spacer(), action, width="100%", align="center"
    )
