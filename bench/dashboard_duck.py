"""The executive cockpit's tiles computed by DuckDB from the raw rows: the baseline and the
reference values for bench/dashboard.py.

DuckDB sums the raw orders, parcels and customers (in memory, columnar, every core), the
stock and sales days with their products, and the ad spend; Python then turns the sums into
figures with the same decimal rules as the report engine (amounts to cents, shares to four
places), so the two can be compared exactly. Where the cockpit reads the customer cohorts
rollup (LTV, repeat purchases, CAC, CAC/LTV), DuckDB works each customer's first order and
lifetime net revenue out of the raw orders instead, once per refresh for those tiles.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd
from dashboard_data import CARRIERS, CHANNELS, Generated

CENT, PLACES = Decimal("0.01"), Decimal("0.0001")
NET = "CASE WHEN status <> 'cancelled' THEN total_base_minor - refunded_base_minor ELSE 0 END"


def _money(minor: Any) -> Decimal:
    return (Decimal(int(minor or 0)) / 100).quantize(CENT)


def _share(part: Decimal | int, whole: Decimal | int, places: Decimal = PLACES) -> Decimal | None:
    return None if not whole else (Decimal(part) / Decimal(whole)).quantize(places)


def _change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or before is None or before == 0:
        return None
    return ((now - before) / abs(before)).quantize(PLACES)


def _windows(
    now: datetime,
) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime], tuple[datetime, datetime]]:
    """Last 30 days, the 30 days before, and the last 12 months (naive UTC, end excluded)."""
    today = now.astimezone(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    end = today + timedelta(days=1)
    start = today - timedelta(days=29)
    month = today.replace(day=1)
    return (start, end), (start - (end - start), start), (_shift(month, -11), _shift(month, 1))


def _shift(month: datetime, months: int) -> datetime:
    index = month.month - 1 + months
    return month.replace(year=month.year + index // 12, month=index % 12 + 1)


def _regions() -> pd.DataFrame:
    from cbe_app.packs.service import pack_definitions
    from cbe_app.reports.regions import RegionMapDefinition

    (regions,) = [r for r in pack_definitions(RegionMapDefinition) if r.key == "default"]
    return pd.DataFrame(sorted(regions.region_of().items()), columns=["country", "region"])


def duck_tiles(data: Generated, now: datetime) -> tuple[float, dict[str, list[dict[str, Any]]]]:
    """Best of five timings (ms) of every tile, and the tiles' rows as the engine shows them."""
    con = duckdb.connect()
    con.register("orders", data.orders)
    con.register("shipments", data.shipments)
    con.register("customers", data.customers)
    con.register("channels", pd.DataFrame(CHANNELS, columns=["id", "code", "name", "provider"]))
    con.register(
        "carriers", pd.DataFrame([c[:3] for c in CARRIERS], columns=["id", "code", "name"])
    )
    con.register("regions", _regions())
    con.register("products", data.products[["id", "category"]])
    con.register("stock_days", data.stock_days)
    con.register("product_sales_days", data.sales_days)
    con.register("ad_spend", data.ad_spend)
    best, tiles = float("inf"), {}
    for _ in range(5):
        start = time.perf_counter()
        tiles = _tiles(con, now)
        best = min(best, (time.perf_counter() - start) * 1000)
    return best, tiles


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> tuple[Any, ...]:
    row = con.execute(sql, params).fetchone()
    assert row is not None
    return row


def _tiles(con: duckdb.DuckDBPyConnection, now: datetime) -> dict[str, list[dict[str, Any]]]:
    period, before, year = _windows(now)
    tiles: dict[str, list[dict[str, Any]]] = {}
    totals = (
        f"SELECT SUM(total_base_minor), SUM({NET}), COUNT(*), "
        "COUNT(*) FILTER (WHERE status <> 'cancelled'), "
        "SUM(refunded_base_minor) FILTER (WHERE status <> 'cancelled'), "
        "SUM(total_base_minor) FILTER (WHERE status <> 'cancelled') "
        "FROM orders WHERE placed_at >= ? AND placed_at < ?"
    )
    figures = {}
    for name, (first, after) in (("now", period), ("before", before)):
        gross, net, count, kept, refunded, sales = _one(con, totals, [first, after])
        figures[name] = {
            "gmv": _money(gross),
            "gmv_net": _money(net),
            "orders": Decimal(count),
            "aov": _share(_money(net), kept, CENT),
            "refund_rate": _share(_money(refunded), _money(sales)),
        }
    for key in ("gmv", "gmv_net", "orders", "aov", "refund_rate"):
        value, earlier = figures["now"][key], figures["before"][key]
        tiles[key] = [{key: value, f"{key}_change": _change(value, earlier)}]
    by = (
        "SELECT {dim}, SUM(total_base_minor) FROM orders {join} "
        "WHERE placed_at >= ? AND placed_at < ? GROUP BY 1"
    )
    for tile, dim, join in (
        ("gmv_by_channel", "c.name", "JOIN channels c ON c.id = orders.channel_id"),
        (
            "gmv_by_region",
            "COALESCE(r.region, 'Other')",
            "LEFT JOIN regions r ON r.country = orders.country",
        ),
        ("gmv_by_country", "orders.country", ""),
    ):
        rows = con.execute(by.format(dim=dim, join=join), list(period)).fetchall()
        name = {"gmv_by_channel": "channel", "gmv_by_region": "region"}.get(tile, "country")
        tiles[tile] = [{name: k, "gmv": _money(v)} for k, v in rows]
    monthly = (
        "SELECT strftime(placed_at, '%Y-%m'), SUM(total_base_minor), COUNT(*) FROM orders "
        "WHERE placed_at >= ? AND placed_at < ? GROUP BY 1"
    )
    rows = con.execute(monthly, list(year)).fetchall()
    tiles["gmv_trend"] = [{"placed_at_month": m, "gmv": _money(g)} for m, g, _ in rows]
    tiles["orders_trend"] = [{"placed_at_month": m, "orders": Decimal(n)} for m, _, n in rows]
    _deliveries(con, tiles, period, before)
    _customers(con, tiles, period, before)
    _inventory(con, tiles, period, before)
    _marketing(con, tiles, period, before, year)
    return tiles


def _deliveries(
    con: duckdb.DuckDBPyConnection, tiles: dict[str, Any], period: Any, before: Any
) -> None:
    on_time = (
        "SELECT {dim} COUNT(*) FILTER (WHERE promised_on IS NOT NULL "
        "AND CAST(delivered_at AS DATE) <= promised_on), "
        "COUNT(*) FILTER (WHERE promised_on IS NOT NULL) "
        "FROM shipments s {join} WHERE delivered_at IS NOT NULL "
        "AND delivered_at >= ? AND delivered_at < ? {group}"
    )
    rates = []
    for first, after in (period, before):
        hit, promised = _one(con, on_time.format(dim="", join="", group=""), [first, after])
        rates.append(_share(hit, promised))
    tiles["on_time"] = [
        {"on_time_delivery_rate": rates[0], "on_time_delivery_rate_change": _change(*rates)}
    ]
    rows = con.execute(
        on_time.format(
            dim="c.name,", join="JOIN carriers c ON c.id = s.carrier_id", group="GROUP BY 1"
        ),
        list(period),
    ).fetchall()
    tiles["on_time_by_carrier"] = [
        {"carrier": n, "on_time_delivery_rate": _share(h, p)} for n, h, p in rows
    ]


def _customers(
    con: duckdb.DuckDBPyConnection, tiles: dict[str, Any], period: Any, before: Any
) -> None:
    # Each customer's first order, lifetime net revenue and orders: what the cohorts hold.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stats AS SELECT customer_id, MIN(placed_at) AS first, "
        f"SUM({NET}) AS revenue, COUNT(*) AS n FROM orders WHERE customer_id IS NOT NULL "
        "GROUP BY 1"
    )
    cohort = (
        "SELECT SUM(revenue), COUNT(*), COUNT(*) FILTER (WHERE n >= 2) FROM stats "
        "WHERE first >= ? AND first < ?"
    )
    ltv, repeat = [], []
    for first, after in (period, before):
        revenue, buyers, again = _one(con, cohort, [first, after])
        ltv.append(_share(_money(revenue), buyers, CENT))
        repeat.append(_share(again, buyers))
    tiles["ltv"] = [{"ltv": ltv[0], "ltv_change": _change(*ltv)}]
    tiles["repeat_rate"] = [
        {"repeat_purchase_rate": repeat[0], "repeat_purchase_rate_change": _change(*repeat)}
    ]


def _turnover(cogs: Any, days: Any, value: Any) -> Decimal | None:
    """COGS × stock days / Σ stock value, as the KPI's formula (amounts in cents first)."""
    stock = _money(value)
    if not stock:
        return None
    return (_money(cogs) * Decimal(int(days or 0)) / stock).quantize(PLACES)


def _inventory(
    con: duckdb.DuckDBPyConnection, tiles: dict[str, Any], period: Any, before: Any
) -> None:
    turnover = (
        "WITH stock AS (SELECT {dim} SUM(value_base_minor) AS value, COUNT(DISTINCT day) AS days "
        "FROM stock_days s {join} WHERE day >= ? AND day < ? {group}), "
        "sold AS (SELECT {dim} SUM(cogs_base_minor) AS cogs FROM product_sales_days s {join} "
        "WHERE day >= ? AND day < ? {group}) "
        "SELECT {key} sold.cogs, stock.days, stock.value FROM stock {full} sold {using}"
    )
    total = turnover.format(dim="", join="", group="", key="", full=",", using="")
    rates = [_turnover(*_one(con, total, [*window, *window])) for window in (period, before)]
    tiles["inventory_turnover"] = [
        {"inventory_turnover": rates[0], "inventory_turnover_change": _change(*rates)}
    ]
    by_category = turnover.format(
        dim="p.category,",
        join="JOIN products p ON p.id = s.product_id",
        group="GROUP BY 1",
        key="COALESCE(stock.category, sold.category),",
        full="FULL JOIN",
        using="USING (category)",
    )
    rows = con.execute(by_category, [*period, *period]).fetchall()
    tiles["turnover_by_category"] = [
        {"category": c, "inventory_turnover": _turnover(cogs, days, value)}
        for c, cogs, days, value in rows
    ]


def _marketing(
    con: duckdb.DuckDBPyConnection, tiles: dict[str, Any], period: Any, before: Any, year: Any
) -> None:
    """Ad spend over the customers whose first order fell in the period (from `stats`)."""
    spent = "SELECT SUM(spend_base_minor) FROM ad_spend WHERE day >= ? AND day < ?"
    won = "SELECT COUNT(*), SUM(revenue) FROM stats WHERE first >= ? AND first < ?"
    cac, cac_ltv = [], []
    for window in (period, before):
        spend = _money(_one(con, spent, list(window))[0])
        new, revenue = _one(con, won, list(window))
        cac.append(_share(spend, new, CENT))
        cac_ltv.append(_share(spend, _money(revenue)))
    tiles["cac"] = [{"cac": cac[0], "cac_change": _change(*cac)}]
    tiles["cac_ltv"] = [{"cac_ltv": cac_ltv[0], "cac_ltv_change": _change(*cac_ltv)}]
    monthly_spend = dict(
        con.execute(
            "SELECT strftime(day, '%Y-%m'), SUM(spend_base_minor) FROM ad_spend "
            "WHERE day >= ? AND day < ? GROUP BY 1",
            list(year),
        ).fetchall()
    )
    monthly_new = dict(
        con.execute(
            "SELECT strftime(first, '%Y-%m'), COUNT(*) FROM stats "
            "WHERE first >= ? AND first < ? GROUP BY 1",
            list(year),
        ).fetchall()
    )
    tiles["cac_by_month"] = [
        {"day_month": m, "cac": _share(_money(monthly_spend.get(m)), monthly_new.get(m, 0), CENT)}
        for m in sorted(monthly_spend.keys() | monthly_new.keys())
    ]
