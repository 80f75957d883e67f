"""Reports: the list of those a person may open, and one report with its table.

A report's screen shows its lines a page at a time under a period the viewer may change,
and exports them as CSV, Excel or PDF (a background job; the file is offered when ready).
Builders also edit it beside the table (`report_builder`), e-mail it on a schedule
(`report_schedules`), share it by role and copy it. The state is `report_state`.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import reflex as rx

from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import ROLE_LABELS, Permission
from cbe_app.config import get_settings
from cbe_app.core.errors import UserError
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.reports import saved
from cbe_app.reports.catalog import SOURCES
from cbe_app.reports.period import PERIOD_LABELS
from cbe_app.reports.pickers import source_choices
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.i18n import LocaleState, T, T_var
from cbe_app.ui.pages.report_builder import BuilderState, builder_panel
from cbe_app.ui.pages.report_schedules import ScheduleState, schedules_dialog
from cbe_app.ui.pages.report_state import ReportState

__all__ = ["ReportState", "ReportsState", "report_content", "reports_content"]
NONE = "-"


class ReportCard(TypedDict):
    """A report in the list."""

    key: str
    title: str
    description: str
    source: str  # a message id
    mode: str
    schedules: int


def _cards(principal: Principal, locale: str) -> list[ReportCard]:
    language = "zh_CN" if locale.startswith("zh") else "en"
    with session_scope() as session:
        found = saved.visible_reports(session, principal)
    return [
        ReportCard(
            key=r.key,
            title=r.title.get(language),
            description=r.description.get(language) if r.description else "",
            source=SOURCES[r.source].label if r.source in SOURCES else r.source,
            mode=r.mode.value,
            schedules=len(r.schedules),
        )
        for r in found
    ]


class ReportsState(rx.State):
    """The reports this person may open, and the new-report dialog."""

    reports: list[ReportCard] = []
    can_create: bool = False
    new_open: bool = False
    new_source: str = "orders"
    error: str = ""

    @rx.var
    def sources(self) -> list[dict[str, str]]:
        """What a new report may read."""
        return [dict(c) for c in source_choices()]

    @rx.event
    @guarded(Permission.VIEW_REPORTS)
    async def load(self) -> None:
        """List them."""
        principal = current_principal()
        locale = (await self.get_state(LocaleState)).locale
        self.can_create = principal.can(Permission.USE_BUILDERS)
        self.reports = await asyncio.to_thread(_cards, principal, locale)

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_new_open(self, value: bool) -> None:
        """Open or close the new-report dialog."""
        self.new_open, self.error = value, ""

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_new_source(self, value: str) -> None:
        """Choose what the new report reads."""
        self.new_source = value if value in SOURCES else "orders"

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def create(self, form: dict[str, Any]) -> Any:
        """Create a report of the chosen source and open it in the builder."""
        title, source, principal = str(form.get("title", "")), self.new_source, current_principal()

        def store() -> str:
            with session_scope() as session:
                made = saved.create_report(
                    session,
                    title,
                    source,
                    principal=principal,
                    now=utcnow(),
                    base_currency=get_settings().base_currency,
                )
            return made.key

        try:
            key = await asyncio.to_thread(store)
        except UserError as exc:
            self.error = exc.text
            return None
        self.new_open, self.error = False, ""
        return rx.redirect(f"/reports/{key}")


def _card(report: ReportCard) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon(rx.cond(report["mode"] == "summary", "sigma", "table-2"), size=18),
                    rx.heading(report["title"], size="4"),
                ),
                rx.text(report["description"], size="2", color_scheme="gray"),
                rx.hstack(
                    rx.badge(T_var(report["source"]), variant="soft"),
                    rx.cond(
                        report["schedules"] > 0,
                        rx.badge(rx.icon("mail", size=12), T("Scheduled"), color_scheme="green"),
                    ),
                ),
                spacing="2",
            ),
            width="100%",
            _hover={"background": "var(--gray-3)"},
        ),
        href="/reports/" + report["key"],
        underline="none",
        width="340px",
        data_testid="report-card",
    )


def _new_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T("New report")),
            rx.form(
                rx.vstack(
                    rx.text(T("Title"), size="2", weight="medium"),
                    rx.input(
                        name="title", required=True, width="100%", data_testid="new-report-title"
                    ),
                    rx.text(T("What it lists"), size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(width="100%", data_testid="new-report-source"),
                        rx.select.content(
                            rx.foreach(
                                ReportsState.sources,
                                lambda c: rx.select.item(T_var(c["label"]), value=c["value"]),
                            )
                        ),
                        value=ReportsState.new_source,
                        on_change=ReportsState.set_new_source,
                    ),
                    rx.cond(
                        ReportsState.error != "",
                        rx.callout(ReportsState.error, color_scheme="red", size="1"),
                    ),
                    rx.hstack(
                        rx.spacer(),
                        rx.button(
                            T("Cancel"),
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=ReportsState.set_new_open(False),
                        ),
                        rx.button(
                            T("Create report"), type="submit", data_testid="new-report-create"
                        ),
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=ReportsState.create,
            ),
            max_width="460px",
        ),
        open=ReportsState.new_open,
        on_open_change=ReportsState.set_new_open,
    )


def reports_content() -> rx.Component:
    """Every report the person may open."""
    return rx.vstack(
        rx.hstack(
            rx.text(
                T("Tables of orders, parcels, payments, stock and ad spend, exported or e-mailed."),
                color_scheme="gray",
            ),
            rx.spacer(),
            rx.cond(
                ReportsState.can_create,
                rx.button(
                    rx.icon("plus", size=14),
                    T("New report"),
                    on_click=ReportsState.set_new_open(True),
                    data_testid="new-report",
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.flex(rx.foreach(ReportsState.reports, _card), gap="16px", wrap="wrap"),
        rx.cond(
            ReportsState.reports.length() == 0,
            rx.text(T("No report is shared with your roles yet."), color_scheme="gray"),
        ),
        _new_dialog(),
        spacing="4",
        width="100%",
    )


# One report.


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
