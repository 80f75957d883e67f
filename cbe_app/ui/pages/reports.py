"""Reports: the list of those a person may open, and a builder's new report.

One report's screen is `report_view`: its lines a page at a time under a period the viewer
may change, exported as CSV, Excel or PDF; builders edit it beside the table
(`report_builder`), e-mail it on a schedule (`report_schedules`), share and copy it.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import reflex as rx

from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Permission
from cbe_app.config import get_settings
from cbe_app.core.errors import UserError
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.reports import saved
from cbe_app.reports.catalog import SOURCES
from cbe_app.reports.pickers import source_choices
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.i18n import LocaleState, T, T_var
from cbe_app.ui.pages.report_state import ReportState
from cbe_app.ui.pages.report_view import report_content

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
