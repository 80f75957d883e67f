"""The state of one report's screen: the table shown, its paging and period, and exports.

The table shows the saved report, or, while a builder edits, the draft (`report_builder`
renders drafts through `_show`). Exports run as jobs; the screen follows the job live and
offers the file for download when it is ready.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import reflex as rx

from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Permission, Role
from cbe_app.changes import Change
from cbe_app.config import get_settings
from cbe_app.core.errors import NotFound, UserError
from cbe_app.core.i18n import N_
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.jobs.models import Job
from cbe_app.packs.transfer import export_text
from cbe_app.reports import saved
from cbe_app.reports.catalog import SOURCES
from cbe_app.reports.cells import align, cells
from cbe_app.reports.export_job import start_export
from cbe_app.reports.report import ExportFormat, ReportDefinition
from cbe_app.reports.reporting import run_report
from cbe_app.reports.spec import Period, PeriodPreset
from cbe_app.ui import live
from cbe_app.ui.guard import current_principal, guarded, resolve_principal
from cbe_app.ui.i18n import LocaleState

PAGE_SIZE = 50
PERIODS = [p.value for p in PeriodPreset]


class Heading(TypedDict):
    """A column heading and how its cells line up."""

    label: str
    align: str


class Shown(TypedDict):
    """A report's table as the screen shows it."""

    headings: list[Heading]
    cells: list[list[str]]
    total: int
    problem: str


def show(report: ReportDefinition, page: int, period: str, locale: str) -> Shown:
    """One page of a report (saved or a draft) under the viewer's period, as text."""
    chosen = Period(preset=PeriodPreset(period)) if period in PERIODS else None
    try:
        with session_scope() as session:
            found = run_report(
                session,
                report,
                now=utcnow(),
                base_currency=get_settings().base_currency,
                locale=locale,
                page=page,
                page_size=PAGE_SIZE,
                period=chosen,
            )
    except UserError as exc:
        return Shown(headings=[], cells=[], total=0, problem=exc.text)
    return Shown(
        headings=[Heading(label=c.label, align=align(c)) for c in found.columns],
        cells=cells(found.rows, found.columns, found.currency, locale),
        total=found.total,
        problem="",
    )


def _saved(key: str, principal: Principal) -> ReportDefinition:
    with session_scope() as session:
        return saved.saved_report(session, key, principal)


def _export_status(job_id: int) -> dict[str, Any]:
    with session_scope() as session:
        job = session.get(Job, job_id)
        if job is None:
            return {}
        return {
            "status": job.status,
            "done": job.progress_done,
            "total": job.progress_total,
            "error": job.error,
            "filename": str(job.result.get("filename", "")),
            "truncated": bool(job.result.get("truncated")),
        }


class ReportState(rx.State):
    """One report: what is shown, where in it, and the export under way."""

    key: str = ""
    found: bool = True
    title: str = ""
    description: str = ""
    source: str = ""  # the source's label (a message id)
    period: str = ""  # the viewer's choice; "" is the report's own
    page: int = 1
    shown: Shown = Shown(headings=[], cells=[], total=0, problem="")
    can_edit: bool = False
    shared_with: list[str] = []
    message: str = ""
    share_open: bool = False
    duplicate_open: bool = False
    export_job: int = 0
    export_status: str = ""  # queued, running, succeeded, failed
    export_progress: str = ""
    export_name: str = ""
    export_note: str = ""

    @rx.var
    def pages(self) -> int:
        """How many pages the report has."""
        return max(1, -(-self.shown["total"] // PAGE_SIZE))

    @rx.var
    def export_url(self) -> str:
        """Where the finished export is downloaded."""
        return f"/exports/{self.export_job}" if self.export_status == "succeeded" else ""

    @rx.event
    @guarded(Permission.VIEW_REPORTS)
    async def load(self) -> None:
        """Open the report named in the address."""
        self.key = str(self.router.page.params.get("key", ""))[:64]
        self.period, self.page, self.message, self.export_job = "", 1, "", 0
        self.export_status = ""
        from cbe_app.ui.pages.report_builder import BuilderState  # the builder uses this state

        (await self.get_state(BuilderState)).editing = False
        principal = current_principal()
        self.can_edit = principal.can(Permission.USE_BUILDERS)
        try:
            report = await asyncio.to_thread(_saved, self.key, principal)
        except NotFound:
            self.found = False
            return
        self.found = True
        await self._show(report)

    async def _show(self, report: ReportDefinition) -> None:
        """Put `report` (saved, or a builder's draft) on the screen at the current page."""
        locale = (await self.get_state(LocaleState)).locale
        language = "zh_CN" if locale.startswith("zh") else "en"
        self.title = report.title.get(language)
        self.description = report.description.get(language) if report.description else ""
        self.source = SOURCES[report.source].label if report.source in SOURCES else report.source
        self.shared_with = [r.value for r in report.shared_with]
        self.shown = await asyncio.to_thread(show, report, self.page, self.period, locale)

    async def _current(self) -> ReportDefinition | None:
        """What the table shows now: the builder's draft while editing, else the saved one."""
        from cbe_app.ui.pages.report_builder import BuilderState  # the builder uses this state

        builder = await self.get_state(BuilderState)
        draft = await builder._draft_report()
        if draft is not None:
            return draft
        try:
            return await asyncio.to_thread(_saved, self.key, current_principal())
        except NotFound:
            self.found = False
            return None

    async def _reshow(self) -> None:
        report = await self._current()
        if report is not None:
            await self._show(report)

    @rx.event
    @guarded(Permission.VIEW_REPORTS)
    async def set_period(self, period: str) -> None:
        """Show the report over another period (the report's own: "-")."""
        self.period = period if period in PERIODS else ""
        self.page = 1
        await self._reshow()

    @rx.event
    @guarded(Permission.VIEW_REPORTS)
    async def go_to_page(self, page: int) -> None:
        """Show another page."""
        try:
            wanted = int(page)
        except (TypeError, ValueError):
            return  # not a page number (a forged event): nothing to show
        self.page = min(max(1, wanted), self.pages)
        await self._reshow()

    @rx.event
    @guarded(Permission.VIEW_REPORTS)
    async def export(self, fmt: str) -> None:
        """Start making the report as a file; the screen follows the job."""
        principal = current_principal()
        locale = (await self.get_state(LocaleState)).locale
        try:
            chosen = ExportFormat(fmt)
            job_id = await asyncio.to_thread(
                lambda: start_export(
                    self.key,
                    chosen,
                    principal=principal,
                    now=utcnow(),
                    locale=locale,
                    period=self.period or None,
                )
            )
        except (ValueError, UserError) as exc:
            self.message = exc.text if isinstance(exc, UserError) else str(exc)
            return
        self.export_job, self.export_status, self.export_name = job_id, "queued", ""
        self.export_progress, self.export_note = "", ""
        live.watch("jobs", self.router.session.client_token, ReportState)

    async def _on_change(self, change: Change) -> bool:
        """A job moved: if it is our export, show how far it is. False stops following."""
        principal = await resolve_principal(self)
        if principal is None or not principal.can(Permission.VIEW_REPORTS):
            self.export_job = 0
            return False
        if str(self.export_job) not in change.ids:
            return self.export_status not in ("succeeded", "failed")
        found = await asyncio.to_thread(_export_status, self.export_job)
        self.export_status = str(found.get("status", "failed"))
        self.export_progress = f"{found.get('done', 0):,}"
        self.export_name = str(found.get("filename", ""))
        self.export_note = str(found.get("error", ""))
        if found.get("truncated"):
            self.export_note = N_(
                "The file holds the first rows only, as many as its format allows here; "
                "export CSV for more."
            )
        return self.export_status not in ("succeeded", "failed")

    # Sharing, copying and the definition as a file (builders).

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_share_open(self, value: bool) -> None:
        """Open or close the sharing dialog."""
        self.share_open = value

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_duplicate_open(self, value: bool) -> None:
        """Open or close the copy dialog."""
        self.duplicate_open = value

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def save_sharing(self, form: dict[str, Any]) -> None:
        """Share the report with the roles ticked in the dialog."""
        roles = [r for r in Role if form.get(r.value) in ("on", True, "true")]
        principal = current_principal()

        def store() -> None:
            with session_scope() as session:
                saved.share_report(
                    session,
                    self.key,
                    roles,
                    principal=principal,
                    now=utcnow(),
                    base_currency=get_settings().base_currency,
                )

        try:
            await asyncio.to_thread(store)
        except UserError as exc:
            self.message = exc.text
            return
        self.shared_with, self.share_open, self.message = [r.value for r in roles], False, ""

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def duplicate(self, form: dict[str, Any]) -> Any:
        """Copy the report under a new title and open the copy."""
        title = str(form.get("title", ""))
        principal = current_principal()

        def store() -> str:
            with session_scope() as session:
                copy = saved.duplicate_report(
                    session,
                    self.key,
                    title,
                    principal=principal,
                    now=utcnow(),
                    base_currency=get_settings().base_currency,
                )
            return copy.key

        try:
            key = await asyncio.to_thread(store)
        except UserError as exc:
            self.message = exc.text
            return None
        self.duplicate_open, self.message = False, ""
        return rx.redirect(f"/reports/{key}")

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def download_definition(self) -> Any:
        """Download the report's definition as a YAML file (`definitions import` reads it)."""
        principal = current_principal()
        try:
            report = await asyncio.to_thread(_saved, self.key, principal)
        except UserError as exc:
            self.message = exc.text
            return None
        return rx.download(data=export_text(report), filename=f"{self.key}.yaml")
