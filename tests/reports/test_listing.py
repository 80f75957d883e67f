"""Raw rows of a source (`list_rows`): paging that never skips or repeats, the same filters as
data specs, money as amounts, and problems as readable validation errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from cbe_app.core.errors import ValidationFailed
from cbe_app.db import session_scope
from cbe_app.reports.catalog import ORDERS, CompileContext
from cbe_app.reports.listing import Listing, iter_rows, list_rows, list_spec
from cbe_app.reports.spec import Filter, Period, Sort
from tests.conftest import Backend
from tests.reports.dataset import CHANNEL_NAMES, Business, build, write

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
CTX = CompileContext(region_of={"US": "North America", "DE": "European Union"}, today=NOW.date())


@pytest.fixture
def business(backend: Backend) -> Iterator[Business]:
    made = build(seed=3, orders=400)
    with session_scope() as session:
        write(session, made, NOW)
    yield made


def page(
    number: int,
    size: int,
    fields: list[str],
    filters: list[Filter] | None = None,
    sort: list[Sort] | None = None,
    period: Period | None = None,
    source: str = "orders",
) -> Listing:
    with session_scope() as session:
        return list_rows(
            session,
            source,
            fields,
            filters=filters or [],
            sort=sort or [],
            page=number,
            page_size=size,
            ctx=CTX,
            period=period,
            now=NOW,
            base_currency="USD",
        )


def test_pages_cover_every_row_once_in_a_stable_order(business: Business) -> None:
    # Country has many ties: the id breaks them, so pages neither overlap nor skip.
    sort = [Sort(by="country", descending=True)]
    seen: list[int] = []
    number = 1
    while True:
        found = page(number, 37, ["id", "country"], sort=sort)
        assert found.total == len(business.orders)
        if not found.rows:
            break
        seen += [row["id"] for row in found.rows]
        number += 1
    expected = sorted(business.orders, key=lambda o: o.id)
    expected.sort(key=lambda o: o.country, reverse=True)
    assert seen == [o.id for o in expected]
    assert number == -(-len(business.orders) // 37) + 1


def test_filters_bind_like_data_specs_and_money_is_an_amount(business: Business) -> None:
    filters = [
        Filter(field="status", op="in", value=["shipped", "delivered"]),
        Filter(field="total_base", op="gte", value="150.50"),  # typed in dollars
        Filter(field="region", op="eq", value="European Union"),
    ]
    found = page(1, 1000, ["external_id", "channel", "total_base", "placed_at"], filters)
    expected = [
        o
        for o in business.orders
        if o.status in ("shipped", "delivered") and o.total >= 15050 and o.country == "DE"
    ]
    assert found.total == len(expected) > 0
    by_number = {row["external_id"]: row for row in found.rows}
    assert set(by_number) == {f"O-{o.id}" for o in expected}
    first = expected[0]
    row = by_number[f"O-{first.id}"]
    assert row["total_base"] == Decimal(first.total) / 100
    assert isinstance(row["total_base"], Decimal)
    assert row["channel"] == first.channel
    assert row["placed_at"] == first.placed_at
    assert row["placed_at"].tzinfo is not None
    assert [c.key for c in found.columns] == ["external_id", "channel", "total_base", "placed_at"]
    assert found.columns[2].type == "money"


def test_a_period_and_a_sort_by_a_field_that_is_not_shown(business: Business) -> None:
    period = Period(start=date(2025, 3, 1), end=date(2025, 3, 31))
    found = page(1, 1000, ["id"], sort=[Sort(by="total_base", descending=True)], period=period)
    march = [o for o in business.orders if o.placed_at.date().strftime("%Y-%m") == "2025-03"]
    march.sort(key=lambda o: o.id)
    march.sort(key=lambda o: o.total, reverse=True)
    assert [row["id"] for row in found.rows] == [o.id for o in march]


def test_shipments_with_their_carrier_and_the_late_flag(business: Business) -> None:
    found = page(1, 1000, ["tracking_number", "carrier", "late"], source="shipments")
    assert found.total == len(business.parcels)
    assert {row["carrier"] for row in found.rows} == {"FedEx", "DHL Express"}
    assert all(isinstance(row["late"], bool) for row in found.rows)
    late = {row["tracking_number"] for row in found.rows if row["late"]}
    expected = {
        f"T{p.id:06d}"
        for p in business.parcels
        if p.promised_on
        and (
            (p.delivered_at and p.delivered_at.date() > p.promised_on)
            or (p.delivered_at is None and p.promised_on < NOW.date())
        )
    }
    assert late == expected


def test_every_problem_is_named_by_where_it_is(business: Business) -> None:
    with pytest.raises(ValidationFailed) as caught:
        page(
            1,
            10,
            ["id", "colour"],
            [
                Filter(field="placed_at", op="contains", value="2026"),
                Filter(field="total_base", op="gt", value="lots"),
            ],
            [Sort(by="size")],
        )
    errors = caught.value.field_errors
    assert set(errors) == {"columns.1", "filters.0.op", "filters.1.value", "sort.0.by"}
    assert "orders has no field 'colour'" in errors["columns.1"]
    assert "not a number" in errors["filters.1.value"]
    with pytest.raises(ValidationFailed) as caught:
        page(0, 5000, ["id"])
    assert set(caught.value.field_errors) == {"page", "page_size"}
    with pytest.raises(ValidationFailed) as caught:
        page(1, 10, ["id", "country", "id"])
    assert caught.value.field_errors == {"columns.2": "'id' is already a column"}
    with pytest.raises(ValidationFailed) as caught:
        page(1, 10, ["Robert'); DROP TABLE orders;--"])
    assert "columns.0" in caught.value.field_errors
    with pytest.raises(ValidationFailed) as caught:
        page(1, 10, ["id"], source="secrets")
    assert "unknown source 'secrets'" in caught.value.field_errors["source"]


HOSTILE = [
    "' OR 1=1 --",
    "x'); DROP TABLE orders; --",
    "%",
    "_",
    '" OR ""="',
    "1; SELECT * FROM users",
    "\\",
    "O-1' UNION SELECT password_hash FROM users --",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_values_are_only_ever_values(business: Business, payload: str) -> None:
    for op in ("eq", "contains", "starts_with", "in"):
        value: Any = [payload] if op == "in" else payload
        found = page(1, 50, ["id"], [Filter(field="external_id", op=op, value=value)])
        assert found.total == 0 and found.rows == []
    with pytest.raises(ValidationFailed):
        page(1, 50, ["id"], [Filter(field="total_base", op="eq", value=payload)])
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(ORDERS)) == len(business.orders)


def test_iterating_a_whole_listing_reads_every_row_in_order(business: Business) -> None:
    spec = list_spec("orders", ["id", "channel"], sort=[Sort(by="channel")])
    with session_scope() as session:
        rows = list(iter_rows(session, spec, CTX, now=NOW, base_currency="USD", limit=10_000))
        capped = list(iter_rows(session, spec, CTX, now=NOW, base_currency="USD", limit=7))
    expected = sorted(business.orders, key=lambda o: (o.channel, o.id))
    assert [r["id"] for r in rows] == [o.id for o in expected]
    assert [r["id"] for r in capped] == [o.id for o in expected[:7]]
    assert set(CHANNEL_NAMES.values()) == {r["channel"] for r in rows}
