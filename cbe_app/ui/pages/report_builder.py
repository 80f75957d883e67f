"""The report builder: a panel of pickers beside the report, which shows the draft as you edit.

The draft and its conversion are `reports.report_draft` (pure); the pickers' rows are shared
with the dashboard inspector (`ui.components.spec_pickers`). Saving stores the report's next
version; discarding shows the saved one again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.config import get_settings
from cbe_app.core.errors import UserError, ValidationFailed
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.reports import pickers, saved
from cbe_app.reports.pickers import Choice
from cbe_app.reports.report import ReportDefinition, ReportMode
from cbe_app.reports.report_draft import (
    ReportDraft,
    draft_of,
    pivot_choices,
    report_of,
    sort_choices,
    tidy,
)
from cbe_app.ui.components.spec_pickers import (
    NONE,
    SpecChoices,
)
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.i18n import LocaleState
from cbe_app.ui.pages.report_state import ReportState

_PLAIN = frozenset({"title_en", "title_zh", "source", "mode", "pivot", "limit", "period"})
_PARTS = ("columns", "measures", "dimensions", "filters", "sort", "kept")
_NEW_ROWS: dict[str, dict[str, str]] = {
    "columns": {"field": ""},
    "measures": {"agg": "count", "field": ""},
    "dimensions": {"field": "", "grain": ""},
    "filters": {"field": "", "op": "eq", "value": ""},
    "sort": {"by": "", "direction": "asc"},
}
_EMPTY: ReportDraft = ReportDraft(
    key="",
    title_en="",
    title_zh="",
    source="orders",
    mode="rows",
    columns=[],
    measures=[],
    dimensions=[],
    filters=[],
    sort=[],
    kept=[],
    pivot="",
    limit="",
    period="",
)


class BuilderState(SpecChoices, rx.State):
    """The report being edited, its problems, and the pickers' choices."""

    editing: bool = False
    draft: ReportDraft = _EMPTY
    problems: dict[str, str] = {}
    sorts: list[Choice] = []
    pivots: list[Choice] = []
    _saved: dict[str, Any] = {}  # the saved definition, for what the draft does not edit

    @rx.var
    def column_fields(self) -> list[Choice]:
        """Every field of the source, for the columns of a report of rows."""
        return pickers.field_choices(self.draft["source"], role="filter")

    @rx.var
    def problem_lines(self) -> list[str]:
        """Every problem of the draft, one line each, by the part it is in."""
        return [f"{where}: {problem}" for where, problem in self.problems.items()]

    async def _draft_report(self) -> ReportDefinition | None:
        """The draft as a report, while editing and valid; else None."""
        if not self.editing or not self._saved:
            return None
        try:
            return report_of(self.draft, ReportDefinition.model_validate(self._saved))
        except ValidationFailed:
            return None

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def start(self) -> None:
        """Open the builder on the report shown."""
        report_state = await self.get_state(ReportState)
        principal = current_principal()

        def load() -> ReportDefinition:
            with session_scope() as session:
                return saved.saved_report(session, report_state.key, principal)

        try:
            report = await asyncio.to_thread(load)
        except UserError as exc:
            report_state.message = exc.text
            return
        self._saved = report.model_dump(mode="json")
        self.draft, self.problems, self.editing = draft_of(report), {}, True
        await self._changed()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def discard(self) -> None:
        """Close the builder and show the saved report again."""
        self.editing, self.problems, self._saved = False, {}, {}
        report_state = await self.get_state(ReportState)
        await report_state._reshow()

    async def _changed(self) -> None:
        """The draft changed: check it, refresh the choices, and show its rows."""
        locale = (await self.get_state(LocaleState)).locale
        self.draft = tidy(self.draft)
        self.sorts, self.pivots = (
            sort_choices(self.draft, locale),
            pivot_choices(self.draft, locale),
        )
        try:
            report = report_of(self.draft, ReportDefinition.model_validate(self._saved))
        except ValidationFailed as exc:
            self.problems = exc.field_errors or {"report": exc.text}
            return
        self.problems = {}
        report_state = await self.get_state(ReportState)
        report_state.page = 1
        await report_state._show(report)

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_value(self, name: str, value: str) -> None:
        """Set one of the draft's plain values (title, source, mode, pivot, top-N, period)."""
        if name not in _PLAIN:
            return
        value = "" if value == NONE else str(value)[:200]
        draft: dict[str, Any] = {**self.draft, name: value}
        if name == "source":  # another source's fields do not apply
            draft.update(columns=[], measures=[{"agg": "count", "field": ""}], dimensions=[])
            draft.update(filters=[], sort=[], kept=[], pivot="")
            draft["columns"] = [
                {"field": f["value"]} for f in pickers.field_choices(value, role="filter")[:5]
            ]
        if name == "mode" and value == ReportMode.SUMMARY.value and not draft["measures"]:
            draft["measures"] = [{"agg": "count", "field": ""}]
        self.draft = draft  # type: ignore[assignment]
        await self._changed()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def set_row(self, part: str, index: int, name: str, value: str) -> None:
        """Set `name` of row `index` of the columns, measures, groupings, filters or sort."""
        if part not in _PARTS or part == "kept":
            return
        value = "" if value == NONE else str(value)[:1000]
        current = self.draft[part]  # type: ignore[literal-required]
        rows = pickers.set_in_row(
            self.draft["source"], part, current, index=index, name=name, value=value
        )
        if rows is None:
            return
        self.draft = {**self.draft, part: rows}  # type: ignore[typeddict-item]
        await self._changed()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def add_row(self, part: str) -> None:
        """Add a column, measure, grouping, filter or sort to the draft."""
        if part not in _NEW_ROWS:
            return
        row = dict(_NEW_ROWS[part])
        fields = pickers.field_choices(self.draft["source"], role="filter")
        if part in ("columns", "filters") and fields:
            row["field"] = fields[0]["value"]
        rows = [*self.draft[part], row]  # type: ignore[literal-required]
        self.draft = {**self.draft, part: rows}  # type: ignore[assignment]
        await self._changed()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def remove_row(self, part: str, index: int) -> None:
        """Take row `index` off a part of the draft."""
        if part not in _PARTS:
            return
        rows = list(self.draft[part])  # type: ignore[literal-required]
        if 0 <= index < len(rows):
            del rows[index]
        self.draft = {**self.draft, part: rows}  # type: ignore[typeddict-item]
        await self._changed()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def move_column(self, index: int, delta: int) -> None:
        """Move a column left (-1) or right (+1)."""
        rows = list(self.draft["columns"])
        other = index + delta
        if 0 <= index < len(rows) and 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
            self.draft = {**self.draft, "columns": rows}
            await self._changed()

    @rx.event
    @guarded(Permission.USE_BUILDERS)
    async def save(self) -> None:
        """Store the draft as the report's next version and close the builder."""
        report_state = await self.get_state(ReportState)
        principal = current_principal()
        try:
            report = report_of(self.draft, ReportDefinition.model_validate(self._saved))
        except ValidationFailed as exc:
            self.problems = exc.field_errors or {"report": exc.text}
            return

        def store() -> None:
            with session_scope() as session:
                saved.save_report(
                    session,
                    report,
                    principal=principal,
                    now=utcnow(),
                    base_currency=get_settings().base_currency,
                )

        try:
            await asyncio.to_thread(store)
        except ValidationFailed as exc:
            self.problems = exc.field_errors or {"report": exc.text}
            return
        except UserError as exc:
            self.problems = {"report": exc.text}
            return
        self.editing, self.problems, self._saved = False, {}, {}
        report_state.message = ""
        await report_state._reshow()
