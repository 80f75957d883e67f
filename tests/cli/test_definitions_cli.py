"""`definitions`: a dashboard exported to YAML, changed, imported back as its next version."""

from __future__ import annotations

from pathlib import Path

import yaml

from cbe_app.db import session_scope
from cbe_app.reports.boards import dashboard
from tests.cli.hub_contract import run_all
from tests.cli.test_cli import assert_one_line_error
from tests.conftest import Backend


def test_a_dashboard_goes_out_to_a_file_and_comes_back_changed(
    backend: Backend, tmp_path: Path
) -> None:
    out = tmp_path / "executive.yaml"
    listed, exported = run_all(
        [
            ["definitions", "list", "dashboard"],
            ["definitions", "export", "dashboard", "executive", "-o", str(out)],
        ]
    )
    assert listed.stdout.split("\n")[:2] == ["dashboard executive", "dashboard operations"]
    assert exported.returncode == 0, exported.stderr
    body = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert body["kind"] == "dashboard" and body["key"] == "executive"
    assert body["title"]["zh_CN"] == "高管驾驶舱"  # written as text, not escapes
    assert "高管驾驶舱" in out.read_text(encoding="utf-8")
    body["title"]["en"] = "Board cockpit"
    body["widgets"] = body["widgets"][:3]
    out.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    (imported,) = run_all([["definitions", "import", str(out)]])
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "Imported dashboard executive as version 1"
    with session_scope() as session:
        board = dashboard(session, "executive")
    assert board.title.en == "Board cockpit" and len(board.widgets) == 3


def test_a_bad_file_is_refused_with_every_problem_on_one_line(
    backend: Backend, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "kind: dashboard\nkey: Bad Key\ntitle: {en: ''}\nwidgets: []\n", encoding="utf-8"
    )
    not_yaml = tmp_path / "not.yaml"
    not_yaml.write_text("kind: [dashboard\n", encoding="utf-8")
    stranger = tmp_path / "stranger.yaml"
    stranger.write_text("kind: spaceship\nkey: x\n", encoding="utf-8")
    bad, unreadable, unknown, missing = run_all(
        [
            ["definitions", "import", str(broken)],
            ["definitions", "import", str(not_yaml)],
            ["definitions", "import", str(stranger)],
            ["definitions", "export", "dashboard", "nowhere"],
        ]
    )
    assert_one_line_error(bad, "not valid", "key:", "title.en:", "description:")
    assert_one_line_error(unreadable, "is not YAML")
    assert_one_line_error(unknown, "unknown kind 'spaceship'", "dashboard")
    assert_one_line_error(missing, "There is no dashboard 'nowhere'")
