"""Customers: one record per buyer across channels, and Customer 360."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import TypedDict

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.config import get_settings
from cbe_app.core.errors import NotFound
from cbe_app.db import session_scope
from cbe_app.hub.search import find_customers
from cbe_app.hub.timeline import customer_view
from cbe_app.ui.components.records import back_link, fact, facts_card, search_box, table_card
from cbe_app.ui.components.timeline import MomentView, moment_view, timeline
from cbe_app.ui.guard import guarded
from cbe_app.ui.i18n import T
from cbe_app.ui.pages.orders import OrderListRow, list_row, status_badge


class CustomerRow(TypedDict):
    """A customer in the list."""

    id: int
    name: str
    email: str
    country: str
    orders: int


def _find(text: str) -> list[CustomerRow]:
    with session_scope() as session:
        return [CustomerRow(**asdict(c)) for c in find_customers(session, text)]  # type: ignore[typeddict-item]


class CustomersState(rx.State):
    """The customer list: newest first, or those matching a search."""

    rows: list[CustomerRow] = []

    @rx.event
    @guarded(Permission.VIEW_CUSTOMERS)
    async def load(self) -> None:
        """The newest customers."""
        self.rows = await asyncio.to_thread(_find, "")

    @rx.event
    @guarded(Permission.VIEW_CUSTOMERS)
    async def search(self, form: dict[str, str]) -> None:
        """Customers whose name or e-mail contains the text."""
        self.rows = await asyncio.to_thread(_find, str(form.get("q", ""))[:100])


def _customer_row(c: CustomerRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                rx.cond(c["name"] != "", c["name"], "—"),
                href="/customers/" + c["id"].to(str),
                data_testid="customer-link",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(rx.text(c["email"], size="2")),
        rx.table.cell(c["country"]),
        rx.table.cell(c["orders"].to(str), text_align="right"),
    )


def customers_content() -> rx.Component:
    """The customer list."""
    return rx.vstack(
        search_box(T("Name or e-mail"), CustomersState.search, "customer-search"),
        table_card(
            [T("Customer"), T("E-mail"), T("Country"), T("Orders")],
            rx.table.body(rx.foreach(CustomersState.rows, _customer_row)),
        ),
        spacing="4",
        width="100%",
    )


def _customer(customer_id: int) -> tuple[dict[str, str], list[OrderListRow], list[MomentView]]:
    with session_scope() as session:
        v = customer_view(session, customer_id, get_settings().base_currency)
    header = {
        "name": v.name or "—",
        "email": v.email or "—",
        "phone": v.phone or "—",
        "country": v.country,
        "orders": str(v.order_count),
        "lifetime": v.lifetime_base,
    }
    return header, [list_row(r) for r in v.orders], [moment_view(m) for m in v.timeline]


class Customer360State(rx.State):
    """One customer across channels."""

    found: bool = False
    header: dict[str, str] = {}
    orders: list[OrderListRow] = []
    moments: list[MomentView] = []

    @rx.event
    @guarded(Permission.VIEW_CUSTOMERS)
    async def load(self) -> None:
        """Read the customer named in the address."""
        raw = str(self.router.page.params.get("customer_id", ""))
        self.found = False
        if not raw.isdigit():
            return
        try:
            self.header, self.orders, self.moments = await asyncio.to_thread(_customer, int(raw))
        except NotFound:
            return
        self.found = True


def _order_row(o: OrderListRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(o["external_id"], href="/orders/" + o["id"].to(str)), white_space="nowrap"
        ),
        rx.table.cell(o["channel"], white_space="nowrap"),
        rx.table.cell(o["placed"], white_space="nowrap"),
        rx.table.cell(status_badge(o["status"])),
        rx.table.cell(o["total"], text_align="right", white_space="nowrap"),
    )


def customer_360_content() -> rx.Component:
    """Customer 360."""
    h = Customer360State.header
    return rx.cond(
        Customer360State.found,
        rx.vstack(
            back_link(T("All customers"), "/customers"),
            facts_card(
                fact(T("Customer"), rx.heading(h["name"], size="4")),
                fact(T("E-mail"), h["email"]),
                fact(T("Phone"), h["phone"]),
                fact(T("Country"), h["country"]),
                fact(T("Orders"), h["orders"]),
                fact(T("Lifetime value"), h["lifetime"]),
                testid="customer-360",
            ),
            table_card(
                [T("Order"), T("Channel"), T("Placed"), T("Status"), T("Total")],
                rx.table.body(rx.foreach(Customer360State.orders, _order_row)),
            ),
            rx.heading(T("Timeline"), size="4"),
            timeline(Customer360State.moments),
            spacing="4",
            width="100%",
        ),
        rx.text(T("No such customer."), color_scheme="gray"),
    )
