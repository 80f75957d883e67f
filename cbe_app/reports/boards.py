"""Dashboards as people use them: which they may open, and a builder's changes to one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from cbe_app.auth import audit
from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Permission, Role
from cbe_app.core.errors import NotFound, PermissionDenied, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.packs.service import definitions_in_effect, save_definition
from cbe_app.reports.dashboard import DashboardDefinition, Layout


def dashboards(session: Session) -> dict[str, DashboardDefinition]:
    """Every dashboard by key: as stored, else as the pack ships it."""
    return definitions_in_effect(session, DashboardDefinition)


def may_open(principal: Principal, board: DashboardDefinition) -> bool:
    """Admins and builders open every dashboard; others those shared with one of their roles."""
    if Role.ADMIN in principal.roles or principal.can(Permission.USE_BUILDERS):
        return True
    return bool(principal.roles & set(board.shared_with))


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
    if not principal.can(Permission.USE_BUILDERS):
        raise PermissionDenied
    board = dashboard(session, key, principal)
    unknown = sorted(set(positions) - {w.id for w in board.widgets})
    if unknown:
        raise ValidationFailed(
            {"widgets": ", ".join(unknown)}, N_("The dashboard has no such widget.")
        )
    widgets = [
        w.model_copy(update={"layout": positions.get(w.id, w.layout)}) for w in board.widgets
    ]
    changed = board.model_copy(update={"widgets": widgets})
    changed = DashboardDefinition.model_validate(changed.model_dump())
    row = save_definition(session, changed, now=now, actor_id=principal.user_id)
    audit.record(
        session,
        action="dashboard.layout",
        entity="definition",
        entity_id=row.id or 0,
        actor_id=principal.user_id,
        at=now,
        dashboard=key,
    )
    return changed
