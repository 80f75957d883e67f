"""Data hub › Sync history: every run with its progress and counts, live."""

from __future__ import annotations

import asyncio
from typing import TypedDict

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.changes import Change
from cbe_app.db import session_scope
from cbe_app.hub import views
from cbe_app.hub.providers.registry import PROVIDERS
from cbe_app.ui import live
from cbe_app.ui.components.datahub_tabs import datahub_tabs
from cbe_app.ui.components.formatting import progress_figures, when
from cbe_app.ui.components.progress import progress_bar
from cbe_app.ui.components.records import table_card
from cbe_app.ui.guard import guarded, resolve_principal
from cbe_app.ui.i18n import T, T_var


class RunView(TypedDict):
    """A run row."""

    id: int
    account: str
    provider: str
    trigger: str
    status: str
    started: str
    finished: str
    counts: str
    error: str
    percent: int
    progress: str


def _rows() -> list[RunView]:
    with session_scope() as session:
        rows = views.runs(session)
    return [
        RunView(
            id=r.id,
            account=r.account,
            provider=PROVIDERS[r.provider].title,
            trigger=r.trigger,
            status=r.status,
            started=when(r.started_at),
            finished=when(r.finished_at),
            counts=f"+{r.created:,} ~{r.updated:,} ={r.unchanged:,} !{r.quarantined:,}",
            error=r.error,
            percent=figures[0],
            progress=figures[1],
        )
        for r in rows
        for figures in [progress_figures(r.progress_done, r.progress_total, r.status != "running")]
    ]


class RunsState(rx.State):
    """The sync history, refreshed as workers report progress."""

    runs: list[RunView] = []

    @rx.event
    @guarded(Permission.VIEW_DATAHUB)
    async def load(self) -> None:
        """Fill the table and follow progress while the page is open."""
        self.runs = await asyncio.to_thread(_rows)
        live.watch("jobs", self.router.session.client_token, RunsState)

    async def _on_change(self, change: Change) -> bool:
        principal = await resolve_principal(self)
        if principal is None or not principal.can(Permission.VIEW_DATAHUB):
            self.runs = []
            return False
        self.runs = await asyncio.to_thread(_rows)
        return True


def _row(run: RunView) -> rx.Component:
    colour = rx.match(
        run["status"], ("succeeded", "green"), ("failed", "red"), ("running", "blue"), "gray"
    )
    return rx.table.row(
        rx.table.cell(rx.text("#", run["id"].to(str), size="2", color_scheme="gray")),
        rx.table.cell(
            rx.vstack(
                rx.text(run["account"], weight="medium"),
                rx.text(
                    run["provider"], " · ", T_var(run["trigger"]), size="1", color_scheme="gray"
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.badge(T_var(run["status"]), color_scheme=colour),
                progress_bar(run["percent"]),
                rx.text(run["progress"], size="1", color_scheme="gray"),
                spacing="1",
            ),
            data_testid="run-status",
        ),
        rx.table.cell(rx.text(run["counts"], size="2", font_family="var(--code-font-family)")),
        rx.table.cell(
            rx.vstack(
                rx.text(run["started"], size="1"),
                rx.text(run["finished"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(run["error"], size="1", color_scheme="red")),
        data_testid="run-row",
    )


def runs_content() -> rx.Component:
    """The body of Data hub › Sync history."""
    return rx.vstack(
        datahub_tabs("runs"),
        rx.text(
            T("Counts: + created, ~ updated, = unchanged, ! quarantined."),
            color_scheme="gray",
            size="2",
        ),
        table_card(
            ["#", T("Account"), T("Progress"), T("Records"), T("When"), T("Error")],
            rx.table.body(rx.foreach(RunsState.runs, _row)),
        ),
        rx.cond(RunsState.runs.length() == 0, rx.text(T("No syncs yet."), color_scheme="gray")),
        spacing="4",
        width="100%",
    )
