"""A report's e-mail schedules: when it is sent, to whom, as what; and what was sent.

Each schedule is a row of plain values in the dialog; saving checks them all at once (a bad
address, an unknown time zone) and stores the report's next version. "Send now" queues one
delivery of a schedule at once, so a builder can see what the recipients will get.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import reflex as rx
from pydantic import ValidationError

from cbe_app.auth.roles import Permission
from cbe_app.changes import Change
from cbe_app.config import get_settings
from cbe_app.core.errors import UserError
from cbe_app.core.i18n import N_
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.reports import saved
from cbe_app.reports.deliveries import recent_deliveries, send_now
from cbe_app.reports.pickers import pydantic_errors
from cbe_app.reports.report import Schedule, next_due
from cbe_app.ui import live
from cbe_app.ui.components.formatting import when
from cbe_app.ui.guard import current_principal, guarded, resolve_principal
from cbe_app.ui.pages.report_state import ReportState

ZONES = [
    "UTC",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
]
WEEKDAYS = [
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
]
_FIELDS = frozenset(
    {"every", "at", "weekday", "day", "timezone", "recipients", "format", "language", "enabled"}
)


class ScheduleRow(TypedDict):
    """A schedule as the dialog edits it."""

    id: str
    every: str
    at: str
    weekday: str
    day: str
    timezone: str
    recipients: str  # comma-separated
    format: str
    language: str
    enabled: str  # "on" or "off"
    next: str  # when it is next due, for reading


class DeliveryRow(TypedDict):
    """A delivery as listed."""

    due: str
    status: str
    recipients: str
    rows: str
    note: str


def _row_of(schedule: Schedule) -> ScheduleRow:
    return ScheduleRow(
        id=schedule.id,
        every=schedule.every.value,
        at=schedule.at,
        weekday=str(schedule.weekday),
        day=str(schedule.day),
        timezone=schedule.timezone,
        recipients=", ".join(schedule.recipients),
        format=schedule.format.value,
        language=schedule.language,
        enabled="on" if schedule.enabled else "off",
        next=when(next_due(schedule, utcnow())),
    )


def _schedule_of(row: ScheduleRow) -> dict[str, Any]:
    recipients = [r.strip() for r in row["recipients"].replace(";", ",").split(",") if r.strip()]
    return {
        "id": row["id"],
        "every": row["every"],
        "at": row["at"].strip(),
        "weekday": int(row["weekday"]) if row["weekday"].isdigit() else row["weekday"],
        "day": int(row["day"]) if row["day"].isdigit() else row["day"],
        "timezone": row["timezone"],
        "recipients": recipients,
        "format": row["format"],
        "language": row["language"],
        "enabled": row["enabled"] == "on",
    }


def _check(rows: list[ScheduleRow]) -> tuple[list[Schedule], dict[str, str]]:
    schedules, problems = [], {}
    for n, row in enumerate(rows):
        try:
            schedules.append(Schedule.model_validate(_schedule_of(row)))
        except ValidationError as exc:
            problems.update({f"{n + 1}. {k}": v for k, v in pydantic_errors(exc).items()})
    return schedules, problems


def _deliveries(key: str) -> list[DeliveryRow]:
    with session_scope() as session:
        found = recent_deliveries(session, key)
        return [
            DeliveryRow(
                due=when(d.due_at),
                status=d.status,
                recipients=", ".join(d.recipients),
                rows=f"{d.rows:,}" if d.status == "sent" else "",
                note=d.error or ("outbox" if d.detail.get("outbox") else ""),
            )
            for d in found
        ]


class ScheduleState(rx.State):
    """The schedules dialog of the report shown."""

    open: bool = False
    rows: list[ScheduleRow] = []
    problems: dict[str, str] = {}
    deliveries: list[DeliveryRow] = []
    notice: str = ""

    @rx.var
    def problem_lines(self) -> list[str]:
        """Every problem, by the schedule and field it is in."""
        return [f"{where}: {problem}" for where, problem in self.problems.items()]

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def show(self) -> None:
        """Open the dialog with the report's schedules and its last deliveries."""
        report_state = await self.get_state(ReportState)
        principal, key = current_principal(), report_state.key

        def load() -> tuple[list[ScheduleRow], list[DeliveryRow]]:
            with session_scope() as session:
                report = saved.saved_report(session, key, principal)
            return [_row_of(s) for s in report.schedules], _deliveries(key)

        try:
            self.rows, self.deliveries = await asyncio.to_thread(load)
        except UserError as exc:
            report_state.message = exc.text
            return
        self.problems, self.notice, self.open = {}, "", True

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_open(self, value: bool) -> None:
        """Close the dialog (Escape, a click outside)."""
        self.open = value

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_field(self, index: int, name: str, value: str) -> None:
        """Change one field of one schedule."""
        if name in _FIELDS and 0 <= index < len(self.rows):
            rows = [dict(r) for r in self.rows]
            rows[index][name] = str(value)[:2000]
            self.rows = rows  # type: ignore[assignment]

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def add(self) -> None:
        """Add a schedule: weekly on Monday at 08:00 UTC, as a workbook, to be filled in."""
        taken = {r["id"] for r in self.rows}
        number = next(n for n in range(1, 100) if f"s{n}" not in taken)
        row = ScheduleRow(
            id=f"s{number}",
            every="weekly",
            at="08:00",
            weekday="0",
            day="1",
            timezone="UTC",
            recipients="",
            format="xlsx",
            language="en",
            enabled="on",
            next="",
        )
        self.rows = [*self.rows, row]

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def remove(self, index: int) -> None:
        """Take a schedule off (saved with the others)."""
        self.rows = [r for n, r in enumerate(self.rows) if n != index]

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def save(self) -> None:
        """Check every schedule and store them as the report's next version."""
        schedules, self.problems = _check(self.rows)
        if self.problems:
            return
        report_state = await self.get_state(ReportState)
        principal, key = current_principal(), report_state.key

        def store() -> list[ScheduleRow]:
            with session_scope() as session:
                report = saved.save_schedules(
                    session,
                    key,
                    schedules,
                    principal=principal,
                    now=utcnow(),
                    base_currency=get_settings().base_currency,
                )
            return [_row_of(s) for s in report.schedules]

        try:
            self.rows = await asyncio.to_thread(store)
        except UserError as exc:
            self.problems = {"schedules": exc.text}
            return
        self.notice = N_("Schedules saved.")

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def send(self, index: int) -> None:
        """Send a saved schedule's report now, to its recipients."""
        report_state = await self.get_state(ReportState)
        if not 0 <= index < len(self.rows):
            return
        key, schedule_id = report_state.key, self.rows[index]["id"]
        try:
            await asyncio.to_thread(send_now, key, schedule_id, utcnow())
        except UserError:
            self.problems = {f"{index + 1}": N_("Save the schedule before sending it.")}
            return
        self.deliveries = await asyncio.to_thread(_deliveries, key)
        self.notice = N_("Queued: the report is being made and sent.")
        live.watch("jobs", self.router.session.client_token, ScheduleState)

    async def _on_change(self, change: Change) -> bool:
        """A job moved: show the deliveries as they are now, while the dialog is open."""
        principal = await resolve_principal(self)
        if principal is None or not principal.can(Permission.USE_BUILDERS) or not self.open:
            return False
        key = (await self.get_state(ReportState)).key
        self.deliveries = await asyncio.to_thread(_deliveries, key)
        return any(d["status"] == "queued" for d in self.deliveries)
