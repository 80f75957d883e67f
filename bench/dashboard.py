"""Benchmark: a full refresh of the executive cockpit at 1M and 5M orders, against DuckDB.

value    milliseconds for every tile of the executive cockpit (pack dashboard `executive`,
         last 30 days, each KPI tile with its previous period) through the real path:
         definitions → planner → rollups (day and month sums, cohorts) → engine, on SQLite.
baseline milliseconds for DuckDB (in memory, columnar, all cores) to compute the same tiles
         from the raw rows in the same run: orders, parcels and customers; stock days and
         product sales days with their products (inventory turnover, in total and by
         category); ad spend set against each customer's first order and lifetime net
         revenue, worked out from the raw orders where the cockpit reads the cohorts rollup
         (CAC, CAC/LTV, CAC by month).
ratio    value / baseline: below 1.0 the cockpit is faster than DuckDB scanning raw rows.

Every tile must be computed by DuckDB too and its figures must equal DuckDB's, or the run
fails. Data is generated (seeded; see dashboard_data.py): orders, parcels and customers over
two years, and for each of those days 3 warehouses' stock of 200 products (`stock_days`),
the products' sales (`product_sales_days`) and ad spend on 4 platforms (`ad_spend`). It is
loaded with the rollup triggers off and summed once with `rollups.rebuild` (set-based, as the
migration does for an existing database); timings are the best of five warm refreshes.

Usage: python bench/dashboard.py [--sizes 1000000,5000000] [--per-tile]
Each size prints a JSON line {"bench", "orders", "value", "unit", "baseline", "ratio"}; the
last line is the largest size. `--per-tile` also prints what each tile costs on its own (a
dashboard holding only that widget, best of five), to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dashboard_data import Generated, generate  # noqa: E402
from dashboard_duck import duck_tiles  # noqa: E402

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
REPEATS = 5


def _point_at(folder: Path) -> None:
    from cbe_app import db
    from cbe_app.config import get_settings

    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'cockpit.db'}"
    os.environ["CBE_DATA_DIR"] = str(folder)
    get_settings.cache_clear()
    db._engines.clear()


def load_sqlite(data: Generated) -> float:
    """Load the generated business into a fresh database; returns the seconds it took."""
    from cbe_app.bootstrap import upgrade_database
    from cbe_app.db import get_engine
    from cbe_app.reports import rollups

    upgrade_database()
    start = time.perf_counter()
    with get_engine().begin() as connection:
        rollups.uninstall(connection)
        raw = connection.connection.driver_connection
        cursor = raw.cursor()  # type: ignore[union-attr]
        for table, frame in data.tables().items():
            columns = ", ".join(frame.columns)
            marks = ", ".join("?" * len(frame.columns))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                frame.itertuples(index=False, name=None),
            )
        rollups.install(connection)
        rollups.rebuild(connection)
    return time.perf_counter() - start


def refresh_cockpit(only: str | None = None) -> tuple[float, dict[str, list[dict[str, Any]]]]:
    """Best time of REPEATS refreshes (ms), and the last refresh's rows by tile.

    With `only`, the cockpit holding just that widget (what the tile costs on its own).
    """
    from cbe_app.db import session_scope
    from cbe_app.reports.boards import dashboard
    from cbe_app.reports.refresh import refresh

    best, rows = float("inf"), {}
    for _ in range(REPEATS):
        with session_scope() as session:
            board = dashboard(session, "executive")
            if only is not None:
                widgets = [w for w in board.widgets if w.id == only]
                board = board.model_copy(update={"widgets": widgets})
            start = time.perf_counter()
            tiles = refresh(session, board, None, NOW, "USD")
            best = min(best, (time.perf_counter() - start) * 1000)
        for tile in tiles:
            if tile.result is None:
                raise SystemExit(f"tile {tile.widget.id} failed: {tile.problem}")
            rows[tile.widget.id] = tile.result.rows
    return best, rows


def _per_tile(tiles: list[str]) -> None:
    for tile in tiles:
        ms, _ = refresh_cockpit(only=tile)
        print(f"    {tile:<22} {ms:7.1f} ms", file=sys.stderr, flush=True)


def _same(ours: dict[str, list[dict[str, Any]]], theirs: dict[str, list[dict[str, Any]]]) -> None:
    if unchecked := sorted(ours.keys() - theirs.keys()):
        raise SystemExit(f"DuckDB does not compute tile(s) {', '.join(unchecked)}")
    for tile, expected in theirs.items():
        got = ours[tile]
        if _canonical(got) != _canonical(expected):
            raise SystemExit(
                f"tile {tile} differs from DuckDB:\n ours   {got[:5]}\n duckdb {expected[:5]}"
            )


def _canonical(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        tuple(sorted((k, str(v) if isinstance(v, Decimal) else v) for k, v in row.items()))
        for row in rows
    )


def run(size: int, *, per_tile: bool = False) -> dict[str, Any]:
    data = generate(size, NOW)
    with tempfile.TemporaryDirectory() as tmp:
        _point_at(Path(tmp))
        load_seconds = load_sqlite(data)
        ours_ms, ours = refresh_cockpit()
        if per_tile:
            _per_tile(list(ours))
    duck_ms, theirs = duck_tiles(data, NOW)
    _same(ours, theirs)
    print(
        f"{size:>9,} orders: cockpit {ours_ms:7.1f} ms | DuckDB on raw rows {duck_ms:7.1f} ms"
        f" | load+rollups {load_seconds:5.1f} s | {len(ours)} tiles equal",
        flush=True,
    )
    return {
        "bench": "dashboard",
        "orders": size,
        "value": round(ours_ms, 1),
        "unit": "ms",
        "baseline": round(duck_ms, 1),
        "ratio": round(ours_ms / duck_ms, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--per-tile", action="store_true", help="time each tile on its own")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        print(json.dumps(run(size, per_tile=args.per_tile)), flush=True)


if __name__ == "__main__":
    main()
