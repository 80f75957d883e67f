"""Orders: every channel's orders in one list, newest first."""

from __future__ import annotations

import asyncio
from typing import TypedDict

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.db import session_scope
from cbe_app.hub.search import PAGE_SIZE, OrderRow, find_orders
from cbe_app.ui.components.formatting import when
from cbe_app.ui.components.records import search_box, table_card
from cbe_app.ui.guard import guarded
from cbe_app.ui.i18n import T, T_var


class OrderListRow(TypedDict):
    """An order in the list."""

    id: int
    external_id: str
    channel: str
    placed: str
    status: str
    payment_status: str
    total: str
    country: str
    email: str


def _page(text: str, page: int, customer_id: int | None = None) -> tuple[list[OrderListRow], int]:
    with session_scope() as session:
        rows, total = find_orders(session, text, page, customer_id)
    return [list_row(r) for r in rows], total


def list_row(row: OrderRow) -> OrderListRow:
    """An order as the list shows it."""
    return OrderListRow(
        id=row.id,
        external_id=row.external_id,
        channel=row.channel,
        placed=when(row.placed_at),
        status=row.status,
        payment_status=row.payment_status,
        total=row.total,
        country=row.country,
        email=row.email,
    )


class OrdersState(rx.State):
    """The order list: search and paging."""

    rows: list[OrderListRow] = []
    total: int = 0
    page: int = 0
    query: str = ""

    @rx.var
    def pages(self) -> int:
        """How many pages the search has."""
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.event
    @guarded(Permission.VIEW_ORDERS)
    async def load(self) -> None:
        """First page of every order."""
        self.page = 0
        self.rows, self.total = await asyncio.to_thread(_page, self.query, 0)

    @rx.event
    @guarded(Permission.VIEW_ORDERS)
    async def search(self, form: dict[str, str]) -> None:
        """Orders whose id or buyer e-mail contains the text."""
        self.query, self.page = str(form.get("q", ""))[:100], 0
        self.rows, self.total = await asyncio.to_thread(_page, self.query, 0)

    @rx.event
    @guarded(Permission.VIEW_ORDERS)
    async def turn(self, delta: int) -> None:
        """The next or previous page."""
        self.page = min(max(self.page + int(delta), 0), self.pages - 1)
        self.rows, self.total = await asyncio.to_thread(_page, self.query, self.page)


def status_badge(status: rx.Var[str]) -> rx.Component:
    """An order or payment status, coloured by how far along it is."""
    colour = rx.match(
        status,
        ("delivered", "green"),
        ("paid", "green"),
        ("shipped", "blue"),
        ("partially_shipped", "blue"),
        ("cancelled", "gray"),
        ("voided", "gray"),
        ("returned", "orange"),
        ("refunded", "orange"),
        ("partially_refunded", "orange"),
        ("failed", "red"),
        "amber",
    )
    return rx.badge(T_var(status), color_scheme=colour)


def _list_row(row: OrderListRow) -> rx.Component:
    # One line per order: ids, dates and amounts never wrap; a long buyer e-mail is cut short.
    return rx.table.row(
        rx.table.cell(
            rx.link(
                row["external_id"], href="/orders/" + row["id"].to(str), data_testid="order-link"
            ),
            white_space="nowrap",
        ),
        rx.table.cell(rx.text(row["channel"], size="2"), white_space="nowrap"),
        rx.table.cell(rx.text(row["placed"], size="2", color_scheme="gray"), white_space="nowrap"),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(status_badge(row["payment_status"])),
        rx.table.cell(
            rx.text(row["total"], size="2", font_family="var(--code-font-family)"),
            white_space="nowrap",
            text_align="right",
        ),
        rx.table.cell(rx.text(row["country"], size="2")),
        rx.table.cell(
            rx.text(row["email"], size="1", color_scheme="gray", trim="both", truncate=True),
            max_width="220px",
        ),
        data_testid="order-row",
    )


def orders_content() -> rx.Component:
    """The order list."""
    return rx.vstack(
        search_box(T("Order id or buyer e-mail"), OrdersState.search, "order-search"),
        table_card(
            [
                T("Order"),
                T("Channel"),
                T("Placed"),
                T("Status"),
                T("Payment"),
                T("Total"),
                T("Country"),
                T("Buyer"),
            ],
            rx.table.body(rx.foreach(OrdersState.rows, _list_row)),
        ),
        rx.hstack(
            rx.button(
                rx.icon("chevron-left", size=15),
                on_click=OrdersState.turn(-1),
                variant="soft",
                disabled=OrdersState.page == 0,
                aria_label="Previous page",
            ),
            rx.text(
                T(
                    "Page {page} of {pages}",
                    page=(OrdersState.page + 1).to(str),
                    pages=OrdersState.pages.to(str),
                ),
                " · ",
                OrdersState.total.to(str),
                " ",
                T("orders"),
                size="2",
                color_scheme="gray",
            ),
            rx.button(
                rx.icon("chevron-right", size=15),
                on_click=OrdersState.turn(1),
                variant="soft",
                disabled=OrdersState.page + 1 >= OrdersState.pages,
                aria_label="Next page",
            ),
            align="center",
            spacing="3",
        ),
        spacing="4",
        width="100%",
    )
