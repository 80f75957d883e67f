"""`normalize`, `import` and `sync` as operators run them: `python -m cbe_app` in its own process.

The contract is docs/canonical-records.md: canonical records without a database, imports that
change nothing the second time, one-line errors, and bad records kept with their reason.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.accounts import Account
from cbe_app.hub.imports import normalise_file
from cbe_app.hub.orders import OrderLine, SalesOrder, Shipment
from cbe_app.hub.payments import Payment
from cbe_app.hub.providers.registry import PROVIDERS
from cbe_app.hub.runs import QuarantineItem
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import RunningSandbox, start_in_thread
from tests.cli.hub_contract import (
    BAD_ROWS,
    CSV_COLUMNS,
    DOCUMENTED,
    ORDER_ROWS,
    RECORDED,
    assert_contract,
    documented_fields,
    run_all,
    stderr_lines,
    view,
    write_csv,
    write_xlsx,
)
from tests.cli.test_cli import assert_one_line_error, cli
from tests.conftest import Backend
from tests.hub.connectors import connect

FIXTURES = Path(__file__).parents[1] / "fixtures" / "providers"
DOC = Path(__file__).parents[2] / "docs" / "canonical-records.md"
Done = subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def no_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    """An environment whose database and Redis do not exist: any use of them would show."""
    folder = tmp_path_factory.mktemp("no-database")
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'never.db'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "CBE_DATA_DIR": str(folder),
        "CBE_BASE_CURRENCY": "USD",
    }
    return env, folder


@pytest.fixture(scope="module")
def normalized(no_database: tuple[dict[str, str], Path]) -> dict[str, Done]:
    """`normalize` of each provider's recorded body, run side by side, without a database."""
    commands = [
        ["normalize", "--provider", p, str(FIXTURES / p / RECORDED[p][0])] for p in RECORDED
    ]
    return dict(zip(RECORDED, run_all(commands, no_database[0]), strict=True))


def test_every_provider_is_covered() -> None:
    assert set(RECORDED) | {"csv", "adspend"} == set(PROVIDERS)  # files: test_adspend_cli


@pytest.mark.parametrize("provider", sorted(RECORDED))
def test_normalize_prints_canonical_records_without_a_database(
    provider: str, normalized: dict[str, Done], no_database: tuple[dict[str, str], Path]
) -> None:
    result = normalized[provider]
    assert result.returncode == 0 and result.stderr == "", result.stderr
    records = json.loads(result.stdout)
    assert_contract(records, provider)
    _, count, first = RECORDED[provider]
    assert len(records) == count
    assert view(records[0]) == first
    assert list(no_database[1].iterdir()) == [], "normalize created files (a database?)"


@pytest.mark.parametrize(
    "path",
    sorted(
        p for p in FIXTURES.glob("*/*.json") if p.parent.name in PROVIDERS and "error" not in p.name
    ),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_recorded_body_normalises_to_the_contract(path: Path) -> None:
    """In process (no CLI start-up): every recorded payload's records meet the contract."""
    provider = path.parent.name
    out = normalise_file(provider, path, "USD", utcnow())
    assert_contract(out.records, provider)
    assert out.problems == []


def test_docs_describe_every_field_of_every_record() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = documented_fields(text)
    for section, fields in DOCUMENTED.items():
        assert documented.get(section) == fields, (section, documented.get(section, set()) ^ fields)
    assert set(CSV_COLUMNS) <= documented["Command line"]
    for command in ("normalize --provider P FILE", "import --provider P FILE", "--account ID"):
        assert command in text


# command, its exit code, and words of its one error line; {in} is a folder of bad inputs.
ERRORS: dict[str, tuple[str, int, list[str]]] = {
    "missing file": ("normalize --provider amazon {in}/gone.json", 1, ["No such file"]),
    "unknown provider": ("normalize --provider acme {in}/bad.json", 2, ["'acme' is not one of"]),
    "no provider": ("import {in}/bad.json", 2, ["Missing option '--provider'"]),
    "a folder": ("normalize --provider dhl {in}", 2, ["is a directory"]),
    "invalid JSON": ("normalize --provider shopify {in}/bad.json", 1, ["not valid JSON"]),
    "not text": ("normalize --provider stripe {in}/image.json", 1, ["not UTF-8"]),
    "another shape": ("normalize --provider amazon {in}/other.json", 1, ["not an Amazon"]),
    "a list": ("normalize --provider fedex {in}/list.json", 1, ["FedEx", "not list"]),
    "other columns": ("normalize --provider csv {in}/other.csv", 1, ["no column currency"]),
    "damaged xlsx": ("normalize --provider csv {in}/bad.xlsx", 1, ["not an Excel"]),
    "import bad JSON": ("import --provider ebay {in}/bad.json", 1, ["bad.json", "line 1"]),
}


@pytest.fixture(scope="module")
def errors(
    tmp_path_factory: pytest.TempPathFactory, no_database: tuple[dict[str, str], Path]
) -> dict[str, Done]:
    """Each bad command of ERRORS, run side by side with no database to fall back on."""
    folder = tmp_path_factory.mktemp("bad-input")
    (folder / "bad.json").write_text('{"orders": [{"id": 1},', encoding="utf-8")
    (folder / "image.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff")
    (folder / "other.json").write_text('{"data": {"items": []}}', encoding="utf-8")
    (folder / "list.json").write_text("[1, 2]", encoding="utf-8")
    (folder / "other.csv").write_text("external_id,placed_at,qty\nSO-1,2024-05-01,1\n", "utf-8")
    (folder / "bad.xlsx").write_text("external_id,placed_at\n", encoding="utf-8")
    commands = [line.replace("{in}", str(folder)).split() for line, _, _ in ERRORS.values()]
    return dict(zip(ERRORS, run_all(commands, no_database[0]), strict=True))


@pytest.mark.parametrize("case", list(ERRORS))
def test_bad_input_is_one_clear_line(
    case: str, errors: dict[str, Done], no_database: tuple[dict[str, str], Path]
) -> None:
    _, code, words = ERRORS[case]
    result = errors[case]
    assert_one_line_error(result, *words)
    assert (result.returncode, result.stdout) == (code, "")
    assert list(no_database[1].iterdir()) == []


def _stored() -> dict[str, int]:
    """How many orders, lines, accounts and open quarantine entries the database holds."""
    held = select(QuarantineItem).where(col(QuarantineItem.status) == "open").subquery()
    tables: list[Any] = [SalesOrder, OrderLine, Account, held]
    with session_scope() as session:
        counts = [session.scalar(select(func.count()).select_from(t)) or 0 for t in tables]
    return dict(zip(("orders", "lines", "accounts", "quarantined"), counts, strict=True))


def _summary(result: Done) -> dict[str, int]:
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_csv_normalize_then_import_twice_keeps_bad_rows_with_their_reason(
    backend: Backend, tmp_path: Path
) -> None:
    file = write_csv(tmp_path / "orders.csv", ORDER_ROWS)
    shown = cli("normalize", "--provider", "csv", str(file))
    assert shown.returncode == 0, shown.stderr
    records = json.loads(shown.stdout)
    assert_contract(records, "csv")
    assert [view(record) for record in records] == [
        "SO-1 | pending | paid | 2024-05-02T10:00:00+00:00 | EUR | 45.89 | DE | anna@example.de | "
        "MUG-1 2 12.50 | TEE-M 1 19.90 | CAP-1 1 0.99",
        "SO-2 | shipped | paid | 2024-05-03T00:00:00+00:00 | JPY | 4500 | JP | ken@example.jp | "
        "MUG-1 3 1500",
    ]
    problems = stderr_lines(shown)
    assert len(problems) == 2
    for external_id, reason in BAD_ROWS.items():
        assert any(f"order {external_id}: {reason}" in line for line in problems), problems
    assert _stored() == {"orders": 0, "lines": 0, "accounts": 0, "quarantined": 0}

    first = cli("import", "--provider", "csv", str(file))
    assert _summary(first) == {"created": 2, "updated": 0, "unchanged": 0, "quarantined": 2}
    # import names what it quarantined, with the same reasons as normalize
    reasons = sorted(line.split(": ", 1)[1] for line in stderr_lines(first))
    assert reasons == sorted(line.split(": ", 1)[1] for line in problems)
    again = cli("import", "--provider", "csv", str(file))
    assert _summary(again) == {"created": 0, "updated": 0, "unchanged": 2, "quarantined": 2}
    assert _stored() == {"orders": 2, "lines": 4, "accounts": 1, "quarantined": 2}
    with session_scope() as session:
        held = session.scalars(select(QuarantineItem).order_by(QuarantineItem.external_id)).all()
        assert [(q.external_id, q.attempts) for q in held] == [("SO-3", 2), ("SO-4", 2)]
        for item in held:
            assert item.kind == "order" and BAD_ROWS[item.external_id] in item.reason
            assert item.raw[0]["external_id"] == item.external_id  # the rows, to fix and retry
        order = session.scalars(
            select(SalesOrder).where(col(SalesOrder.external_id) == "SO-1")
        ).one()
        assert (order.currency, order.total_minor, order.country) == ("EUR", 4589, "DE")

    so_3, so_4 = ORDER_ROWS[4], ORDER_ROWS[5]
    fixed = [
        *ORDER_ROWS[:4],
        (*so_3[:2], "USD", *so_3[3:]),
        (so_4[0], date(2024, 12, 31), *so_4[2:]),
    ]
    third = cli("import", "--provider", "csv", str(write_csv(tmp_path / "fixed.csv", fixed)))
    assert _summary(third) == {"created": 2, "updated": 0, "unchanged": 2, "quarantined": 0}
    assert _stored() == {"orders": 4, "lines": 6, "accounts": 1, "quarantined": 0}


def test_xlsx_reads_like_the_same_csv_and_imports(backend: Backend, tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "orders.xlsx", ORDER_ROWS)
    sheet = write_csv(tmp_path / "orders.csv", ORDER_ROWS)
    normalize = ["normalize", "--provider", "csv"]
    from_book, from_sheet = run_all([[*normalize, str(book)], [*normalize, str(sheet)]])
    assert from_book.returncode == 0, from_book.stderr
    assert json.loads(from_book.stdout) == json.loads(from_sheet.stdout)
    assert len(json.loads(from_book.stdout)) == 2
    assert stderr_lines(from_book) == stderr_lines(from_sheet)
    imported = cli("import", "--provider", "csv", str(book))
    assert _summary(imported) == {"created": 2, "updated": 0, "unchanged": 0, "quarantined": 2}
    assert _stored() == {"orders": 2, "lines": 4, "accounts": 1, "quarantined": 2}


# A recorded body per kind of record, the table it lands in, and how many records it holds.
IMPORTS = {
    "ebay": ("get_orders_page.json", SalesOrder, 3),
    "dhl": ("tracking_multi.json", Shipment, 3),
    "stripe": ("charges_list.json", Payment, 5),
}


@pytest.mark.parametrize("provider", list(IMPORTS))
def test_import_twice_changes_nothing_the_second_time(backend: Backend, provider: str) -> None:
    name, table, count = IMPORTS[provider]
    args = ("import", "--provider", provider, str(FIXTURES / provider / name))
    first = cli(*args)
    assert _summary(first) == {"created": count, "updated": 0, "unchanged": 0, "quarantined": 0}
    assert first.stderr == ""
    second = cli(*args)
    assert _summary(second) == {"created": 0, "updated": 0, "unchanged": count, "quarantined": 0}
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(table)) == count


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[RunningSandbox, SandboxData]]:
    """Every provider's sandbox over real HTTP, serving a small demo business."""
    data = SandboxData.demo(orders=60, seed=11, now=utcnow())
    running = start_in_thread(data)
    yield running, data
    running.stop()


def test_sync_runs_one_sync_and_prints_the_summary(
    backend: Backend, sandbox: tuple[RunningSandbox, SandboxData]
) -> None:
    running, data = sandbox
    code = connect(running, "shopify")
    expected = len(data.orders("shopify"))
    assert expected > 0
    first = cli("sync", "--account", code)
    assert _summary(first) == {"created": expected, "updated": 0, "unchanged": 0, "quarantined": 0}
    assert _stored()["orders"] == expected
    with session_scope() as session:
        account_id = session.scalars(select(col(Account.id)).where(col(Account.code) == code)).one()
    second = _summary(cli("sync", "--account", str(account_id)))
    assert second["created"] == second["updated"] == second["quarantined"] == 0
    assert _stored()["orders"] == expected


def test_sync_of_an_unknown_or_refused_account_is_one_line(
    backend: Backend, sandbox: tuple[RunningSandbox, SandboxData]
) -> None:
    wrong = {"access_token": "shpat_wrong", "webhook_secret": "x"}
    code = connect(sandbox[0], "shopify", code="wrong-token", credentials=wrong)
    unknown, refused = run_all([["sync", "--account", "no-such-shop"], ["sync", "--account", code]])
    assert_one_line_error(unknown, "Account no-such-shop was not found")
    assert_one_line_error(refused, "The sync of wrong-token failed", "401")
    assert _stored()["orders"] == 0
