"""Dashboards as people use them: which they may open, and a builder's changes to one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Permission, Role
from cbe_app.core.definitions import LocalizedText
from cbe_app.core.errors import NotFound, PermissionDenied, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.packs.service import definitions_in_effect
from cbe_app.reports.catalog import CHANNELS
from cbe_app.reports.dashboard import DashboardDefinition, Layout, Widget
from cbe_app.reports.models import ORDERS_MONTH
from cbe_app.reports.sharing import free_key, may_open, store


def dashboards(session: Session) -> dict[str, DashboardDefinition]:
    """Every dashboard by key: as stored, else as the pack ships it."""
    return definitions_in_effect(session, DashboardDefinition)


def visible_dashboards(session: Session, principal: Principal) -> list[DashboardDefinition]:
    """The dashboards this person may open, by title."""
    boards = [b for b in dashboards(session).values() if may_open(principal, b)]
    return sorted(boards, key=lambda b: b.title.en.lower())


def dashboard(
    session: Session, key: str, principal: Principal | None = None
) -> DashboardDefinition:
    """A dashboard by key (one `principal` may open, when given)."""
    board = dashboards(session).get(key)
    if board is None or (principal is not None and not may_open(principal, board)):
        raise NotFound(N_("There is no dashboard {key}."), key=repr(key))
    return board


def filter_choices(session: Session) -> tuple[list[str], list[str]]:
    """What a viewer may narrow a dashboard to: channel names, and countries that ordered.

    Countries come from the monthly rollup (a few thousand rows), not from the orders.
    """
    channels = session.scalars(select(CHANNELS.c.name).order_by(CHANNELS.c.name)).all()
    countries = session.scalars(
        select(ORDERS_MONTH.c.country)
        .distinct()
        .where(ORDERS_MONTH.c.orders > 0, ORDERS_MONTH.c.country != "")
        .order_by(ORDERS_MONTH.c.country)
    ).all()
    return [str(c) for c in channels], [str(c) for c in countries]


def save_layout(
    session: Session,
    key: str,
    positions: dict[str, Layout],
    *,
    principal: Principal,
    now: datetime,
) -> DashboardDefinition:
    """Move and resize widgets (by id): the dashboard's next version.

    Raises:
        PermissionDenied: the person may not change dashboards.
        ValidationFailed: a position names no widget of the dashboard.
    """
    board = _editable(session, key, principal)
    unknown = sorted(set(positions) - {w.id for w in board.widgets})
    if unknown:
        raise ValidationFailed(
            {"widgets": ", ".join(unknown)}, N_("The dashboard has no such widget.")
        )
    widgets = [
        w.model_copy(update={"layout": positions.get(w.id, w.layout)}) for w in board.widgets
    ]
    return _save(
        session,
        board,
        {"widgets": widgets},
        principal=principal,
        now=now,
        action="dashboard.layout",
    )


def save_widget(
    session: Session, key: str, widget: Widget, *, principal: Principal, now: datetime
) -> DashboardDefinition:
    """Add a widget, or replace the one with its id: the dashboard's next version.

    Raises:
        PermissionDenied: the person may not change dashboards.
        ValidationFailed: the dashboard would be invalid (too many widgets).
    """
    board = _editable(session, key, principal)
    widgets = [w for w in board.widgets if w.id != widget.id]
    at = next((n for n, w in enumerate(board.widgets) if w.id == widget.id), len(widgets))
    widgets.insert(at, widget)
    return _save(
        session,
        board,
        {"widgets": widgets},
        principal=principal,
        now=now,
        action="dashboard.widget",
    )


def remove_widget(
    session: Session, key: str, widget_id: str, *, principal: Principal, now: datetime
) -> DashboardDefinition:
    """Take a widget off the dashboard (its earlier versions keep it)."""
    board = _editable(session, key, principal)
    widgets = [w for w in board.widgets if w.id != widget_id]
    if len(widgets) == len(board.widgets):
        raise ValidationFailed({"widgets": widget_id}, N_("The dashboard has no such widget."))
    return _save(
        session,
        board,
        {"widgets": widgets},
        principal=principal,
        now=now,
        action="dashboard.widget_removed",
    )


def share(
    session: Session, key: str, roles: list[Role], *, principal: Principal, now: datetime
) -> DashboardDefinition:
    """Share the dashboard with exactly these roles (admins and builders always see it)."""
    board = _editable(session, key, principal)
    chosen = sorted(set(roles), key=lambda r: r.value)
    return _save(
        session,
        board,
        {"shared_with": chosen},
        principal=principal,
        now=now,
        action="dashboard.shared",
    )


def duplicate(
    session: Session, key: str, title: str, *, principal: Principal, now: datetime
) -> DashboardDefinition:
    """A copy of the dashboard under a new title and key, shared with nobody yet.

    Raises:
        ValidationFailed: the title is empty.
    """
    board = _editable(session, key, principal)
    title = title.strip()[:200]
    if not title:
        raise ValidationFailed({"title": "needs a title"}, N_("The dashboard needs a title."))
    copy_key = free_key(title, f"{board.key}_copy", set(dashboards(session)))
    copied = board.model_copy(
        update={"key": copy_key, "title": LocalizedText(en=title, zh_CN=title), "shared_with": []}
    )
    return _save(
        session,
        copied,
        {},
        principal=principal,
        now=now,
        action="dashboard.duplicated",
        copied_from=key,
    )


def _editable(session: Session, key: str, principal: Principal) -> DashboardDefinition:
    if not principal.can(Permission.USE_BUILDERS):
        raise PermissionDenied
    return dashboard(session, key, principal)


def _save(
    session: Session,
    board: DashboardDefinition,
    changes: dict[str, Any],
    *,
    principal: Principal,
    now: datetime,
    action: str,
    **details: Any,
) -> DashboardDefinition:
    """Validate the changed dashboard as a whole, store its next version, and audit it."""
    return store(
        session,
        board.model_copy(update=changes),
        principal=principal,
        now=now,
        action=action,
        problem=N_("The dashboard cannot be saved as it is."),
        **details,
    )
