"""How Data hub › Import file looks: the drop zone, the column matching and the preview."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cbe_app.ui.components.records import table_card
from cbe_app.ui.i18n import T, T_var
from cbe_app.ui.pages.orders import status_badge

_MUTED = "var(--gray-10)"


def _drop_zone(state: Any, upload_id: str, max_bytes: int) -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("file-spreadsheet", size=28, color="var(--accent-9)"),
            rx.text(T("Drop a .csv or .xlsx file here, or click to choose one"), weight="medium"),
            rx.text(
                T("One row per order line; rows of one order share its order number."),
                size="2",
                color_scheme="gray",
            ),
            align="center",
            spacing="2",
        ),
        id=upload_id,
        multiple=False,
        max_files=1,
        max_size=max_bytes,
        accept={
            "text/csv": [".csv", ".txt"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
            "application/vnd.ms-excel.sheet.macroEnabled.12": [".xlsm"],
        },
        on_drop=state.upload(rx.upload_files(upload_id=upload_id)),
        border="2px dashed var(--gray-7)",
        border_radius="10px",
        padding="28px",
        width="100%",
        cursor="pointer",
        background="var(--color-panel-solid)",
        data_testid="import-drop",
    )


def _column_row(state: Any, item: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text(T_var(item["label"].to(str)), weight="medium", size="2"),
                rx.cond(item["required"], rx.text("*", color="var(--red-9)", size="2")),
                spacing="1",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.el.select(
                rx.el.option(T("— not in the file —"), value=""),
                rx.foreach(state.headers, lambda h: rx.el.option(h, value=h)),
                value=item["chosen"].to(str),
                on_change=lambda header: state.choose(item["key"].to(str), header),
                data_testid="column-" + item["key"].to(str),
                style={
                    "padding": "6px 8px",
                    "borderRadius": "6px",
                    "border": "1px solid var(--gray-7)",
                    "minWidth": "220px",
                    "background": "var(--color-surface)",
                },
            ),
            rx.cond(
                item["problem"].to(str) != "",
                rx.text(T_var(item["problem"].to(str)), color="var(--red-11)", size="1"),
            ),
        ),
        rx.table.cell(
            rx.text(item["sample"].to(str), size="2", color=_MUTED, trim="both", truncate=True),
            max_width="260px",
        ),
    )


def _columns(state: Any) -> rx.Component:
    return rx.vstack(
        rx.heading(T("Match the columns"), size="3"),
        table_card(
            [T("Hub field"), T("Column in the file"), T("First value")],
            rx.table.body(rx.foreach(state.fields, lambda item: _column_row(state, item))),
        ),
        spacing="2",
        width="100%",
    )


def _problem_row(problem: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(problem["rows"].to(str)), white_space="nowrap"),
        rx.table.cell(problem["external_id"].to(str), white_space="nowrap"),
        rx.table.cell(rx.text(problem["reason"].to(str), color="var(--red-11)", size="2")),
        data_testid="import-problem",
    )


def _order_row(order: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(order["rows"].to(str)), white_space="nowrap"),
        rx.table.cell(order["external_id"].to(str), white_space="nowrap"),
        rx.table.cell(order["placed_at"].to(str), white_space="nowrap"),
        rx.table.cell(status_badge(order["status"].to(str))),
        rx.table.cell(status_badge(order["payment_status"].to(str))),
        rx.table.cell(order["total"].to(str), white_space="nowrap", text_align="right"),
        rx.table.cell(order["total_base"].to(str), white_space="nowrap", text_align="right"),
        rx.table.cell(order["country"].to(str)),
        rx.table.cell(order["lines"].to(str), text_align="right"),
        data_testid="import-order",
    )


def _preview(state: Any) -> rx.Component:
    return rx.vstack(
        rx.heading(T("Preview"), size="3"),
        rx.text(
            T(
                "{orders} orders ready and {problems} to fix in the first {rows} rows.",
                orders=state.orders.length().to(str),
                problems=state.problems.length().to(str),
                rows=state.rows_read.to(str),
            ),
            size="2",
            color_scheme="gray",
            data_testid="import-summary",
        ),
        rx.cond(
            state.problems.length() > 0,
            table_card(
                [T("Rows"), T("Order"), T("Why it will go to quarantine")],
                rx.table.body(rx.foreach(state.problems, _problem_row)),
            ),
        ),
        table_card(
            [
                T("Rows"),
                T("Order"),
                T("Placed"),
                T("Status"),
                T("Payment"),
                T("Total"),
                T("In base currency"),
                T("Country"),
                T("Lines"),
            ],
            rx.table.body(rx.foreach(state.orders, _order_row)),
        ),
        spacing="2",
        width="100%",
    )


def _actions(state: Any) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("upload", size=16),
            T("Import the whole file"),
            on_click=state.start,
            disabled=~state.ready | state.busy,
            loading=state.busy,
            data_testid="import-start",
        ),
        rx.text(
            T("Rows that cannot be imported are kept in quarantine with their reason."),
            size="2",
            color_scheme="gray",
        ),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def import_content(state: Any, upload_id: str, max_bytes: int) -> rx.Component:
    """The drop zone, then (once a file is chosen) the columns, the preview and Import."""
    return rx.vstack(
        rx.text(
            T("Import orders from a spreadsheet: match its columns, check the preview, import."),
            color_scheme="gray",
        ),
        _drop_zone(state, upload_id, max_bytes),
        rx.cond(
            state.error != "",
            rx.callout(T_var(state.error), icon="triangle-alert", color_scheme="red", width="100%"),
        ),
        rx.cond(
            state.filename != "",
            rx.vstack(
                rx.hstack(
                    rx.icon("file-check", size=16),
                    rx.text(state.filename, weight="medium", data_testid="import-filename"),
                    align="center",
                    spacing="2",
                ),
                _columns(state),
                _actions(state),
                _preview(state),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
