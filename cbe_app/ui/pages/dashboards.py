"""Dashboards: the list of those a person may open, and one dashboard, live.

The dashboard screen shows the widgets on a grid under the viewer's filters (period,
channels, countries). Builders also get the designer: the palette and the inspector
(`dashboard_designer`), sharing by role and duplicating. A click on a bar, a slice or a
table row opens the rows behind it (`dashboard_drill`). The state is `board_state`.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import reflex as rx

from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import ROLE_LABELS, Permission
from cbe_app.core.i18n import N_
from cbe_app.db import session_scope
from cbe_app.reports.boards import visible_dashboards
from cbe_app.reports.period import PERIOD_LABELS
from cbe_app.reports.tiles import TileView
from cbe_app.ui.components.dashboard_tiles import tile_body
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.i18n import LocaleState, T
from cbe_app.ui.pages.board_state import BoardState
from cbe_app.ui.pages.dashboard_designer import DesignerState, inspector, palette
from cbe_app.ui.pages.dashboard_drill import DrillState, drill_dialog
from cbe_app.ui.wrapped.grid import dashboard_grid

__all__ = ["BoardState", "DashboardsState", "board_content", "dashboards_content"]


class BoardCard(TypedDict):
    """A dashboard in the list."""

    key: str
    title: str
    description: str


def _cards(principal: Principal, locale: str) -> list[BoardCard]:
    language = "zh_CN" if locale.startswith("zh") else "en"
    with session_scope() as session:
        found = visible_dashboards(session, principal)
    return [
        BoardCard(key=b.key, title=b.title.get(language), description=b.description.get(language))
        for b in found
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
                    _edit_pencil(tile),
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
                    tile_body(tile, _drill),
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


def _drill(tile: TileView, label: Any, key: Any) -> Any:
    return DrillState.open_point(tile["id"], label, key)


def _edit_pencil(tile: TileView) -> rx.Component:
    return rx.cond(
        BoardState.editing,
        rx.icon_button(
            rx.icon("pencil", size=12),
            on_click=DesignerState.edit(tile["id"]),
            variant="ghost",
            size="1",
            data_testid="edit-" + tile["id"],
        ),
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


def _choices(
    label: str, icon: str, chosen: Any, options: Any, *, toggle: Any, testid: str
) -> rx.Component:
    """A button that opens a list of checkboxes; none ticked means every one."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon(icon, size=14),
                rx.cond(
                    chosen.length() == 0,
                    T(label),
                    chosen.join(", "),
                ),
                rx.icon("chevron-down", size=12),
                variant="surface",
                color_scheme="gray",
                size="2",
                max_width="220px",
                overflow="hidden",
                data_testid=testid,
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.foreach(
                    options,
                    lambda option: rx.text(
                        rx.flex(
                            rx.checkbox(
                                checked=chosen.contains(option),
                                on_change=lambda _: toggle(option),
                            ),
                            option,
                            gap="2",
                            align="center",
                        ),
                        as_="label",
                        size="2",
                        data_testid=testid + "-option",
                    ),
                ),
                rx.cond(
                    chosen.length() > 0,
                    rx.button(
                        T("Show all"), on_click=BoardState.clear_filters, variant="ghost", size="1"
                    ),
                ),
                spacing="1",
                max_height="320px",
                overflow_y="auto",
            ),
            size="1",
        ),
    )


def _share_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("users", size=14),
                T("Share"),
                variant="soft",
                size="2",
                data_testid="share",
            )
        ),
        rx.dialog.content(
            rx.dialog.title(T("Share with roles")),
            rx.text(
                T("Administrators and builders always see every dashboard."),
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    *[
                        rx.text(
                            rx.flex(
                                rx.checkbox(
                                    name=role.value,
                                    default_checked=BoardState.shared_with.contains(role.value),
                                ),
                                T(label),
                                gap="2",
                            ),
                            as_="label",
                            size="2",
                        )
                        for role, label in ROLE_LABELS.items()
                    ],
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(T("Cancel"), variant="soft", color_scheme="gray")
                        ),
                        rx.button(T("Save"), type="submit", data_testid="share-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    margin_top="12px",
                ),
                on_submit=BoardState.save_sharing,
            ),
            max_width="420px",
        ),
        open=BoardState.share_open,
        on_open_change=BoardState.set_share_open,
    )


def _duplicate_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("copy", size=14),
                T("Duplicate"),
                variant="soft",
                size="2",
                data_testid="duplicate",
            )
        ),
        rx.dialog.content(
            rx.dialog.title(T("Duplicate dashboard")),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="title",
                        default_value=BoardState.title + " (2)",
                        width="100%",
                        data_testid="duplicate-title",
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(T("Cancel"), variant="soft", color_scheme="gray")
                        ),
                        rx.button(T("Duplicate"), type="submit", data_testid="duplicate-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=BoardState.duplicate,
            ),
            max_width="420px",
        ),
        open=BoardState.duplicate_open,
        on_open_change=BoardState.set_duplicate_open,
    )


def _builder_tools() -> rx.Component:
    return rx.cond(
        BoardState.can_edit,
        rx.hstack(
            rx.button(
                rx.icon(rx.cond(BoardState.editing, "check", "pencil"), size=14),
                rx.cond(BoardState.editing, T("Done"), T("Edit")),
                on_click=BoardState.toggle_editing,
                variant=rx.cond(BoardState.editing, "solid", "soft"),
                size="2",
                data_testid="edit-board",
            ),
            _share_dialog(),
            _duplicate_dialog(),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("download", size=14),
                    on_click=BoardState.export,
                    variant="soft",
                    size="2",
                    data_testid="export-board",
                ),
                content=T("Export as a file"),
            ),
            spacing="2",
        ),
    )


def _filters_bar() -> rx.Component:
    return rx.hstack(
        _period_picker(),
        _choices(
            N_("All channels"),
            "store",
            BoardState.channels,
            BoardState.channel_options,
            toggle=BoardState.toggle_channel,
            testid="channel-filter",
        ),
        _choices(
            N_("All countries"),
            "globe",
            BoardState.countries,
            BoardState.country_options,
            toggle=BoardState.toggle_country,
            testid="country-filter",
        ),
        rx.badge(
            rx.icon("radio", size=12),
            T("Live"),
            " · ",
            BoardState.refreshed,
            color_scheme="green",
            data_testid="live-badge",
        ),
        rx.spacer(),
        _builder_tools(),
        width="100%",
        align="center",
        spacing="3",
        wrap="wrap",
    )


def board_content() -> rx.Component:
    """One dashboard: its filters and its widgets on the grid."""
    return rx.cond(
        BoardState.found,
        rx.vstack(
            rx.vstack(
                rx.heading(BoardState.title, size="5", data_testid="board-title"),
                rx.text(BoardState.description, size="2", color_scheme="gray"),
                spacing="1",
            ),
            _filters_bar(),
            rx.cond(BoardState.editing, palette()),
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
                draggable_cancel=".recharts-wrapper, a, button, input, tr",
                on_drag_stop=BoardState.moved,
                on_resize_stop=BoardState.moved,
                width="100%",
            ),
            inspector(),
            drill_dialog(),
            spacing="4",
            width="100%",
            data_testid="board",
        ),
        rx.callout(T("There is no such dashboard, or it is not shared with you."), icon="info"),
    )
