"""Customers: one record per buyer across channels, and Customer 360."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import TypedDict

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.config import get_settings
from cbe_app.core.errors import NotFound, UserError
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.search import find_customers
from cbe_app.hub.tags import add_tag, remove_tag, tags_of
from cbe_app.hub.timeline import customer_view
from cbe_app.ui.components.records import back_link, fact, facts_card, search_box, table_card
from cbe_app.ui.components.timeline import MomentView, moment_view, timeline
from cbe_app.ui.guard import current_principal, guarded
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


def _tags(customer_id: int) -> list[str]:
    with session_scope() as session:
        return tags_of(session, customer_id)


class Customer360State(rx.State):
    """One customer across channels, and their tags."""

    found: bool = False
    customer_id: int = 0
    header: dict[str, str] = {}
    orders: list[OrderListRow] = []
    moments: list[MomentView] = []
    tags: list[str] = []
    can_tag: bool = False
    tag_error: str = ""

    @rx.event
    @guarded(Permission.VIEW_CUSTOMERS)
    async def load(self) -> None:
        """Read the customer named in the address."""
        raw = str(self.router.page.params.get("customer_id", ""))[:12]
        self.found, self.tag_error = False, ""
        self.can_tag = current_principal().can(Permission.TAG_CUSTOMERS)
        if not raw.isdigit():
            return
        try:
            self.header, self.orders, self.moments = await asyncio.to_thread(_customer, int(raw))
        except NotFound:
            return
        self.customer_id, self.found = int(raw), True
        self.tags = await asyncio.to_thread(_tags, self.customer_id)

    @rx.event
    @guarded(Permission.TAG_CUSTOMERS)
    async def add_tag(self, form: dict[str, str]) -> None:
        """Put the typed tag on the customer."""
        text, actor = str(form.get("tag", ""))[:200], current_principal().user_id

        def store() -> None:
            with session_scope() as session:
                add_tag(session, self.customer_id, text, actor_id=actor, now=utcnow())

        try:
            await asyncio.to_thread(store)
        except UserError as exc:
            self.tag_error = exc.text
            return
        self.tag_error = ""
        self.tags = await asyncio.to_thread(_tags, self.customer_id)

    @rx.event
    @guarded(Permission.TAG_CUSTOMERS)
    async def remove_tag(self, tag: str) -> None:
        """Take a tag off the customer."""
        actor = current_principal().user_id

        def drop() -> None:
            with session_scope() as session:
                remove_tag(session, self.customer_id, str(tag)[:60], actor_id=actor, now=utcnow())

        await asyncio.to_thread(drop)
        self.tags = await asyncio.to_thread(_tags, self.customer_id)


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


def _tag(tag: rx.Var[str]) -> rx.Component:
    return rx.badge(
        tag,
        rx.cond(
            Customer360State.can_tag,
            rx.icon(
                "x",
                size=12,
                cursor="pointer",
                on_click=Customer360State.remove_tag(tag),
                data_testid="tag-remove",
            ),
        ),
        size="2",
        variant="soft",
        data_testid="customer-tag",
    )


def _tags_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(T("Tags"), weight="medium"),
                rx.foreach(Customer360State.tags, _tag),
                rx.cond(
                    Customer360State.tags.length() == 0,
                    rx.text(T("No tags yet."), size="2", color_scheme="gray"),
                ),
                wrap="wrap",
                align="center",
                spacing="2",
            ),
            rx.cond(
                Customer360State.can_tag,
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="tag",
                            placeholder=T("e.g. US-high-value-repeat"),
                            size="1",
                            width="240px",
                            data_testid="tag-input",
                        ),
                        rx.button(T("Add tag"), type="submit", size="1", data_testid="tag-add"),
                        align="center",
                    ),
                    on_submit=Customer360State.add_tag,
                    reset_on_submit=True,
                ),
            ),
            rx.cond(
                Customer360State.tag_error != "",
                rx.text(Customer360State.tag_error, size="1", color_scheme="red"),
            ),
            spacing="2",
        ),
        width="100%",
        data_testid="customer-tags",
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
            _tags_card(),
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
