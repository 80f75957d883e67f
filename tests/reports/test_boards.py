"""Who opens which dashboard, and a builder's layout saved as the dashboard's next version."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Role
from cbe_app.auth.service import create_user
from cbe_app.core.errors import NotFound, PermissionDenied, ValidationFailed
from cbe_app.db import session_scope
from cbe_app.packs.models import DefinitionVersion, StoredDefinition
from cbe_app.packs.service import load_pack
from cbe_app.reports.boards import dashboard, save_layout, visible_dashboards
from cbe_app.reports.dashboard import Layout
from tests.conftest import Backend

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


_made = itertools.count(1)


def person(*roles: Role) -> Principal:
    with session_scope() as session:
        user = create_user(
            session,
            email=f"{'-'.join(roles)}{next(_made)}@example.com",
            password="a long enough password 1",
            roles=list(roles),
            full_name="Test",
            now=NOW,
            source="test",
        )
        return Principal(user.id or 0, user.email, "Test", frozenset(roles), "en")


def test_dashboards_are_shared_by_role(backend: Backend) -> None:
    with session_scope() as session:
        warehouse = {b.key for b in visible_dashboards(session, person(Role.WAREHOUSE))}
        executive = {b.key for b in visible_dashboards(session, person(Role.EXECUTIVE))}
        builder = {b.key for b in visible_dashboards(session, person(Role.BUILDER))}
        assert warehouse == {"operations"}
        assert executive == {"executive"}
        assert builder == {"executive", "operations"}
        with pytest.raises(NotFound):
            dashboard(session, "executive", person(Role.WAREHOUSE))


def test_a_builder_moves_widgets_and_the_pack_keeps_the_change(backend: Backend) -> None:
    builder = person(Role.BUILDER)
    with session_scope() as session:
        load_pack(session, NOW)
        save_layout(
            session, "executive", {"gmv": Layout(x=6, y=20, w=6, h=3)}, principal=builder, now=NOW
        )
    with session_scope() as session:
        gmv = next(w for w in dashboard(session, "executive").widgets if w.id == "gmv")
        assert gmv.layout == Layout(x=6, y=20, w=6, h=3)
        report = load_pack(session, NOW)  # a later start loads the pack again
        assert "dashboard:executive" in report.kept or "dashboard:executive" in report.unchanged
        row = session.scalar(
            select(StoredDefinition).where(
                StoredDefinition.kind == "dashboard", StoredDefinition.key == "executive"
            )
        )
        assert row is not None and row.version == 2
        versions = session.scalars(
            select(DefinitionVersion.actor_id).where(DefinitionVersion.definition_id == row.id)
        ).all()
        assert builder.user_id in versions
    with session_scope() as session:
        gmv = next(w for w in dashboard(session, "executive").widgets if w.id == "gmv")
        assert gmv.layout.x == 6


def test_layout_changes_are_checked(backend: Backend) -> None:
    with session_scope() as session:
        with pytest.raises(PermissionDenied):
            save_layout(session, "executive", {}, principal=person(Role.EXECUTIVE), now=NOW)
        builder = person(Role.BUILDER)
        with pytest.raises(ValidationFailed, match="no such widget"):
            save_layout(session, "executive", {"nope": Layout()}, principal=builder, now=NOW)
    with pytest.raises(ValueError, match="fit in 12 columns"):
        Layout(x=10, w=4)
