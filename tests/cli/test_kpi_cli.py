"""`kpi` as operators run it: JSON in the documented shape, and one-line errors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from cbe_app.db import session_scope
from tests.cli.hub_contract import run_all
from tests.cli.test_cli import assert_one_line_error
from tests.conftest import Backend
from tests.reports.dataset import Oracle, build, write

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_kpi_prints_the_documented_json(backend: Backend) -> None:
    business = build(seed=9, orders=300)
    with session_scope() as session:
        write(session, business, NOW)
    oracle = Oracle(business)
    commands = [
        ["kpi", "gmv"],
        ["kpi", "gmv_net", "--by", "channel"],
        ["kpi", "aov", "--by", "month", "--from", "2025-02-01", "--to", "2025-05-31"],
        ["kpi", "on_time_delivery_rate", "--by", "carrier"],
    ]
    gmv, net, aov, on_time = run_all(commands)
    for done in (gmv, net, aov, on_time):
        assert done.returncode == 0 and done.stderr == "", done.stderr
    assert json.loads(gmv.stdout) == {
        "kpi": "gmv",
        "currency": "USD",
        "rows": [{"value": oracle.kpi("gmv", None)[None]}],
    }
    net_rows = json.loads(net.stdout)["rows"]
    assert {r["channel"]: r["value"] for r in net_rows} == oracle.kpi("gmv_net", "channel")
    first, last = date(2025, 2, 1), date(2025, 5, 31)
    aov_rows = json.loads(aov.stdout)["rows"]
    assert [r["month"] for r in aov_rows] == ["2025-02", "2025-03", "2025-04", "2025-05"]
    assert {r["month"]: r["value"] for r in aov_rows} == oracle.kpi("aov", "month", first, last)
    carriers = {r["carrier"]: r["value"] for r in json.loads(on_time.stdout)["rows"]}
    assert carriers == oracle.kpi("on_time_delivery_rate", "carrier")


def test_kpi_mistakes_are_one_line(backend: Backend) -> None:
    commands = [
        ["kpi", "profit"],
        ["kpi", "gmv", "--by", "colour"],
        ["kpi", "gmv", "--by", "country'; DROP TABLE orders; --"],
        ["kpi", "gmv", "--from", "2026-02-30"],
        ["kpi", "gmv", "--from", "2026-03-01", "--to", "2026-02-01"],
    ]
    unknown, field, injected, bad_date, backwards = run_all(commands)
    assert_one_line_error(unknown, "There is no KPI 'profit'", "gmv", "aov")
    assert_one_line_error(field, "orders has no field 'colour'", "country")
    assert_one_line_error(injected, "is not a field name")
    assert_one_line_error(bad_date, "2026-02-30")
    assert_one_line_error(backwards, "--from must not be after --to")
