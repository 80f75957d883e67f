"""The dashboard designer: a palette of widget types and an inspector with live preview.

A builder picks a widget type from the palette (or the pencil of a tile), edits its data
with pickers — source, measures, dimensions, filters, top-N, period — and sees the widget's
result beside the pickers after every change. Save stores the dashboard's next version.
The draft and its conversion are `reports.designer` (pure); this is only the screen.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.config import get_settings
from cbe_app.core.errors import UserError, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.packs.service import definitions_in_effect
from cbe_app.reports import designer, pickers
from cbe_app.reports.boards import dashboard, remove_widget, save_widget
from cbe_app.reports.dashboard import Layout
from cbe_app.reports.designer import Draft
from cbe_app.reports.period import PERIOD_LABELS
from cbe_app.reports.pickers import Choice
from cbe_app.reports.refresh import preview
from cbe_app.reports.spec import ChartType, KpiDefinition
from cbe_app.reports.tiles import TileView, tile_view
from cbe_app.ui.components.dashboard_tiles import tile_body
from cbe_app.ui.components.spec_pickers import (
    NONE,
    SpecChoices,
    add_row_button,
    dimension_row,
    draft_input,
    filter_row,
    label,
    measure_row,
    remove_button,
    select,
)
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.i18n import LocaleState, T, T_var
from cbe_app.ui.pages.board_state import BoardState

PALETTE: list[tuple[ChartType, str, str]] = [
    (ChartType.KPI, "gauge", N_("KPI tile")),
    (ChartType.LINE, "chart-line", N_("Line")),
    (ChartType.AREA, "chart-area", N_("Area")),
    (ChartType.BAR, "chart-column", N_("Bar")),
    (ChartType.PIE, "chart-pie", N_("Pie")),
    (ChartType.DONUT, "circle-dashed", N_("Donut")),
    (ChartType.TABLE, "table", N_("Table")),
    (ChartType.PIVOT, "grid-3x3", N_("Pivot table")),
    (ChartType.MAP, "globe", N_("World map")),
]
CHART_LABELS = {chart.value: label for chart, _, label in PALETTE}
_EMPTY_DRAFT = designer.new_draft(ChartType.TABLE, set())
_PLAIN = frozenset(
    {"title_en", "title_zh", "chart", "mode", "kpi", "by", "source", "limit", "period"}
)


def _kpi_choices(language: str) -> tuple[list[Choice], dict[str, list[Choice]]]:
    with session_scope() as session:
        kpis = definitions_in_effect(session, KpiDefinition)
    choices = [Choice(value=k, label=v.title.get(language)) for k, v in sorted(kpis.items())]
    return choices, {k: designer.by_choices(v.data.source, v.by) for k, v in kpis.items()}


class DesignerState(SpecChoices, rx.State):
    """The inspector: the widget being edited, its choices, problems and preview."""

    open: bool = False
    editing_existing: bool = False
    draft: Draft = _EMPTY_DRAFT
    problems: dict[str, str] = {}
    preview: list[TileView] = []  # none or one
    kpis: list[Choice] = []
    kpi_dims: dict[str, list[Choice]] = {}
    saving: bool = False

    @rx.var
    def by_choices(self) -> list[Choice]:
        """The dimensions the chosen KPI is offered by."""
        return self.kpi_dims.get(self.draft["kpi"], [])

    @rx.var
    def problem_lines(self) -> list[str]:
        """Every problem of the draft, one line each, by the part it is in."""
        return [f"{where}: {problem}" for where, problem in self.problems.items()]

    # Opening and closing.

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def add(self, chart: str) -> None:
        """Start a new widget of a palette type."""
        board = await self.get_state(BoardState)
        taken = {t["id"] for t in board.tiles}
        await self._start(designer.new_draft(ChartType(chart), taken), existing=False)

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def edit(self, widget_id: str) -> None:
        """Open a widget of the dashboard in the inspector."""
        board = await self.get_state(BoardState)
        principal = current_principal()

        def load() -> Draft | None:
            with session_scope() as session:
                found = dashboard(session, board.key, principal)
            widget = next((w for w in found.widgets if w.id == widget_id), None)
            return designer.draft_of(widget) if widget else None

        draft = await asyncio.to_thread(load)
        if draft is not None:
            await self._start(draft, existing=True)

    async def _start(self, draft: Draft, *, existing: bool) -> None:
        language = "zh_CN" if (await self.get_state(LocaleState)).is_zh else "en"
        self.kpis, self.kpi_dims = await asyncio.to_thread(_kpi_choices, language)
        self.draft, self.editing_existing, self.open = draft, existing, True
        await self._preview()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def close(self) -> None:
        """Leave the inspector without saving."""
        self.open, self.preview, self.problems = False, [], {}

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_open(self, value: bool) -> None:
        """The dialog asks to close (Escape, a click outside)."""
        if not value:
            self.open, self.preview, self.problems = False, [], {}

    # Editing: each change re-checks the draft and refreshes the preview.

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_value(self, name: str, value: str) -> None:
        """Set one of the draft's plain values (title, chart, mode, kpi, by, source…)."""
        if name not in _PLAIN:
            return
        value = "" if value == NONE else str(value)[:200]
        draft = dict(self.draft)
        draft[name] = value
        if name == "source":  # fields of another source do not apply
            draft.update(measures=[{"agg": "count", "field": ""}], dimensions=[], filters=[])
            draft["kept"] = []
        if name == "kpi":
            draft["by"] = ""
        self.draft = draft  # type: ignore[assignment]
        await self._preview()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_row(self, part: str, index: int, name: str, value: str) -> None:
        """Set `name` of row `index` of the measures, dimensions or filters."""
        if part not in ("measures", "dimensions", "filters"):
            return
        value = "" if value == NONE else str(value)[:1000]
        current = self.draft[part]  # type: ignore[literal-required]
        rows = pickers.set_in_row(
            self.draft["source"], part, current, index=index, name=name, value=value
        )
        if rows is None:
            return
        self.draft = {**self.draft, part: rows}  # type: ignore[assignment]
        await self._preview()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def add_row(self, part: str) -> None:
        """Add a measure, dimension or filter to the draft."""
        source = self.draft["source"]
        new: dict[str, dict[str, str]] = {
            "measures": {"agg": "count", "field": ""},
            "dimensions": {"field": "", "grain": ""},
            "filters": {"field": "", "op": "eq", "value": ""},
        }
        if part not in new:
            return
        row = new[part]
        if part == "filters":
            first = pickers.field_choices(source, role="filter")
            if first:
                row = {"field": first[0]["value"], "op": "eq", "value": ""}
        rows = [*self.draft[part], row]  # type: ignore[literal-required]
        self.draft = {**self.draft, part: rows}  # type: ignore[assignment]
        await self._preview()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def remove_row(self, part: str, index: int) -> None:
        """Take a measure, dimension, filter or kept measure off the draft."""
        if part not in ("measures", "dimensions", "filters", "kept"):
            return
        rows = list(self.draft[part])  # type: ignore[literal-required]
        if 0 <= index < len(rows):
            del rows[index]
        self.draft = {**self.draft, part: rows}  # type: ignore[assignment]
        await self._preview()

    async def _preview(self) -> None:
        board = await self.get_state(BoardState)
        locale = (await self.get_state(LocaleState)).locale
        draft, chosen = dict(self.draft), board._chosen_filters()

        def run() -> tuple[dict[str, str], list[TileView]]:
            try:
                widget = designer.widget_of(draft, designer.place_below([], 6))  # type: ignore[arg-type]
            except ValidationFailed as exc:
                return exc.field_errors, []
            with session_scope() as session:
                tile = preview(session, widget, chosen, utcnow(), get_settings().base_currency)
            return {}, [tile_view(tile, locale)]

        self.problems, self.preview = await asyncio.to_thread(run)

    # Saving.

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def save(self) -> None:
        """Put the widget on the dashboard (its next version) and close the inspector."""
        board = await self.get_state(BoardState)
        principal, draft, existing = current_principal(), dict(self.draft), self.editing_existing
        layouts = [Layout(x=t["x_pos"], y=t["y_pos"], w=t["w"], h=t["h"]) for t in board.tiles]
        current = next((t for t in board.tiles if t["id"] == draft["id"]), None)

        def store() -> None:
            width = 3 if draft["chart"] == ChartType.KPI.value else 6
            place = designer.place_below(layouts, width)
            if existing and current is not None:
                place = Layout(
                    x=current["x_pos"], y=current["y_pos"], w=current["w"], h=current["h"]
                )
            widget = designer.widget_of(draft, place)  # type: ignore[arg-type]
            with session_scope() as session:
                save_widget(session, board.key, widget, principal=principal, now=utcnow())

        try:
            await asyncio.to_thread(store)
        except ValidationFailed as exc:
            self.problems = exc.field_errors or {"widget": exc.text}
            return
        except UserError as exc:
            self.problems = {"widget": exc.text}
            return
        self.open, self.preview, self.problems = False, [], {}
        await board._reload()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def remove(self) -> None:
        """Take the widget being edited off the dashboard."""
        board = await self.get_state(BoardState)
        principal, widget_id = current_principal(), self.draft["id"]

        def drop() -> None:
            with session_scope() as session:
                remove_widget(session, board.key, widget_id, principal=principal, now=utcnow())

        try:
            await asyncio.to_thread(drop)
        except UserError as exc:
            self.problems = {"widget": exc.text}
            return
        self.open, self.preview, self.problems = False, [], {}
        await board._reload()


# The screen.


def palette() -> rx.Component:
    """The widget types a builder can add, one button each."""
    return rx.hstack(
        rx.text(T("Add a widget:"), size="2", color_scheme="gray"),
        *[
            rx.button(
                rx.icon(icon, size=14),
                T(label),
                on_click=DesignerState.add(chart.value),
                variant="soft",
                size="1",
                data_testid=f"palette-{chart.value}",
            )
            for chart, icon, label in PALETTE
        ],
        wrap="wrap",
        spacing="2",
        align="center",
        data_testid="palette",
    )


def _kpi_fields() -> rx.Component:
    return rx.vstack(
        label(N_("KPI")),
        select(
            rx.cond(DesignerState.draft["kpi"] == "", NONE, DesignerState.draft["kpi"]),
            DesignerState.kpis,
            lambda v: DesignerState.set_value("kpi", v),
            "inspector-kpi",
        ),
        label(N_("By")),
        rx.select.root(
            rx.select.trigger(width="100%", data_testid="inspector-by"),
            rx.select.content(
                rx.select.item(T("Total only"), value=NONE),
                rx.foreach(
                    DesignerState.by_choices,
                    lambda c: rx.select.item(T_var(c["label"].to(str)), value=c["value"]),
                ),
            ),
            value=rx.cond(DesignerState.draft["by"] == "", NONE, DesignerState.draft["by"]),
            on_change=lambda v: DesignerState.set_value("by", v),
            size="1",
        ),
        width="100%",
        spacing="1",
    )


def _data_fields() -> rx.Component:
    draft = DesignerState.draft
    return rx.vstack(
        label(N_("Source")),
        select(
            draft["source"],
            DesignerState.sources,
            lambda v: DesignerState.set_value("source", v),
            "inspector-source",
        ),
        label(N_("Measures")),
        rx.foreach(
            DesignerState.kept_labels,
            lambda text, n: rx.hstack(
                rx.badge(text, variant="outline"),
                remove_button(DesignerState, "kept", n, "kept-remove"),
                align="center",
            ),
        ),
        rx.foreach(
            draft["measures"].to(list[dict[str, str]]),
            lambda m, n: measure_row(DesignerState, m, n),
        ),
        add_row_button(DesignerState, "measures", N_("Add a measure"), "add-measure"),
        label(N_("Group by")),
        rx.foreach(
            draft["dimensions"].to(list[dict[str, str]]),
            lambda d, n: dimension_row(DesignerState, d, n),
        ),
        rx.cond(
            draft["dimensions"].to(list).length() < 3,
            add_row_button(DesignerState, "dimensions", N_("Add a dimension"), "add-dimension"),
        ),
        label(N_("Filters")),
        rx.foreach(
            draft["filters"].to(list[dict[str, str]]),
            lambda f, n: filter_row(DesignerState, f, n),
        ),
        add_row_button(DesignerState, "filters", N_("Add a filter"), "add-filter"),
        label(N_("Top N")),
        draft_input(
            DesignerState, "limit", "inspector-limit", width="100px", placeholder=T("all rows")
        ),
        width="100%",
        spacing="1",
    )


def _common_fields() -> rx.Component:
    draft = DesignerState.draft
    return rx.vstack(
        label(N_("Title")),
        draft_input(DesignerState, "title_en", "inspector-title"),
        label(N_("Title in Chinese")),
        draft_input(DesignerState, "title_zh"),
        label(N_("Shown as")),
        rx.select.root(
            rx.select.trigger(width="100%", data_testid="inspector-chart"),
            rx.select.content(
                *[rx.select.item(T(label), value=chart.value) for chart, _, label in PALETTE]
            ),
            value=draft["chart"],
            on_change=lambda v: DesignerState.set_value("chart", v),
            size="1",
        ),
        label(N_("Shows")),
        rx.segmented_control.root(
            rx.segmented_control.item(T("A KPI of the library"), value="kpi"),
            rx.segmented_control.item(T("Its own data"), value="data"),
            value=draft["mode"],
            on_change=lambda v: DesignerState.set_value("mode", v),
            size="1",
            data_testid="inspector-mode",
        ),
        label(N_("Period")),
        rx.select.root(
            rx.select.trigger(width="100%", data_testid="inspector-period"),
            rx.select.content(
                rx.select.item(T("The dashboard's period"), value=NONE),
                *[rx.select.item(T(label), value=p.value) for p, label in PERIOD_LABELS.items()],
            ),
            value=rx.cond(draft["period"] == "", NONE, draft["period"]),
            on_change=lambda v: DesignerState.set_value("period", v),
            size="1",
        ),
        width="100%",
        spacing="1",
    )


def _preview_pane() -> rx.Component:
    return rx.vstack(
        label(N_("Preview")),
        rx.cond(
            DesignerState.problem_lines.length() > 0,
            rx.callout(
                rx.vstack(rx.foreach(DesignerState.problem_lines, rx.text), spacing="1"),
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                data_testid="inspector-problems",
            ),
        ),
        rx.foreach(
            DesignerState.preview,
            lambda tile: rx.card(
                rx.vstack(
                    rx.text(tile["title"], size="2", weight="medium"),
                    rx.cond(
                        tile["problem"] != "",
                        rx.callout(tile["problem"], color_scheme="red", size="1"),
                        tile_body(tile),
                    ),
                    height="100%",
                    width="100%",
                ),
                height="300px",
                width="100%",
                overflow="hidden",
                data_testid="inspector-preview",
            ),
        ),
        width="100%",
        spacing="2",
    )


def inspector() -> rx.Component:
    """The inspector dialog: pickers on the left, the widget's result on the right."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(DesignerState.editing_existing, T("Edit widget"), T("New widget"))
            ),
            rx.grid(
                rx.vstack(
                    _common_fields(),
                    rx.cond(DesignerState.draft["mode"] == "kpi", _kpi_fields(), _data_fields()),
                    width="100%",
                    spacing="3",
                    max_height="62vh",
                    overflow_y="auto",
                    padding_right="8px",
                ),
                _preview_pane(),
                columns="2",
                spacing="5",
                width="100%",
            ),
            rx.hstack(
                rx.cond(
                    DesignerState.editing_existing,
                    rx.button(
                        rx.icon("trash-2", size=14),
                        T("Remove from dashboard"),
                        on_click=DesignerState.remove,
                        color_scheme="red",
                        variant="soft",
                        data_testid="inspector-remove",
                    ),
                ),
                rx.spacer(),
                rx.button(
                    T("Cancel"), on_click=DesignerState.close, variant="soft", color_scheme="gray"
                ),
                rx.button(
                    T("Save widget"), on_click=DesignerState.save, data_testid="inspector-save"
                ),
                width="100%",
                margin_top="16px",
            ),
            max_width="1000px",
            width="94vw",
            data_testid="inspector",
        ),
        open=DesignerState.open,
        on_open_change=DesignerState.set_open,
    )
