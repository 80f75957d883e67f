import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from cbe_app.core.errors import ValidationFailed
from cbe_app.db import session_scope
from cbe_app.packs.models import DefinitionVersion, StoredDefinition
from cbe_app.packs.service import DEFAULT_PACK, apps, checksum, load_pack, read_pack
from cbe_app.packs.spec import AppDefinition
from tests.conftest import Backend

NOW = datetime(2026, 11, 24, tzinfo=UTC)
AREAS = [
    "dashboards",
    "reports",
    "orders",
    "inventory",
    "purchasing",
    "customers",
    "service",
    "finance",
    "builders",
    "datahub",
    "admin",
]


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    copy = tmp_path / "pack"
    shutil.copytree(DEFAULT_PACK, copy)
    return copy


def test_shipped_pack_is_valid_and_fully_translated() -> None:
    manifest, definitions = read_pack()
    assert manifest.name == "crossborder"
    apps_ = [d for d in definitions if isinstance(d, AppDefinition)]
    assert sorted(a.key for a in apps_) == sorted(AREAS)
    for app in apps_:
        texts = [app.title, app.summary, app.empty_title, app.empty_body, *app.upcoming]
        assert all(t.zh_CN for t in texts), f"{app.key} has text without a Chinese translation"


def test_loading_twice_changes_nothing(backend: Backend) -> None:
    with session_scope() as session:
        first = load_pack(session, NOW)
    with session_scope() as session:
        second = load_pack(session, NOW)
        versions = session.scalars(select(DefinitionVersion.id)).all()
        ordered = [a.key for a in apps(session)]
    shipped = len(read_pack()[1])
    assert len(first.created) == shipped and not first.updated
    assert len(second.unchanged) == shipped and not (second.created or second.updated)
    assert len(versions) == shipped
    assert ordered == AREAS


def test_a_changed_pack_file_becomes_a_new_version(backend: Backend, pack: Path) -> None:
    with session_scope() as session:
        load_pack(session, NOW, pack)
    path = pack / "apps" / "orders.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("position: 20", "position: 25"), "utf-8"
    )
    with session_scope() as session:
        report = load_pack(session, NOW, pack)
        row = session.scalar(
            select(StoredDefinition).where(
                StoredDefinition.kind == "app", StoredDefinition.key == "orders"
            )
        )
    assert report.updated == ["app:orders"]
    assert row is not None and row.version == 2 and row.body["position"] == 25


def test_a_users_edit_is_kept_when_the_pack_changes(backend: Backend, pack: Path) -> None:
    with session_scope() as session:
        load_pack(session, NOW, pack)
        row = session.scalar(
            select(StoredDefinition).where(
                StoredDefinition.kind == "app", StoredDefinition.key == "orders"
            )
        )
        assert row is not None
        body = {**row.body, "position": 99}
        row.body, row.checksum, row.version = body, checksum(body), row.version + 1
    path = pack / "apps" / "orders.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("position: 20", "position: 25"), "utf-8"
    )
    with session_scope() as session:
        report = load_pack(session, NOW, pack)
        row = session.scalar(
            select(StoredDefinition).where(
                StoredDefinition.kind == "app", StoredDefinition.key == "orders"
            )
        )
    assert report.kept == ["app:orders"]
    assert row is not None and row.body["position"] == 99


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("kind: app\nkey: orders\n", "position"),
        ("kind: spreadsheet\nkey: x\n", "unknown kind"),
        ("kind: app\nkey: Bad Key!\nposition: 1\n", "key"),
        ("kind: app\n  key: [unclosed\n", "orders.yaml"),
    ],
)
def test_an_invalid_pack_file_is_refused_with_a_clear_reason(
    pack: Path, content: str, problem: str
) -> None:
    (pack / "apps" / "orders.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        read_pack(pack)
    assert "orders.yaml" in caught.value.text
    assert problem in caught.value.text
