"""Admin › Jobs: background jobs with live progress, and starting the demo data load."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, TypedDict

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.changes import Change
from cbe_app.core.i18n import N_
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.demo.service import LOAD_TASK, LOAD_TITLE, DemoParams
from cbe_app.jobs.service import enqueue, list_jobs
from cbe_app.ui import live
from cbe_app.ui.components.admin_tabs import admin_tabs
from cbe_app.ui.guard import current_principal, guarded, resolve_principal
from cbe_app.ui.i18n import T, T_var

MAX_DEMO_ORDERS = 1_000_000


class JobRow(TypedDict):
    """A job as the table shows it."""

    id: int
    title: str
    status: str
    percent: int
    progress: str
    message: str
    attempts: int
    error: str
    created: str


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S") if at else ""


def _rows() -> list[JobRow]:
    with session_scope() as session:
        jobs = list_jobs(session)
    return [
        JobRow(
            id=j.id,
            title=j.title,
            status=j.status,
            percent=j.percent,
            progress=f"{j.done:,} / {j.total:,}" if j.total else "",
            message=j.message,
            attempts=j.attempts,
            error=j.error,
            created=_when(j.created_at),
        )
        for j in jobs
    ]


class JobsState(rx.State):
    """The jobs table; refreshed live whenever a worker reports progress."""

    jobs: list[JobRow] = []
    demo_error: str = ""

    @rx.event
    @guarded(Permission.VIEW_JOBS)
    async def load(self) -> None:
        """Fill the table and follow job changes while the page is open."""
        self.jobs = await asyncio.to_thread(_rows)
        live.watch("jobs", self.router.session.client_token, JobsState)

    async def _on_change(self, change: Change) -> bool:
        """A worker changed a job: re-check access, then refresh. False stops following."""
        principal = await resolve_principal(self)
        if principal is None or not principal.can(Permission.VIEW_JOBS):
            self.jobs = []
            return False
        self.jobs = await asyncio.to_thread(_rows)
        return True

    @rx.event
    @guarded(Permission.RUN_JOBS)
    async def start_demo_load(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        """Queue a demo data load of the size asked for."""
        raw = str(form.get("orders", "")).replace(",", "").strip()
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_DEMO_ORDERS:
            self.demo_error = N_("Enter a number of orders between 1 and 1,000,000.")
            return None
        self.demo_error = ""
        params = DemoParams(orders=int(raw), seed=7, end=utcnow().date())
        user_id = current_principal().user_id
        await asyncio.to_thread(
            enqueue, LOAD_TASK, LOAD_TITLE, params.to_json(), now=utcnow(), user_id=user_id
        )
        self.jobs = await asyncio.to_thread(_rows)
        return None


_STATUS_COLORS = {"queued": "gray", "running": "blue", "succeeded": "green", "failed": "red"}
_STATUS_LABELS = {
    "queued": N_("Queued"),
    "running": N_("Running"),
    "succeeded": N_("Succeeded"),
    "failed": N_("Failed"),
}


def _status(status: rx.Var[str]) -> rx.Component:
    return rx.match(
        status,
        *[
            (key, rx.badge(T(_STATUS_LABELS[key]), color_scheme=color))
            for key, color in _STATUS_COLORS.items()
        ],  # type: ignore[arg-type]
        rx.badge(status),
    )


def _row(job: JobRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text("#", job["id"].to(str), color_scheme="gray", size="2")),
        rx.table.cell(
            rx.vstack(
                rx.text(T_var(job["title"].to(str)), weight="medium"),
                rx.text(job["created"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(_status(job["status"].to(str)), data_testid="job-status"),
        rx.table.cell(
            rx.vstack(
                rx.progress(value=job["percent"].to(int), max=100, width="160px"),
                rx.text(
                    job["progress"],
                    " ",
                    T_var(job["message"].to(str)),
                    size="1",
                    color_scheme="gray",
                ),
                rx.cond(
                    job["error"].to(str) != "", rx.text(job["error"], size="1", color_scheme="red")
                ),
                spacing="1",
            ),
            data_testid="job-progress",
        ),
        rx.table.cell(rx.text(job["attempts"].to(str), size="2")),
        data_testid="job-row",
    )


def _demo_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.text(
                T("Orders to generate"),
                size="2",
                color_scheme="gray",
                as_="label",
                html_for="demo-orders",
            ),
            rx.input(
                name="orders",
                id="demo-orders",
                default_value="5000",
                width="110px",
                data_testid="demo-orders",
            ),
            rx.button(
                rx.icon("play", size=15),
                T(LOAD_TITLE),
                type="submit",
                data_testid="start-demo-load",
            ),
            spacing="2",
            align="center",
        ),
        rx.cond(
            JobsState.demo_error != "",
            rx.text(T_var(JobsState.demo_error), color_scheme="red", size="1"),
        ),
        on_submit=JobsState.start_demo_load,
        reset_on_submit=False,
    )


def jobs_content() -> rx.Component:
    """The body of Admin › Jobs."""
    return rx.vstack(
        admin_tabs("jobs"),
        rx.hstack(
            rx.text(
                T("Background work, updated live as workers report progress."), color_scheme="gray"
            ),
            rx.spacer(),
            _demo_form(),
            width="100%",
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        rx.card(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("#"),
                        rx.table.column_header_cell(T("Job")),
                        rx.table.column_header_cell(T("Status")),
                        rx.table.column_header_cell(T("Progress")),
                        rx.table.column_header_cell(T("Attempts")),
                    )
                ),
                rx.table.body(rx.foreach(JobsState.jobs, _row)),
                width="100%",
            ),
            rx.cond(
                JobsState.jobs.length() == 0,
                rx.text(T("No jobs yet."), color_scheme="gray", padding="16px"),
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
