"""Order 360: an order's header and lines, and one timeline from every source."""

from __future__ import annotations

import asyncio

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.core.errors import NotFound
from cbe_app.db import session_scope
from cbe_app.hub.timeline import order_view
from cbe_app.ui.components.formatting import when
from cbe_app.ui.components.records import back_link, fact, facts_card, table_card
from cbe_app.ui.components.timeline import MomentView, moment_view, timeline
from cbe_app.ui.guard import guarded
from cbe_app.ui.i18n import T
from cbe_app.ui.pages.orders import status_badge


class Order360State(rx.State):
    """One order with everything that happened to it."""

    found: bool = False
    header: dict[str, str] = {}
    lines: list[list[str]] = []
    moments: list[MomentView] = []

    @rx.event
    @guarded(Permission.VIEW_ORDERS)
    async def load(self) -> None:
        """Read the order named in the address."""
        raw = str(self.router.page.params.get("order_id", ""))
        self.found = False
        if not raw.isdigit():
            return
        try:
            view = await asyncio.to_thread(_order, int(raw))
        except NotFound:
            return
        self.header, self.lines, self.moments = view
        self.found = True


def _order(order_id: int) -> tuple[dict[str, str], list[list[str]], list[MomentView]]:
    with session_scope() as session:
        v = order_view(session, order_id)
    header = {
        "id": v.external_id,
        "channel": v.channel,
        "status": v.status,
        "payment_status": v.payment_status,
        "placed": when(v.placed_at),
        "total": f"{v.total} {v.currency}",
        "total_base": f"{v.total_base} {v.base_currency}",
        "rate": f"{v.fx_rate} ({v.fx_source}, {v.fx_date})",
        "country": v.country,
        "email": v.customer_email,
        "customer": str(v.customer_id) if v.customer_id else "",
    }
    lines = [[sku, str(qty), f"{price} {v.currency}"] for sku, qty, price in v.lines]
    return header, lines, [moment_view(m) for m in v.timeline]


def _line(line: rx.Var[list[str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(line[0])),
        rx.table.cell(line[1], text_align="right"),
        rx.table.cell(line[2], text_align="right", white_space="nowrap"),
        data_testid="order-line",
    )


def _buyer(h: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.cond(
        h["customer"] != "",
        rx.link(h["email"], href="/customers/" + h["customer"], size="2"),
        rx.text("—", size="2"),
    )


def order_360_content() -> rx.Component:
    """Order 360."""
    h = Order360State.header
    return rx.cond(
        Order360State.found,
        rx.vstack(
            back_link(T("All orders"), "/orders"),
            facts_card(
                fact(T("Order"), rx.heading(h["id"], size="4", data_testid="order-360-id")),
                fact(T("Channel"), h["channel"]),
                fact(T("Status"), status_badge(h["status"])),
                fact(T("Payment"), status_badge(h["payment_status"])),
                fact(T("Placed"), h["placed"]),
                fact(T("Total"), h["total"]),
                fact(T("In base currency"), h["total_base"]),
                fact(T("Rate"), h["rate"]),
                fact(T("Country"), h["country"]),
                fact(T("Buyer"), _buyer(h)),
                testid="order-360",
            ),
            table_card(
                [T("SKU"), T("Quantity"), T("Unit price")],
                rx.table.body(rx.foreach(Order360State.lines, _line)),
            ),
            rx.heading(T("Timeline"), size="4"),
            timeline(Order360State.moments),
            spacing="4",
            width="100%",
        ),
        rx.text(T("No such order."), color_scheme="gray"),
    )
