"""Who opens which dashboard, and a builder's layout saved as the dashboard's next version."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from cbe_app.auth.models import AuditEvent
from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Role
from cbe_app.auth.service import create_user
from cbe_app.core.errors import NotFound, PermissionDenied, ValidationFailed
from cbe_app.db import session_scope
from cbe_app.packs.models import DefinitionVersion, StoredDefinition
from cbe_app.packs.service import load_pack
from cbe_app.reports.boards import (
    dashboard,
    duplicate,
    filter_choices,
    remove_widget,
    save_layout,
    save_widget,
    share,
    visible_dashboards,
)
from cbe_app.reports.dashboard import Layout, Widget
from cbe_app.reports.service import compact_rollups
from tests.conftest import Backend
from tests.reports.dataset import CHANNEL_NAMES, build, write

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


def _widget(widget_id: str, title: str) -> Widget:
    return Widget.model_validate(
        {
            "id": widget_id,
            "title": {"en": title},
            "chart": {"type": "bar"},
            "data": {
                "source": "orders",
                "measures": [{"key": "count", "agg": "count"}],
                "dimensions": [{"field": "status"}],
            },
            "layout": {"x": 0, "y": 30, "w": 6, "h": 4},
        }
    )


def test_a_builder_adds_changes_and_removes_a_widget(backend: Backend) -> None:
    builder = person(Role.BUILDER)
    with session_scope() as session:
        save_widget(
            session, "operations", _widget("by_status", "By status"), principal=builder, now=NOW
        )
    with session_scope() as session:
        board = dashboard(session, "operations")
        assert board.widgets[-1].id == "by_status"
        count = len(board.widgets)
        first = board.widgets[0].id
        save_widget(session, "operations", _widget(first, "Renamed"), principal=builder, now=NOW)
    with session_scope() as session:
        board = dashboard(session, "operations")
        assert len(board.widgets) == count and board.widgets[0].title.en == "Renamed"
        remove_widget(session, "operations", "by_status", principal=builder, now=NOW)
    with session_scope() as session:
        assert "by_status" not in {w.id for w in dashboard(session, "operations").widgets}
        with pytest.raises(ValidationFailed):
            remove_widget(session, "operations", "by_status", principal=builder, now=NOW)
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.startswith("dashboard."))  # type: ignore[attr-defined]
        ).all()
        assert actions.count("dashboard.widget") == 2 and "dashboard.widget_removed" in actions


def test_only_builders_change_dashboards(backend: Backend) -> None:
    executive = person(Role.EXECUTIVE)
    with session_scope() as session:
        with pytest.raises(PermissionDenied):
            save_widget(session, "executive", _widget("x", "X"), principal=executive, now=NOW)
        with pytest.raises(PermissionDenied):
            share(session, "executive", [Role.OPERATOR], principal=executive, now=NOW)
        with pytest.raises(PermissionDenied):
            duplicate(session, "executive", "Mine", principal=executive, now=NOW)


def test_sharing_decides_who_opens_a_dashboard(backend: Backend) -> None:
    builder, operator = person(Role.BUILDER), person(Role.OPERATOR)
    with session_scope() as session:
        assert "executive" not in {b.key for b in visible_dashboards(session, operator)}
        share(session, "executive", [Role.OPERATOR, Role.EXECUTIVE], principal=builder, now=NOW)
    with session_scope() as session:
        assert "executive" in {b.key for b in visible_dashboards(session, operator)}
        assert dashboard(session, "executive").shared_with == [Role.EXECUTIVE, Role.OPERATOR]


def test_a_duplicate_is_a_new_dashboard_shared_with_nobody(backend: Backend) -> None:
    builder = person(Role.BUILDER)
    with session_scope() as session:
        first = duplicate(session, "executive", "Europe cockpit", principal=builder, now=NOW)
        second = duplicate(session, "executive", "Europe cockpit", principal=builder, now=NOW)
        chinese = duplicate(session, "executive", "欧洲驾驶舱", principal=builder, now=NOW)
        with pytest.raises(ValidationFailed):
            duplicate(session, "executive", "   ", principal=builder, now=NOW)
    assert (first.key, second.key) == ("europe_cockpit", "europe_cockpit_2")
    assert chinese.key == "executive_copy" and chinese.title.zh_CN == "欧洲驾驶舱"
    with session_scope() as session:
        copy = dashboard(session, "europe_cockpit")
        assert copy.shared_with == [] and copy.widgets == dashboard(session, "executive").widgets
        assert "europe_cockpit" not in {
            b.key for b in visible_dashboards(session, person(Role.EXECUTIVE))
        }


def test_the_filter_choices_are_channels_and_countries_that_ordered(backend: Backend) -> None:
    business = build(seed=3, orders=200)
    with session_scope() as session:
        write(session, business, NOW)
    compact_rollups()  # countries are read from the month rollup
    with session_scope() as session:
        channels, countries = filter_choices(session)
    assert channels == sorted(CHANNEL_NAMES.values())
    assert countries == sorted({o.country for o in business.orders})
