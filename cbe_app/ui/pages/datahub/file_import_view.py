"""How Data hub › Import file looks: what the file holds, the drop zone, the column matching
and the preview (of orders, or of days of ad spend)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cbe_app.hub.fileimport.formats import AD_SPEND, FORMATS
from cbe_app.ui.components.records import table_card
from cbe_app.ui.i18n import T, T_var
from cbe_app.ui.pages.orders import status_badge

_MUTED = "var(--gray-10)"


def _ads(state: Any) -> rx.Var[bool]:
    return state.kind == AD_SPEND.key


def _kind_picker(state: Any) -> rx.Component:
    return rx.hstack(
        rx.text(T("The file holds"), weight="medium", size="2"),
        rx.segmented_control.root(
            *[
                rx.segmented_control.item(
                    T(f.label), value=f.key, data_testid=f"import-kind-{f.key}"
                )
                for f in FORMATS.values()
            ],
            value=state.kind,
            on_change=state.choose_kind,
            data_testid="import-kind",
        ),
        align="center",
        spacing="3",
    )


def _drop_zone(state: Any, upload_id: str, max_bytes: int) -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("file-spreadsheet", size=28, color="var(--accent-9)"),
            rx.text(T("Drop a .csv or .xlsx file here, or click to choose one"), weight="medium"),
            rx.text(
                rx.cond(
                    _ads(state),
                    T("One row per day and campaign (and country), as the ad platform exports it."),
                    T("One row per order line; rows of one order share its order number."),
                ),
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
            rx.cond(item["constant"], _constant(state, item)),
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


def _constant(state: Any, item: rx.Var[dict[str, Any]]) -> rx.Component:
    """A value for every row, for a column the file does not have (one platform's export)."""
    return rx.input(
        value=item["value"].to(str),
        on_change=lambda value: state.set_constant(item["key"].to(str), value),
        placeholder=T("or one value for every row"),
        size="1",
        margin_top="4px",
        max_width="260px",
        data_testid="constant-" + item["key"].to(str),
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


def _spend_row(day: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(day["rows"].to(str)), white_space="nowrap"),
        *[
            rx.table.cell(day[key].to(str), white_space="nowrap")
            for key in ("day", "platform", "campaign", "country")
        ],
        *[
            rx.table.cell(day[key].to(str), white_space="nowrap", text_align="right")
            for key in ("spend", "spend_base", "impressions", "clicks")
        ],
        data_testid="import-spend",
    )


def _summary(state: Any) -> rx.Var[str]:
    counts = {"problems": state.problems.length().to(str), "rows": state.rows_read.to(str)}
    return rx.cond(
        _ads(state),
        T(
            "{days} days of spend ready and {problems} to fix in the first {rows} rows.",
            days=state.ad_spend.length().to(str),
            **counts,
        ),
        T(
            "{orders} orders ready and {problems} to fix in the first {rows} rows.",
            orders=state.orders.length().to(str),
            **counts,
        ),
    )


def _records(state: Any) -> rx.Component:
    orders = [T("Order"), T("Placed"), T("Status"), T("Payment"), T("Total")]
    orders += [T("In base currency"), T("Country"), T("Lines")]
    spend = [T("Day"), T("Ad platform"), T("Campaign"), T("Country"), T("Spend")]
    spend += [T("In base currency"), T("Impressions"), T("Clicks")]
    return rx.cond(
        _ads(state),
        table_card([T("Rows"), *spend], rx.table.body(rx.foreach(state.ad_spend, _spend_row))),
        table_card([T("Rows"), *orders], rx.table.body(rx.foreach(state.orders, _order_row))),
    )


def _preview(state: Any) -> rx.Component:
    record = rx.cond(_ads(state), T("Day · platform · campaign · country"), T("Order"))
    return rx.vstack(
        rx.heading(T("Preview"), size="3"),
        rx.text(_summary(state), size="2", color_scheme="gray", data_testid="import-summary"),
        rx.cond(
            state.problems.length() > 0,
            table_card(
                [T("Rows"), record, T("Why it will go to quarantine")],
                rx.table.body(rx.foreach(state.problems, _problem_row)),
            ),
        ),
        _records(state),
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
            T(
                "Import orders or ad spend from a spreadsheet: say what it holds, match its "
                "columns, check the preview, import."
            ),
            color_scheme="gray",
        ),
        _kind_picker(state),
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
