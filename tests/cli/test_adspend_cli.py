"""`normalize` and `import --provider adspend`: an ad platform's export from the command line.

The export is read as the platform wrote it (Google Ads' title lines, headers and totals),
its columns matched by the file import's guess; the contract is docs/canonical-records.md.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from cbe_app.db import session_scope
from cbe_app.hub.marketing import AdSpend
from cbe_app.hub.runs import QuarantineItem
from tests.cli.hub_contract import assert_contract, run_all, stderr_lines, view
from tests.cli.test_cli import assert_one_line_error, cli
from tests.conftest import Backend

GOOGLE = """Campaign report
"February 27, 2026 - March 2, 2026"
Day,Campaign,Country/Territory,Currency code,Cost,Impr.,Clicks
2026-02-27,Search - Brand - US,United States,USD,"1,234.50","12,345",321
2026-03-01,Shopping - DE,Germany,EUR,20.00,"2,000",--
2026-03-01,Shopping - FR,France,EURO,7.00,700,7
01/03/2026,Shopping - DE,Germany,EUR,20.00,"2,000",40
Total: Account,--,--,USD,"1,281.50","17,045",368
"""
SHOWN = [
    "2026-02-27 | Google Ads | Search - Brand - US | US | USD | 1234.50 | 1234.50 | 12345 | 321",
    "2026-03-01 | Google Ads | Shopping - DE | DE | EUR | 20.00 | {base} | 2000 | None",
]
PROBLEMS = [
    "not normalised: ad_spend 01/03/2026|Google Ads|Shopping - DE|Germany: row 7: day "
    "'01/03/2026' could be 1 March 2026 or 3 January 2026; write it as 2026-03-01 or 2026-01-03",
    "not normalised: ad_spend 2026-03-01|Google Ads|Shopping - FR|France: row 6: unknown "
    "currency 'EURO'",
]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "google-ads.csv"
    path.write_text(GOOGLE, encoding="utf-8")
    return path


def test_normalize_prints_the_days_of_spend_and_names_each_bad_row(
    export: Path, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}", "CBE_BASE_CURRENCY": "USD"}
    shown = cli("normalize", "--provider", "adspend", str(export), env=env)
    assert shown.returncode == 0, shown.stderr
    records = json.loads(shown.stdout)
    assert_contract(records, "adspend")
    assert records[1]["fx_date"] == "2026-02-27"  # a Sunday: Friday's ECB rate
    base = records[1]["spend_base"]
    assert [view(r) for r in records] == [line.format(base=base) for line in SHOWN]
    assert stderr_lines(shown) == PROBLEMS
    assert not (tmp_path / "never.db").exists()


def _stored() -> tuple[int, list[tuple[str, str, int]]]:
    with session_scope() as session:
        days = session.scalar(select(func.count()).select_from(AdSpend)) or 0
        held = session.execute(
            select(QuarantineItem.kind, QuarantineItem.status, QuarantineItem.attempts).order_by(
                col(QuarantineItem.external_id)
            )
        ).all()
    return int(days), [(k, s, a) for k, s, a in held]


def test_import_twice_changes_nothing_the_second_time(backend: Backend, export: Path) -> None:
    first = cli("import", "--provider", "adspend", str(export))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 2,
    }
    assert sorted(stderr_lines(first)) == sorted(
        p.replace("not normalised: ", "quarantined: ") for p in PROBLEMS
    )
    again = cli("import", "--provider", "adspend", str(export))
    assert json.loads(again.stdout) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "quarantined": 2,
    }
    assert _stored() == (2, [("ad_spend", "open", 2), ("ad_spend", "open", 2)])
    with session_scope() as session:
        day = session.scalars(select(AdSpend).where(col(AdSpend.country) == "DE")).one()
        assert (day.day, day.platform, day.spend_minor, day.clicks) == (
            date(2026, 3, 1),
            "Google Ads",
            2000,
            None,
        )


def test_a_file_that_is_not_an_export_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("order,sku,qty\nA-1,MUG,2\n", encoding="utf-8")
    (tmp_path / "bad.xlsx").write_text("day,spend\n", encoding="utf-8")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}"}
    other, damaged, missing = run_all(
        [
            ["normalize", "--provider", "adspend", str(tmp_path / "orders.csv")],
            ["import", "--provider", "adspend", str(tmp_path / "bad.xlsx")],
            ["normalize", "--provider", "adspend", str(tmp_path / "gone.csv")],
        ],
        env,
    )
    assert_one_line_error(other, "orders.csv", "no column day, platform, currency, spend")
    assert_one_line_error(damaged, "not an Excel workbook")
    assert_one_line_error(missing, "No such file")
    assert other.returncode == damaged.returncode == missing.returncode == 1
