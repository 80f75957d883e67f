"""Dashboards: the list of those a person may open, and one dashboard, live.

A dashboard refreshes itself whenever a worker commits orders, parcels or payments (the
`facts` topic), without a reload. Builders drag and resize its widgets; each finished move
saves the dashboard's next version.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import reflex as rx

from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Permission
from cbe_app.changes import FACTS, Change
from cbe_app.config import get_settings
from cbe_app.core.errors import NotFound, UserError
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.reports.boards import dashboard, save_layout, visible_dashboards
from cbe_app.reports.dashboard import DashboardFilters, Layout
from cbe_app.reports.refresh import refresh
from cbe_app.reports.spec import Period, PeriodPreset
from cbe_app.reports.tiles import TileView, tile_view
from cbe_app.ui import live
from cbe_app.ui.components.dashboard_tiles import tile_body
from cbe_app.ui.guard import current_principal, guarded, resolve_principal
from cbe_app.ui.i18n import LocaleState, T
from cbe_app.ui.wrapped.grid import dashboard_grid

PERIOD_LABELS = {
    PeriodPreset.TODAY: "Today",
    PeriodPreset.YESTERDAY: "Yesterday",
    PeriodPreset.LAST_7_DAYS: "Last 7 days",
    PeriodPreset.LAST_30_DAYS: "Last 30 days",
    PeriodPreset.THIS_MONTH: "This month",
    PeriodPreset.LAST_MONTH: "Last month",
    PeriodPreset.THIS_QUARTER: "This quarter",
    PeriodPreset.THIS_YEAR: "This year",
    PeriodPreset.LAST_12_MONTHS: "Last 12 months",
    PeriodPreset.ALL_TIME: "All time",
}
PERIODS = [p.value for p in PeriodPreset]


class BoardCard(TypedDict):
    """A dashboard in the list."""

    key: str
    title: str
    description: str


def _cards(principal: Principal, locale: str) -> list[BoardCard]:
    language = "zh_CN" if locale.startswith("zh") else "en"
    with session_scope() as session:
        boards = visible_dashboards(session, principal)
    return [
        BoardCard(key=b.key, title=b.title.get(language), description=b.description.get(language))
        for b in boards
    ]


class DashboardsState(rx.State):
    """The dashboards this person may open."""

    boards: list[BoardCard] = []

    @rx.event
    @guarded(Permission.VIEW_DASHBOARDS)
    async def load(self) -> None:
        """List them."""
        locale = (await self.get_state(LocaleState)).locale
        self.boards = await asyncio.to_thread(_cards, current_principal(), locale)


def _board(key: str, principal: Principal, period: str, locale: str) -> dict[str, Any]:
    language = "zh_CN" if locale.startswith("zh") else "en"
    with session_scope() as session:
        board = dashboard(session, key, principal)
        chosen = board.filters
        if period:
            chosen = DashboardFilters(period=Period(preset=PeriodPreset(period)))
        tiles = refresh(session, board, chosen, utcnow(), get_settings().base_currency)
    views = [tile_view(t, locale) for t in tiles]
    return {
        "title": board.title.get(language),
        "description": board.description.get(language),
        "period": (chosen.period.preset or PeriodPreset.ALL_TIME).value,
        "tiles": views,
    }


def _layout(tiles: list[TileView]) -> list[dict[str, Any]]:
    return [
        {
            "i": t["id"],
            "x": t["x_pos"],
            "y": t["y_pos"],
            "w": t["w"],
            "h": t["h"],
            "minW": 2,
            "minH": 2,
        }
        for t in tiles
    ]


class BoardState(rx.State):
    """One dashboard, live."""

    key: str = ""
    found: bool = False
    title: str = ""
    description: str = ""
    period: str = ""
    tiles: list[TileView] = []
    layout: list[dict[str, Any]] = []
    can_edit: bool = False
    refreshed: str = ""  # the time of the last refresh, so a viewer sees it is live
    refreshes: int = 0
    message: str = ""

    @rx.var
    def positions(self) -> str:
        """Where each widget is, as `id:x,y,w,h` (what tests and support staff read)."""
        return " ".join(
            f"{item['i']}:{item['x']},{item['y']},{item['w']},{item['h']}" for item in self.layout
        )

    @rx.event
    @guarded(Permission.VIEW_DASHBOARDS)
    async def load(self) -> None:
        """Open the dashboard named in the address and follow the hub's changes."""
        self.key = str(self.router.page.params.get("key", ""))[:64]
        self.period, self.message = "", ""
        principal = current_principal()
        self.can_edit = principal.can(Permission.USE_BUILDERS)
        await self._refresh(principal)
        if self.found:
            live.watch(FACTS, self.router.session.client_token, BoardState)

    async def _refresh(self, principal: Principal) -> None:
        locale = (await self.get_state(LocaleState)).locale
        try:
            board = await asyncio.to_thread(_board, self.key, principal, self.period, locale)
        except NotFound:
            self.found, self.tiles, self.layout = False, [], []
            return
        self.found = True
        self.title, self.description = board["title"], board["description"]
        self.period, self.tiles = board["period"], board["tiles"]
        self.layout = _layout(self.tiles)
        self.refreshed = utcnow().strftime("%H:%M:%S UTC")
        self.refreshes += 1

    @rx.event
    @guarded(Permission.VIEW_DASHBOARDS)
    async def set_period(self, period: str) -> None:
        """Show every widget over another period."""
        if period in PERIODS:
            self.period = period
            await self._refresh(current_principal())

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def moved(self, layout: list[dict[str, Any]]) -> None:
        """Save where the widgets are now (after a drag or a resize)."""
        positions = {}
        for item in layout:
            try:
                positions[str(item["i"])] = Layout(
                    x=int(item["x"]), y=int(item["y"]), w=int(item["w"]), h=int(item["h"])
                )
            except (KeyError, TypeError, ValueError):
                continue
        principal = current_principal()

        def save() -> None:
            with session_scope() as session:
                save_layout(session, self.key, positions, principal=principal, now=utcnow())

        try:
            await asyncio.to_thread(save)
        except UserError as exc:
            self.message = exc.text
            return
        self.message = ""
        self.layout = _layout(
            [
                {**t, **_position(positions.get(t["id"]))}  # type: ignore[typeddict-item]
                for t in self.tiles
            ]
        )

    async def _on_change(self, change: Change) -> bool:
        principal = await resolve_principal(self)
        if principal is None or not principal.can(Permission.VIEW_DASHBOARDS):
            self.tiles, self.layout = [], []
            return False
        await self._refresh(principal)
        return self.found


def _position(layout: Layout | None) -> dict[str, int]:
    if layout is None:
        return {}
    return {"x_pos": layout.x, "y_pos": layout.y, "w": layout.w, "h": layout.h}


def _card(board: BoardCard) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("layout-dashboard", size=18), rx.heading(board["title"], size="4")
                ),
                rx.text(board["description"], size="2", color_scheme="gray"),
                spacing="2",
            ),
            width="100%",
            _hover={"background": "var(--gray-3)"},
        ),
        href="/dashboards/" + board["key"],
        underline="none",
        width="340px",
        data_testid="dashboard-card",
    )


def dashboards_content() -> rx.Component:
    """Every dashboard the person may open."""
    return rx.vstack(
        rx.text(
            T("Live cockpits across every channel and country. Open one to see it move."),
            color_scheme="gray",
        ),
        rx.flex(rx.foreach(DashboardsState.boards, _card), gap="16px", wrap="wrap"),
        rx.cond(
            DashboardsState.boards.length() == 0,
            rx.text(T("No dashboard is shared with your roles yet."), color_scheme="gray"),
        ),
        spacing="4",
        width="100%",
    )


def _tile(tile: TileView) -> rx.Component:
    return rx.el.div(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(tile["title"], size="2", weight="medium", truncate=True),
                    rx.spacer(),
                    rx.cond(BoardState.can_edit, rx.icon("grip", size=14, color="var(--gray-8)")),
                    width="100%",
                    align="center",
                    class_name="cbe-tile-drag",
                ),
                rx.cond(
                    tile["problem"] != "",
                    rx.callout(
                        tile["problem"], icon="triangle-alert", color_scheme="red", size="1"
                    ),
                    tile_body(tile),
                ),
                spacing="2",
                height="100%",
                width="100%",
            ),
            height="100%",
            width="100%",
            overflow="hidden",
            data_testid="tile-" + tile["id"],
        ),
        key=tile["id"],
    )


def _period_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(data_testid="period"),
        rx.select.content(
            *[rx.select.item(T(label), value=p.value) for p, label in PERIOD_LABELS.items()],
        ),
        value=BoardState.period,
        on_change=BoardState.set_period,
        size="2",
    )


def board_content() -> rx.Component:
    """One dashboard: its filters and its widgets on the grid."""
    return rx.cond(
        BoardState.found,
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(BoardState.title, size="5", data_testid="board-title"),
                    rx.text(BoardState.description, size="2", color_scheme="gray"),
                    spacing="1",
                ),
                rx.spacer(),
                _period_picker(),
                rx.badge(
                    rx.icon("radio", size=12),
                    T("Live"),
                    " · ",
                    BoardState.refreshed,
                    color_scheme="green",
                    data_testid="live-badge",
                ),
                width="100%",
                align="center",
                spacing="3",
            ),
            rx.cond(BoardState.message != "", rx.callout(BoardState.message, color_scheme="red")),
            rx.text(BoardState.refreshes, id="refresh-count", display="none"),
            rx.text(BoardState.positions, id="positions", display="none"),
            dashboard_grid(
                rx.foreach(BoardState.tiles, _tile),
                layout=BoardState.layout,
                cols=12,
                row_height=64,
                is_draggable=BoardState.can_edit,
                is_resizable=BoardState.can_edit,
                draggable_cancel=".recharts-wrapper, a, button, input",
                on_drag_stop=BoardState.moved,
                on_resize_stop=BoardState.moved,
                width="100%",
            ),
            spacing="4",
            width="100%",
            data_testid="board",
        ),
        rx.callout(T("There is no such dashboard, or it is not shared with you."), icon="info"),
    )
