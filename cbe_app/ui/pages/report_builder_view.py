"""The report builder's panel: pickers beside the report, which shows the draft as you edit.

The state is `report_builder.BuilderState`; the pickers' rows are shared with the dashboard
inspector (`ui.components.spec_pickers`).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cbe_app.core.i18n import N_
from cbe_app.reports.period import PERIOD_LABELS
from cbe_app.ui.components.spec_pickers import (
    NONE,
    add_row_button,
    dimension_row,
    draft_input,
    filter_row,
    label,
    measure_row,
    remove_button,
    select,
)
from cbe_app.ui.i18n import T, T_var
from cbe_app.ui.pages.report_builder import BuilderState


def _column_row(column: Any, n: Any) -> rx.Component:
    return rx.hstack(
        select(
            rx.cond(column["field"] == "", NONE, column["field"]),
            BuilderState.column_fields,
            lambda v: BuilderState.set_row("columns", n, "field", v),
            "column-field",
        ),
        rx.icon_button(
            rx.icon("arrow-up", size=12),
            on_click=BuilderState.move_column(n, -1),
            variant="ghost",
            size="1",
            color_scheme="gray",
            data_testid="column-up",
        ),
        remove_button(BuilderState, "columns", n, "column-remove"),
        width="100%",
        align="center",
    )


def _sort_row(order: Any, n: Any) -> rx.Component:
    return rx.hstack(
        select(
            rx.cond(order["by"] == "", NONE, order["by"]),
            BuilderState.sorts,
            lambda v: BuilderState.set_row("sort", n, "by", v),
            "sort-by",
        ),
        rx.select.root(
            rx.select.trigger(data_testid="sort-direction"),
            rx.select.content(
                rx.select.item(T("Ascending"), value="asc"),
                rx.select.item(T("Descending"), value="desc"),
            ),
            value=order["direction"],
            on_change=lambda v: BuilderState.set_row("sort", n, "direction", v),
            size="1",
        ),
        remove_button(BuilderState, "sort", n, "sort-remove"),
        width="100%",
        align="center",
    )


def _rows_fields() -> rx.Component:
    return rx.vstack(
        label(N_("Columns")),
        rx.foreach(BuilderState.draft["columns"].to(list[dict[str, str]]), _column_row),
        add_row_button(BuilderState, "columns", N_("Add a column"), "add-column"),
        width="100%",
        spacing="1",
    )


def _summary_fields() -> rx.Component:
    draft = BuilderState.draft
    return rx.vstack(
        label(N_("Group by")),
        rx.foreach(
            draft["dimensions"].to(list[dict[str, str]]),
            lambda d, n: dimension_row(BuilderState, d, n),
        ),
        rx.cond(
            draft["dimensions"].to(list).length() < 3,
            add_row_button(BuilderState, "dimensions", N_("Add a grouping"), "add-dimension"),
        ),
        label(N_("Measures")),
        rx.foreach(
            BuilderState.kept_labels,
            lambda text, n: rx.hstack(
                rx.badge(text, variant="outline", max_width="240px", overflow="hidden"),
                remove_button(BuilderState, "kept", n, "kept-remove"),
                align="center",
            ),
        ),
        rx.foreach(
            draft["measures"].to(list[dict[str, str]]),
            lambda m, n: measure_row(BuilderState, m, n),
        ),
        add_row_button(BuilderState, "measures", N_("Add a measure"), "add-measure"),
        label(N_("Pivot: spread across the columns")),
        rx.select.root(
            rx.select.trigger(width="100%", data_testid="builder-pivot"),
            rx.select.content(
                rx.select.item(T("No pivot"), value=NONE),
                rx.foreach(
                    BuilderState.pivots,
                    lambda c: rx.select.item(T_var(c["label"].to(str)), value=c["value"]),
                ),
            ),
            value=rx.cond(draft["pivot"] == "", NONE, draft["pivot"]),
            on_change=lambda v: BuilderState.set_value("pivot", v),
            size="1",
        ),
        label(N_("Top N")),
        draft_input(
            BuilderState, "limit", "builder-limit", width="100px", placeholder=T("all rows")
        ),
        width="100%",
        spacing="1",
    )


def _common_fields() -> rx.Component:
    draft = BuilderState.draft
    return rx.vstack(
        label(N_("Title")),
        draft_input(BuilderState, "title_en", "builder-title"),
        label(N_("Title in Chinese")),
        draft_input(BuilderState, "title_zh"),
        label(N_("Source")),
        select(
            draft["source"],
            BuilderState.sources,
            lambda v: BuilderState.set_value("source", v),
            "builder-source",
        ),
        label(N_("Lines")),
        rx.segmented_control.root(
            rx.segmented_control.item(T("Records"), value="rows"),
            rx.segmented_control.item(T("Summary"), value="summary"),
            value=draft["mode"],
            on_change=lambda v: BuilderState.set_value("mode", v),
            size="1",
            data_testid="builder-mode",
        ),
        width="100%",
        spacing="1",
    )


def _filter_fields() -> rx.Component:
    draft = BuilderState.draft
    return rx.vstack(
        label(N_("Filters")),
        rx.foreach(
            draft["filters"].to(list[dict[str, str]]),
            lambda f, n: filter_row(BuilderState, f, n),
        ),
        add_row_button(BuilderState, "filters", N_("Add a filter"), "add-filter"),
        label(N_("Sort")),
        rx.foreach(draft["sort"].to(list[dict[str, str]]), _sort_row),
        add_row_button(BuilderState, "sort", N_("Add a sort"), "add-sort"),
        label(N_("Period")),
        rx.select.root(
            rx.select.trigger(width="100%", data_testid="builder-period"),
            rx.select.content(
                *[rx.select.item(T(text), value=p.value) for p, text in PERIOD_LABELS.items()],
            ),
            value=rx.cond(draft["period"] == "", "all_time", draft["period"]),
            on_change=lambda v: BuilderState.set_value("period", v),
            size="1",
        ),
        width="100%",
        spacing="1",
    )


def builder_panel() -> rx.Component:
    """The pickers, beside the report they change."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(T("Edit report"), size="3"),
                rx.spacer(),
                rx.button(
                    T("Discard"),
                    on_click=BuilderState.discard,
                    variant="soft",
                    color_scheme="gray",
                    size="1",
                ),
                rx.button(
                    T("Save report"),
                    on_click=BuilderState.save,
                    size="1",
                    data_testid="builder-save",
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                BuilderState.problem_lines.length() > 0,
                rx.callout(
                    rx.vstack(rx.foreach(BuilderState.problem_lines, rx.text), spacing="1"),
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    data_testid="builder-problems",
                ),
            ),
            _common_fields(),
            rx.cond(BuilderState.draft["mode"] == "summary", _summary_fields(), _rows_fields()),
            _filter_fields(),
            spacing="3",
            width="100%",
        ),
        width="430px",
        flex_shrink="0",
        max_height="calc(100vh - 140px)",
        overflow_y="auto",
        data_testid="report-builder",
    )
