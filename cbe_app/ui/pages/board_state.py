"""One dashboard's screen state: its tiles under the viewer's filters, live.

A dashboard refreshes itself whenever a worker commits orders, parcels or payments (the
`facts` topic), without a reload. Viewers narrow it by period, channel and country; builders
drag and resize its widgets (each finished move saves the dashboard's next version), share
it with roles and duplicate it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Permission, Role
from cbe_app.changes import FACTS, Change
from cbe_app.config import get_settings
from cbe_app.core.errors import NotFound, UserError
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.packs.transfer import export_text
from cbe_app.reports import boards
from cbe_app.reports.dashboard import DashboardFilters, Layout
from cbe_app.reports.refresh import refresh
from cbe_app.reports.spec import Period, PeriodPreset
from cbe_app.reports.tiles import TileView, tile_view
from cbe_app.ui import live
from cbe_app.ui.guard import current_principal, guarded, resolve_principal
from cbe_app.ui.i18n import LocaleState

PERIODS = [p.value for p in PeriodPreset]


def _board(
    key: str, principal: Principal, chosen: DashboardFilters | None, locale: str
) -> dict[str, Any]:
    """A dashboard's tiles under `chosen` filters (its own defaults when None)."""
    language = "zh_CN" if locale.startswith("zh") else "en"
    with session_scope() as session:
        board = boards.dashboard(session, key, principal)
        filters = chosen or board.filters
        tiles = refresh(session, board, filters, utcnow(), get_settings().base_currency)
        channels, countries = boards.filter_choices(session)
    views = [tile_view(t, locale) for t in tiles]
    return {
        "title": board.title.get(language),
        "description": board.description.get(language),
        "filters": filters,
        "tiles": views,
        "channel_options": channels,
        "country_options": countries,
        "shared_with": [r.value for r in board.shared_with],
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
    channels: list[str] = []  # the dashboard-wide filters chosen (none: every one)
    countries: list[str] = []
    channel_options: list[str] = []
    country_options: list[str] = []
    editing: bool = False  # a builder has the palette and the widgets' pencils open
    shared_with: list[str] = []  # role values
    share_open: bool = False
    duplicate_open: bool = False

    def _chosen_filters(self) -> DashboardFilters:
        """The filters the viewer has chosen on the screen."""
        preset = PeriodPreset(self.period) if self.period in PERIODS else PeriodPreset.ALL_TIME
        return DashboardFilters(
            period=Period(preset=preset), channels=self.channels, countries=self.countries
        )

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
        self.period, self.message, self.editing = "", "", False
        self.channels, self.countries = [], []
        principal = current_principal()
        self.can_edit = principal.can(Permission.USE_BUILDERS)
        await self._refresh(principal, initial=True)
        if self.found:
            live.watch(FACTS, self.router.session.client_token, BoardState)

    async def _refresh(self, principal: Principal, *, initial: bool = False) -> None:
        locale = (await self.get_state(LocaleState)).locale
        chosen = None if initial else self._chosen_filters()
        try:
            board = await asyncio.to_thread(_board, self.key, principal, chosen, locale)
        except NotFound:
            self.found, self.tiles, self.layout = False, [], []
            return
        self.found = True
        self.title, self.description = board["title"], board["description"]
        filters: DashboardFilters = board["filters"]
        self.period = (filters.period.preset or PeriodPreset.ALL_TIME).value
        self.channels, self.countries = list(filters.channels), list(filters.countries)
        self.channel_options, self.country_options = (
            board["channel_options"],
            board["country_options"],
        )
        self.shared_with, self.tiles = board["shared_with"], board["tiles"]
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

    async def _reload(self) -> None:
        """Show the dashboard as stored now (after the designer saved a change)."""
        await self._refresh(current_principal())

    @rx.event
    @guarded(Permission.VIEW_DASHBOARDS)
    async def toggle_channel(self, name: str) -> None:
        """Narrow every widget to a channel too, or stop narrowing to it."""
        if name in self.channels:
            self.channels = [c for c in self.channels if c != name]
        elif name in self.channel_options:
            self.channels = [*self.channels, name]
        await self._refresh(current_principal())

    @rx.event
    @guarded(Permission.VIEW_DASHBOARDS)
    async def toggle_country(self, code: str) -> None:
        """Narrow every widget to a country too, or stop narrowing to it."""
        if code in self.countries:
            self.countries = [c for c in self.countries if c != code]
        elif code in self.country_options:
            self.countries = [*self.countries, code]
        await self._refresh(current_principal())

    @rx.event
    @guarded(Permission.VIEW_DASHBOARDS)
    async def clear_filters(self) -> None:
        """Every channel and country again."""
        self.channels, self.countries = [], []
        await self._refresh(current_principal())

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def toggle_editing(self) -> None:
        """Open or close the palette and the widgets' pencils."""
        self.editing = not self.editing

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_share_open(self, value: bool) -> None:
        """Open or close the share dialog."""
        self.share_open = value

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_duplicate_open(self, value: bool) -> None:
        """Open or close the duplicate dialog."""
        self.duplicate_open = value

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def save_sharing(self, form: dict[str, Any]) -> None:
        """Share the dashboard with the roles ticked in the dialog."""
        roles = [r for r in Role if form.get(r.value) in ("on", True, "true")]
        principal = current_principal()

        def store() -> None:
            with session_scope() as session:
                boards.share(session, self.key, roles, principal=principal, now=utcnow())

        try:
            await asyncio.to_thread(store)
        except UserError as exc:
            self.message = exc.text
            return
        self.shared_with, self.share_open, self.message = [r.value for r in roles], False, ""

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def duplicate(self, form: dict[str, Any]) -> Any:
        """Copy the dashboard under a new title and open the copy."""
        title = str(form.get("title", ""))
        principal = current_principal()

        def store() -> str:
            with session_scope() as session:
                copy = boards.duplicate(session, self.key, title, principal=principal, now=utcnow())
            return copy.key

        try:
            key = await asyncio.to_thread(store)
        except UserError as exc:
            self.message = exc.text
            return None
        self.duplicate_open, self.message = False, ""
        return rx.redirect(f"/dashboards/{key}")

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def export(self) -> Any:
        """Download the dashboard as a YAML file (import it with `definitions import`)."""
        principal = current_principal()

        def text() -> str:
            with session_scope() as session:
                return export_text(boards.dashboard(session, self.key, principal))

        try:
            data = await asyncio.to_thread(text)
        except UserError as exc:
            self.message = exc.text
            return None
        return rx.download(data=data, filename=f"{self.key}.yaml")

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
                boards.save_layout(session, self.key, positions, principal=principal, now=utcnow())

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
