"""Saved reports as people use them: which they may open, and a builder's changes to one.

Every change is the report's next version, checked against the catalogue first, so a saved
report always runs; the pack's reports open and change like any a builder made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Permission, Role
from cbe_app.core.definitions import LocalizedText
from cbe_app.core.errors import NotFound, PermissionDenied, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.packs.service import definitions_in_effect
from cbe_app.reports.catalog import SOURCES
from cbe_app.reports.compiler import check
from cbe_app.reports.drill import DRILL_COLUMNS
from cbe_app.reports.listing import check_listing
from cbe_app.reports.report import ReportDefinition, ReportMode, Schedule
from cbe_app.reports.sharing import free_key, may_open, store

_PROBLEM = N_("The report cannot be saved as it is.")


def saved_reports(session: Session) -> dict[str, ReportDefinition]:
    """Every report by key: as stored, else as the pack ships it."""
    return definitions_in_effect(session, ReportDefinition)


def visible_reports(session: Session, principal: Principal) -> list[ReportDefinition]:
    """The reports this person may open, by title."""
    found = [r for r in saved_reports(session).values() if may_open(principal, r)]
    return sorted(found, key=lambda r: r.title.en.lower())


def saved_report(
    session: Session, key: str, principal: Principal | None = None
) -> ReportDefinition:
    """A report by key (one `principal` may open, when given)."""
    found = saved_reports(session).get(key)
    if found is None or (principal is not None and not may_open(principal, found)):
        raise NotFound(N_("There is no report {key}."), key=repr(key))
    return found


def check_report(report: ReportDefinition, base_currency: str) -> None:
    """Raise `ValidationFailed` with every way the report does not fit the catalogue."""
    if report.mode is ReportMode.ROWS:
        check_listing(report.list_spec(), base_currency)
    else:
        check(report.data_spec(), base_currency)


def _editable(session: Session, key: str, principal: Principal) -> ReportDefinition:
    if not principal.can(Permission.USE_BUILDERS):
        raise PermissionDenied
    return saved_report(session, key, principal)


def _save(
    session: Session,
    report: ReportDefinition,
    changes: dict[str, Any],
    *,
    principal: Principal,
    now: datetime,
    base_currency: str,
    action: str,
    **details: Any,
) -> ReportDefinition:
    return store(
        session,
        report.model_copy(update=changes),
        principal=principal,
        now=now,
        action=action,
        problem=_PROBLEM,
        check=lambda changed: check_report(changed, base_currency),
        **details,
    )


def save_report(
    session: Session,
    report: ReportDefinition,
    *,
    principal: Principal,
    now: datetime,
    base_currency: str,
) -> ReportDefinition:
    """A builder's edit of an existing report: its next version (sharing and schedules kept).

    Raises:
        PermissionDenied: the person may not change reports.
        NotFound: there is no such report to change.
        ValidationFailed: every problem of the report at once.
    """
    existing = _editable(session, report.key, principal)
    kept = {"shared_with": existing.shared_with, "schedules": existing.schedules}
    return _save(
        session,
        report,
        kept,
        principal=principal,
        now=now,
        base_currency=base_currency,
        action="report.saved",
    )


def create_report(
    session: Session,
    title: str,
    source: str,
    *,
    principal: Principal,
    now: datetime,
    base_currency: str,
) -> ReportDefinition:
    """A new report of `source`'s records, with the columns a person first wants to see."""
    if not principal.can(Permission.USE_BUILDERS):
        raise PermissionDenied
    title = title.strip()[:200]
    problems = {}
    if not title:
        problems["title"] = "needs a title"
    if source not in SOURCES:
        problems["source"] = f"choose one of: {', '.join(SOURCES)}"
    if problems:
        raise ValidationFailed(problems, _PROBLEM)
    report = ReportDefinition(
        key=free_key(title, "report", set(saved_reports(session))),
        title=LocalizedText(en=title, zh_CN=title),
        source=source,
        columns=DRILL_COLUMNS.get(source, list(SOURCES[source].fields)[:6]),
    )
    return _save(
        session,
        report,
        {},
        principal=principal,
        now=now,
        base_currency=base_currency,
        action="report.created",
    )


def duplicate_report(
    session: Session,
    key: str,
    title: str,
    *,
    principal: Principal,
    now: datetime,
    base_currency: str,
) -> ReportDefinition:
    """A copy under a new title and key, shared with nobody and sent to nobody yet."""
    original = _editable(session, key, principal)
    title = title.strip()[:200]
    if not title:
        raise ValidationFailed({"title": "needs a title"}, N_("The report needs a title."))
    copy = original.model_copy(
        update={
            "key": free_key(title, f"{key}_copy", set(saved_reports(session))),
            "title": LocalizedText(en=title, zh_CN=title),
            "shared_with": [],
            "schedules": [],
        }
    )
    return _save(
        session,
        copy,
        {},
        principal=principal,
        now=now,
        base_currency=base_currency,
        action="report.duplicated",
        copied_from=key,
    )


def share_report(
    session: Session,
    key: str,
    roles: list[Role],
    *,
    principal: Principal,
    now: datetime,
    base_currency: str,
) -> ReportDefinition:
    """Share the report with exactly these roles (admins and builders always see it)."""
    report = _editable(session, key, principal)
    chosen = sorted(set(roles), key=lambda r: r.value)
    return _save(
        session,
        report,
        {"shared_with": chosen},
        principal=principal,
        now=now,
        base_currency=base_currency,
        action="report.shared",
    )


def save_schedules(
    session: Session,
    key: str,
    schedules: list[Schedule],
    *,
    principal: Principal,
    now: datetime,
    base_currency: str,
) -> ReportDefinition:
    """Replace the report's schedules (its next version)."""
    report = _editable(session, key, principal)
    return _save(
        session,
        report,
        {"schedules": schedules},
        principal=principal,
        now=now,
        base_currency=base_currency,
        action="report.scheduled",
    )
