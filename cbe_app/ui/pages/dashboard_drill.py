"""Drill-down: click a bar, a slice or a table row of a widget to see the rows behind it.

The rows are read a page at a time on the server (`reports.refresh.rows_behind`), so a bar
of a million orders opens as fast as a bar of ten.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.config import get_settings
from cbe_app.core.errors import UserError
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.reports.boards import dashboard
from cbe_app.reports.refresh import DRILL_PAGE_SIZE, rows_behind
from cbe_app.reports.tiles import format_value
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.i18n import LocaleState, T, T_var
from cbe_app.ui.pages.board_state import BoardState


class DrillState(rx.State):
    """The rows behind the point a viewer clicked, one page at a time."""

    open: bool = False
    title: str = ""  # the widget's title and the point's label
    headers: list[str] = []  # message ids
    cells: list[list[str]] = []
    total: int = 0
    page: int = 1
    problem: str = ""
    _widget: str = ""
    _values: list[Any] = []

    @rx.var
    def pages(self) -> int:
        """How many pages the rows fill."""
        return max(1, -(-self.total // DRILL_PAGE_SIZE))

    @rx.event
    @guarded(Permission.VIEW_DASHBOARDS)
    async def open_point(self, widget_id: str, label: str, key: str) -> None:
        """Show the first page of rows behind a point (`key`: its dimensions' values)."""
        try:
            values = json.loads(key)
        except ValueError:
            values = None
        if not isinstance(values, list):
            return
        board = await self.get_state(BoardState)
        tile = next((t for t in board.tiles if t["id"] == widget_id), None)
        self._widget, self._values, self.page = widget_id, values, 1
        self.title = f"{tile['title'] if tile else widget_id} · {label}"
        self.open = True
        await self._load()

    @rx.event
    @guarded(Permission.VIEW_DASHBOARDS)
    async def turn(self, step: int) -> None:
        """Go to the next (1) or previous (-1) page."""
        wanted = self.page + int(step)
        if 1 <= wanted <= self.pages:
            self.page = wanted
            await self._load()

    @rx.event
    @guarded(Permission.VIEW_DASHBOARDS)
    async def set_open(self, value: bool) -> None:
        """Close the rows."""
        self.open = value

    async def _load(self) -> None:
        board = await self.get_state(BoardState)
        locale = (await self.get_state(LocaleState)).locale
        principal, key, chosen = current_principal(), board.key, board._chosen_filters()
        widget_id, values, page = self._widget, list(self._values), self.page
        currency = get_settings().base_currency

        def read() -> tuple[list[str], list[list[str]], int]:
            with session_scope() as session:
                found = dashboard(session, key, principal)
                widget = next((w for w in found.widgets if w.id == widget_id), None)
                if widget is None:
                    return [], [], 0
                listing = rows_behind(
                    session, widget, values, chosen, page=page, now=utcnow(), base_currency=currency
                )
            headers = [c.label for c in listing.columns]
            cells = [
                [_cell(row.get(c.key), c.type, currency, locale) for c in listing.columns]
                for row in listing.rows
            ]
            return headers, cells, listing.total

        try:
            self.headers, self.cells, self.total = await asyncio.to_thread(read)
            self.problem = ""
        except UserError as exc:
            self.headers, self.cells, self.total, self.problem = [], [], 0, exc.text


def _cell(value: Any, field_type: str, currency: str, locale: str) -> str:
    if value is None:
        return ""
    if field_type == "money":
        return format_value(value, "money", currency, locale)
    if isinstance(value, datetime):  # times are stored in UTC
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def drill_dialog() -> rx.Component:
    """The rows behind the clicked point, with paging."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(DrillState.title),
            rx.text(
                T("{count} rows", count=DrillState.total.to_string()),
                size="2",
                color_scheme="gray",
                data_testid="drill-total",
            ),
            rx.cond(DrillState.problem != "", rx.callout(DrillState.problem, color_scheme="red")),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.foreach(
                                DrillState.headers,
                                lambda h: rx.table.column_header_cell(T_var(h)),
                            )
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            DrillState.cells,
                            lambda row: rx.table.row(
                                rx.foreach(row, rx.table.cell), data_testid="drill-row"
                            ),
                        )
                    ),
                    size="1",
                    width="100%",
                ),
                max_height="60vh",
                overflow_y="auto",
                margin_y="12px",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("chevron-left", size=14),
                    on_click=DrillState.turn(-1),
                    disabled=DrillState.page <= 1,
                    variant="soft",
                    size="1",
                    data_testid="drill-previous",
                ),
                rx.text(
                    T(
                        "Page {page} of {pages}",
                        page=DrillState.page.to_string(),
                        pages=DrillState.pages.to_string(),
                    ),
                    size="2",
                    data_testid="drill-page",
                ),
                rx.button(
                    rx.icon("chevron-right", size=14),
                    on_click=DrillState.turn(1),
                    disabled=DrillState.page >= DrillState.pages,
                    variant="soft",
                    size="1",
                    data_testid="drill-next",
                ),
                rx.spacer(),
                rx.dialog.close(rx.button(T("Close"), variant="soft", color_scheme="gray")),
                width="100%",
                align="center",
            ),
            max_width="960px",
            width="94vw",
            data_testid="drill",
        ),
        open=DrillState.open,
        on_open_change=DrillState.set_open,
    )
