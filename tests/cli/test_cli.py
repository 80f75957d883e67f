"""The operator's command line, run as operators run it: a separate process."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from cbe_app.db import session_scope
from cbe_app.hub.orders import SalesOrder
from tests.conftest import Backend


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cbe_app", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_users_create_then_list(backend: Backend) -> None:
    created = cli(
        "users",
        "create",
        "--email",
        "Ops@Shop.example",
        "--password",
        "long-password-1",
        "--role",
        "operator,warehouse",
        "--name",
        "Ops Lead",
    )
    assert created.returncode == 0, created.stderr
    assert "ops@shop.example" in created.stdout
    listed = cli("users", "list")
    assert "ops@shop.example" in listed.stdout and "operator,warehouse" in listed.stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ["--email", "not-an-email", "--password", "short", "--role", "admin"],
            ["email: Enter a valid e-mail address.", "password: Use at least 10 characters."],
        ),
        (
            ["--email", "a@shop.example", "--password", "long-password-1", "--role", "boss"],
            ["Unknown role 'boss'"],
        ),
    ],
)
def test_users_create_rejects_bad_input_in_one_line(
    backend: Backend, args: list[str], fragments: list[str]
) -> None:
    assert_one_line_error(cli("users", "create", *args), *fragments)


def test_duplicate_user_is_one_line(backend: Backend) -> None:
    args = [
        "users",
        "create",
        "--email",
        "a@shop.example",
        "--password",
        "long-password-1",
        "--role",
        "admin",
    ]
    assert cli(*args).returncode == 0
    assert_one_line_error(cli(*args), "already exists")


def test_missing_option_is_explained(backend: Backend) -> None:
    result = cli("users", "create", "--email", "a@shop.example")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--password" in result.stderr


def test_db_upgrade_is_idempotent(backend: Backend) -> None:
    assert cli("db", "upgrade").returncode == 0
    assert "up to date" in cli("db", "upgrade").stdout


def test_demo_load_twice_changes_nothing(backend: Backend) -> None:
    first = cli("demo", "load", "--orders", "300", "--end", "2026-10-31")
    assert first.returncode == 0, first.stderr
    assert "300 orders" in first.stdout
    assert cli("demo", "load", "--orders", "300", "--end", "2026-10-31").returncode == 0
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(SalesOrder)) == 300


def test_bad_date_is_explained(backend: Backend) -> None:
    result = cli("demo", "load", "--end", "31/10/2026")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "2026-11-24" in result.stderr  # shows the expected format


def test_unreachable_database_is_one_line(tmp_path) -> None:
    result = cli(
        "users",
        "list",
        env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "CBE_DATA_DIR": str(tmp_path)},
    )
    assert_one_line_error(result, "Cannot use the database")


def test_bad_configuration_is_one_line_naming_each_setting(tmp_path) -> None:
    result = cli(
        "users",
        "list",
        env={"CBE_BASE_CURRENCY": "XYZ", "PORT": "abc", "CBE_DATA_DIR": str(tmp_path)},
    )
    assert_one_line_error(result, "CBE_BASE_CURRENCY", "ISO 4217", "PORT")
