"""One report's screen: its table a page at a time, the period, exports, and for builders
the builder beside the table, schedules, sharing and copying. The state is `report_state`.
"""

from __future__ import annotations

import reflex as rx

from cbe_app.auth.roles import ROLE_LABELS
from cbe_app.reports.period import PERIOD_LABELS
from cbe_app.ui.i18n import T, T_var
from cbe_app.ui.pages.report_builder import BuilderState
from cbe_app.ui.pages.report_builder_view import builder_panel
from cbe_app.ui.pages.report_schedules import ScheduleState
from cbe_app.ui.pages.report_schedules_view import schedules_dialog
from cbe_app.ui.pages.report_state import ReportState

NONE = "-"


def _export_menu() -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.button(
                rx.icon("download", size=14),
                T("Export"),
                variant="soft",
                data_testid="report-export",
            )
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(
                "CSV", on_click=ReportState.export("csv"), data_testid="export-csv"
            ),
            rx.dropdown_menu.item(
                T("Excel workbook"), on_click=ReportState.export("xlsx"), data_testid="export-xlsx"
            ),
            rx.dropdown_menu.item(
                "PDF", on_click=ReportState.export("pdf"), data_testid="export-pdf"
            ),
        ),
    )


def _export_status() -> rx.Component:
    return rx.cond(
        ReportState.export_job > 0,
        rx.callout(
            rx.hstack(
                rx.cond(
                    ReportState.export_status == "succeeded",
                    rx.link(
                        rx.button(
                            rx.icon("file-down", size=14),
                            T("Download"),
                            " ",
                            ReportState.export_name,
                            size="1",
                        ),
                        href=ReportState.export_url,
                        is_external=True,
                        data_testid="export-download",
                    ),
                    rx.cond(
                        ReportState.export_status == "failed",
                        rx.text(T("The export failed:"), " ", ReportState.export_note),
                        rx.hstack(
                            rx.spinner(size="1"),
                            rx.text(T("Preparing the file…"), " ", ReportState.export_progress),
                        ),
                    ),
                ),
                rx.cond(
                    (ReportState.export_status == "succeeded") & (ReportState.export_note != ""),
                    rx.text(T_var(ReportState.export_note), size="1"),
                ),
                align="center",
                spacing="3",
            ),
            icon="file-spreadsheet",
            size="1",
            color_scheme=rx.cond(ReportState.export_status == "failed", "red", "blue"),
            data_testid="export-status",
        ),
    )


def _builder_buttons() -> rx.Component:
    return rx.cond(
        ReportState.can_edit & ~BuilderState.editing,
        rx.hstack(
            rx.button(
                rx.icon("pencil", size=14),
                T("Edit"),
                on_click=BuilderState.start,
                variant="soft",
                data_testid="report-edit",
            ),
            rx.button(
                rx.icon("mail", size=14),
                T("Schedule"),
                on_click=ScheduleState.show,
                variant="soft",
                data_testid="report-schedule",
            ),
            rx.button(
                rx.icon("share-2", size=14),
                T("Share"),
                on_click=ReportState.set_share_open(True),
                variant="soft",
            ),
            rx.button(
                rx.icon("copy", size=14),
                T("Duplicate"),
                on_click=ReportState.set_duplicate_open(True),
                variant="soft",
            ),
            rx.icon_button(
                rx.icon("file-code", size=14),
                on_click=ReportState.download_definition,
                variant="soft",
                title="YAML",
            ),
            spacing="2",
        ),
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(data_testid="report-period"),
            rx.select.content(
                rx.select.item(T("The report's period"), value=NONE),
                *[rx.select.item(T(label), value=p.value) for p, label in PERIOD_LABELS.items()],
            ),
            value=rx.cond(ReportState.period == "", NONE, ReportState.period),
            on_change=ReportState.set_period,
        ),
        _export_menu(),
        rx.spacer(),
        _builder_buttons(),
        width="100%",
        align="center",
        wrap="wrap",
    )


def _table() -> rx.Component:
    shown = ReportState.shown
    return rx.cond(
        shown["problem"] != "",
        rx.callout(
            shown["problem"],
            icon="triangle-alert",
            color_scheme="red",
            data_testid="report-problem",
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.foreach(
                            shown["headings"],
                            lambda h: rx.table.column_header_cell(
                                h["label"], text_align=h["align"], white_space="nowrap"
                            ),
                        )
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        shown["cells"],
                        lambda line: rx.table.row(
                            rx.foreach(
                                line,
                                lambda text, n: rx.table.cell(
                                    text,
                                    text_align=shown["headings"][n]["align"],
                                    white_space="nowrap",
                                ),
                            ),
                            data_testid="report-row",
                        ),
                    )
                ),
                size="1",
                variant="surface",
                width="100%",
            ),
            width="100%",
            overflow_x="auto",
        ),
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.text(
            T("{total} lines", total=ReportState.shown["total"].to_string()),
            size="2",
            color_scheme="gray",
            data_testid="report-total",
        ),
        rx.spacer(),
        rx.icon_button(
            rx.icon("chevron-left", size=14),
            on_click=ReportState.go_to_page(ReportState.page - 1),
            disabled=ReportState.page <= 1,
            variant="soft",
            size="1",
            data_testid="report-prev",
        ),
        rx.text(
            T(
                "Page {page} of {pages}",
                page=ReportState.page.to_string(),
                pages=ReportState.pages.to_string(),
            ),
            size="2",
            data_testid="report-page",
        ),
        rx.icon_button(
            rx.icon("chevron-right", size=14),
            on_click=ReportState.go_to_page(ReportState.page + 1),
            disabled=ReportState.page >= ReportState.pages,
            variant="soft",
            size="1",
            data_testid="report-next",
        ),
        width="100%",
        align="center",
    )


def _share_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T("Share this report")),
            rx.form(
                rx.vstack(
                    rx.text(
                        T("Admins and builders always see every report. Also show it to:"), size="2"
                    ),
                    *[
                        rx.checkbox(
                            T(label),
                            name=role.value,
                            default_checked=ReportState.shared_with.contains(role.value),
                        )
                        for role, label in ROLE_LABELS.items()
                        if role.value not in ("admin", "builder")
                    ],
                    rx.hstack(rx.spacer(), rx.button(T("Save"), type="submit"), width="100%"),
                    spacing="2",
                ),
                on_submit=ReportState.save_sharing,
            ),
            max_width="420px",
        ),
        open=ReportState.share_open,
        on_open_change=ReportState.set_share_open,
    )


def _duplicate_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T("Duplicate this report")),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="title",
                        placeholder=T("Title of the copy"),
                        required=True,
                        width="100%",
                    ),
                    rx.hstack(rx.spacer(), rx.button(T("Duplicate"), type="submit"), width="100%"),
                    spacing="3",
                ),
                on_submit=ReportState.duplicate,
            ),
            max_width="420px",
        ),
        open=ReportState.duplicate_open,
        on_open_change=ReportState.set_duplicate_open,
    )


def _report() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.heading(ReportState.title, size="6", data_testid="report-title"),
                rx.text(ReportState.description, size="2", color_scheme="gray"),
                spacing="1",
            ),
            rx.spacer(),
            rx.badge(T_var(ReportState.source), size="2", variant="soft"),
            width="100%",
            align="start",
        ),
        _toolbar(),
        rx.cond(
            ReportState.message != "", rx.callout(ReportState.message, color_scheme="red", size="1")
        ),
        _export_status(),
        rx.hstack(
            rx.cond(BuilderState.editing, builder_panel()),
            rx.vstack(_table(), _pager(), width="100%", min_width="0", spacing="3"),
            width="100%",
            align="start",
            spacing="4",
        ),
        _share_dialog(),
        _duplicate_dialog(),
        schedules_dialog(),
        spacing="4",
        width="100%",
    )


def report_content() -> rx.Component:
    """One report, or a clear message when there is no such report for this person."""
    return rx.cond(
        ReportState.found,
        _report(),
        rx.callout(
            T("There is no such report, or it is not shared with you."),
            icon="info",
            data_testid="report-missing",
        ),
    )
