"""Hostile input in every slot of a report definition: a validation error or the right rows.

Each payload of a corpus of SQL injection, escaping and overflow tricks goes into each slot
of a spec in turn. The run must either refuse it (pydantic's or our ValidationFailed, with a
message) or return exactly the rows the same filter gives in Python; never a database error,
and never a change to any table.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from cbe_app.core.errors import ValidationFailed
from cbe_app.db import session_scope
from cbe_app.models import metadata
from cbe_app.reports.service import run_spec
from cbe_app.reports.spec import DataSpec
from tests.conftest import Backend
from tests.reports.dataset import Business, Order, build, write

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)

PAYLOADS: list[Any] = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "US'; DROP TABLE orders; --",
    "1; DELETE FROM orders",
    "x' UNION SELECT password_hash, 1 FROM users --",
    "status) OR (1=1",
    "orders.id",
    "*",
    "%",
    "_",
    "\\",
    "%' --",
    "\x00",
    "😀",
    "${jndi:ldap://x}",
    "__import__('os').system('id')",
    "__class__",
    "sqlite_master",
    "pg_sleep(5)",
    "1/0",
    "1e309",
    "NaN",
    "-Infinity",
    "9" * 40,
    -(10**30),
    10**30,
    True,
    None,
    ["US", "' OR 1=1 --"],
    [],
    {"$ne": 1},
    "A" * 5000,
    "placed_at",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
]

BASE: dict[str, Any] = {
    "source": "orders",
    "measures": [
        {"key": "n", "agg": "count"},
        {"key": "gmv", "agg": "sum", "field": "total_base"},
    ],
    "dimensions": [{"field": "status"}],
    "filters": [{"field": "country", "op": "eq", "value": "US"}],
    "sort": [{"by": "n", "descending": True}],
    "limit": 10,
}


def _at(*path: Any) -> Callable[[dict[str, Any], Any], None]:
    def put(spec: dict[str, Any], payload: Any) -> None:
        target: Any = spec
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = payload

    return put


def _extra_measure(**fields: Any) -> Callable[[dict[str, Any], Any], None]:
    def put(spec: dict[str, Any], payload: Any) -> None:
        measure = {k: (payload if v is ... else v) for k, v in fields.items()}
        spec["measures"].append(measure)

    return put


def _filter(field: str, op: str) -> Callable[[dict[str, Any], Any], None]:
    def put(spec: dict[str, Any], payload: Any) -> None:
        spec["filters"] = [{"field": field, "op": op, "value": payload}]

    return put


SLOTS: dict[str, Callable[[dict[str, Any], Any], None]] = {
    "source": _at("source"),
    "measure key": _at("measures", 0, "key"),
    "measure field": _at("measures", 1, "field"),
    "measure aggregate": _at("measures", 1, "agg"),
    "measure format": _at("measures", 1, "format"),
    "measure filter field": _extra_measure(
        key="m", agg="count", where=[{"field": ..., "op": "eq", "value": "US"}]
    ),
    "measure filter value": _extra_measure(
        key="m", agg="count", where=[{"field": "country", "op": "eq", "value": ...}]
    ),
    "formula": _extra_measure(key="f", agg="formula", expr=...),
    "ratio numerator": _extra_measure(key="r", agg="ratio", numerator=..., denominator="n"),
    "change of": _extra_measure(key="c", agg="change", of=...),
    "dimension field": _at("dimensions", 0, "field"),
    "dimension grain": lambda spec, p: spec.update(
        dimensions=[{"field": "placed_at", "grain": p}], sort=[]
    ),
    "filter field": _at("filters", 0, "field"),
    "filter op": _at("filters", 0, "op"),
    "text equals": _filter("country", "eq"),
    "text in": _filter("country", "in"),
    "text contains": _filter("external_id", "contains"),
    "text starts with": _filter("external_id", "starts_with"),
    "amount above": _filter("total_base", "gt"),
    "id equals": _filter("id", "eq"),
    "time after": _filter("placed_at", "gte"),
    "yes or no": _filter("cancelled", "eq"),
    "sort by": _at("sort", 0, "by"),
    "top-N": _at("limit"),
    "period preset": lambda spec, p: spec.update(period={"preset": p}),
    "period start": lambda spec, p: spec.update(period={"start": p}),
    "time field": _at("time_field"),
}


def _expected_for(spec: dict[str, Any], orders: list[Order]) -> Counter[str] | None:
    """Orders per status under the spec's one filter, worked out in Python; None if unknown."""
    (condition,) = spec["filters"]
    field, op, value = condition["field"], condition["op"], condition["value"]
    rows = {"country": lambda o: o.country, "external_id": lambda o: f"O-{o.id}"}
    if field not in rows or not isinstance(value, str | list):
        return None
    read = rows[field]
    test: dict[str, Callable[[str], bool]] = {
        "eq": lambda v: v == value,
        "in": lambda v: v in value,
        "contains": lambda v: isinstance(value, str) and value in v,
        "starts_with": lambda v: isinstance(value, str) and v.startswith(value),
    }
    if op not in test:
        return None
    return Counter(o.status for o in orders if test[op](read(o)))


def _counts() -> dict[str, int]:
    with session_scope() as session:
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in metadata.sorted_tables
        }


@pytest.fixture
def business(backend: Backend) -> Iterator[Business]:
    made = build(seed=3, orders=400)
    with session_scope() as session:
        write(session, made, NOW)
    yield made


def test_every_payload_in_every_slot_is_refused_or_answered_right(business: Business) -> None:
    before = _counts()
    outcomes: Counter[str] = Counter()
    for slot, put in SLOTS.items():
        for payload in PAYLOADS:
            raw = copy.deepcopy(BASE)
            put(raw, copy.deepcopy(payload))
            outcome = _run(raw, business)
            outcomes[outcome] += 1
            assert outcome in ("refused", "answered"), (slot, payload, outcome)
    assert _counts() == before
    # Both kinds happen: the corpus is not simply refused wholesale by the model.
    assert outcomes["answered"] > 20 and outcomes["refused"] > 500, outcomes


_SHAPE = {k: v for k, v in BASE.items() if k != "filters"}


def _run(raw: dict[str, Any], business: Business) -> str:
    try:
        spec = DataSpec.model_validate(raw)
    except ValidationError as exc:
        assert exc.errors(), raw
        return "refused"
    try:
        with session_scope() as session:
            result = run_spec(session, spec, NOW, "USD")
    except ValidationFailed as exc:
        assert exc.field_errors and all(exc.field_errors.values()), raw
        return "refused"
    shape = {k: v for k, v in raw.items() if k != "filters"}
    expected = _expected_for(raw, business.orders) if shape == _SHAPE else None
    if expected is not None:
        got = {row["status"]: int(row["n"]) for row in result.rows}
        assert got == dict(expected.most_common(10)), raw
    return "answered"


REPORT: dict[str, Any] = {
    "key": "hostile",
    "title": {"en": "Hostile"},
    "source": "orders",
    "columns": ["external_id", "country", "total_base"],
    "filters": [{"field": "country", "op": "eq", "value": "US"}],
    "sort": [{"by": "total_base", "descending": True}],
}
SUMMARY: dict[str, Any] = {
    **{k: v for k, v in REPORT.items() if k not in ("columns", "sort")},
    "mode": "summary",
    "group_by": [{"field": "channel"}, {"field": "placed_at", "grain": "month"}],
    "measures": [{"key": "n", "agg": "count"}],
    "pivot": "placed_at_month",
}
COMBINED = {
    "key": "hostile_inventory",
    "title": {"en": "Hostile"},
    "source": "inventory",
    "mode": "summary",
    "group_by": [{"field": "category"}],
    "measures": [{"key": "v", "agg": "sum", "field": "stock_value_base"}],
    "filters": [{"field": "snapshot", "op": "eq", "value": True}],
}
REPORT_SLOTS: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any], Any], None]]] = {
    "report key": (REPORT, _at("key")),
    "column": (REPORT, _at("columns", 1)),
    "sort by a field": (REPORT, _at("sort", 0, "by")),
    "rows filter value": (REPORT, _filter("country", "in")),
    "rows filter field": (REPORT, _at("filters", 0, "field")),
    "pivot": (SUMMARY, _at("pivot")),
    "grouping": (SUMMARY, _at("group_by", 0, "field")),
    "summary filter value": (SUMMARY, _filter("external_id", "contains")),
    "combined source filter value": (COMBINED, _filter("snapshot", "eq")),
    "combined source filter field": (COMBINED, _at("filters", 0, "field")),
    "combined source grouping": (COMBINED, _at("group_by", 0, "field")),
    "schedule recipient": (
        REPORT,
        lambda spec, p: spec.update(schedules=[{"id": "s", "recipients": [p]}]),
    ),
    "schedule time zone": (
        REPORT,
        lambda spec, p: spec.update(
            schedules=[{"id": "s", "recipients": ["a@b.example"], "timezone": p}]
        ),
    ),
}


def test_every_payload_in_every_slot_of_a_saved_report_is_refused_or_runs(
    business: Business,
) -> None:
    from cbe_app.reports.report import ReportDefinition
    from cbe_app.reports.reporting import run_report

    before = _counts()
    outcomes: Counter[str] = Counter()
    for slot, (base, put) in REPORT_SLOTS.items():
        for payload in PAYLOADS:
            raw = copy.deepcopy(base)
            put(raw, copy.deepcopy(payload))
            try:
                report = ReportDefinition.model_validate(raw)
                with session_scope() as session:
                    run_report(session, report, now=NOW, base_currency="USD", locale="en")
            except ValidationError as exc:
                assert exc.errors(), (slot, payload)
                outcomes["refused"] += 1
            except ValidationFailed as exc:
                assert exc.text and all(exc.field_errors.values()), (slot, payload)
                outcomes["refused"] += 1
            else:
                outcomes["answered"] += 1
    assert _counts() == before
    assert outcomes["answered"] > 20 and outcomes["refused"] > 200, outcomes
