"""Benchmark: loading the demo business through the real job steps, against the raw ceiling.

value    orders/s through `demo_step` (idempotent upserts, FX conversion, id lookups, one
         transaction per chunk), the code path of `make run`, the CLI and the job.
baseline orders/s for the same rows written with one SQLAlchemy Core executemany per table
         into an empty database, measured in the same run (no upsert, no lookups).

Usage: python bench/demo_load.py [--orders 50000]
The last line printed is one JSON object: {"bench", "value", "unit", "baseline", "ratio"}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _point_at(database: Path) -> None:
    from cbe_app import db
    from cbe_app.config import get_settings

    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    get_settings.cache_clear()
    db._engines.clear()


def measure_real_path(folder: Path, orders: int) -> float:
    """Seconds to load through the job steps into a freshly migrated database."""
    from cbe_app.bootstrap import load_demo_data, upgrade_database
    from cbe_app.dbtypes import utcnow
    from cbe_app.demo.service import DemoParams

    _point_at(folder / "real.db")
    upgrade_database()
    params = DemoParams(orders=orders, seed=7, end=date(2026, 10, 31))
    start = time.perf_counter()
    load_demo_data(params, "USD", utcnow)
    return time.perf_counter() - start


def measure_ceiling(folder: Path, orders: int) -> float:
    """Seconds to insert the same orders, lines and shipments with plain executemany."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from cbe_app.bootstrap import upgrade_database
    from cbe_app.db import get_engine
    from cbe_app.dbtypes import utcnow
    from cbe_app.demo.service import DemoParams, dataset, load_reference
    from cbe_app.hub.orders import OrderLine, SalesOrder, Shipment

    _point_at(folder / "ceiling.db")
    upgrade_database()
    data = dataset(DemoParams(orders=orders, seed=7, end=date(2026, 10, 31)))
    with Session(get_engine()) as session:
        load_reference(session, data, utcnow())
        session.commit()
    all_orders = list(data.orders())  # generated before timing: the real path times generation too
    now = utcnow()
    rows = [
        {
            "id": i + 1,
            "channel_id": 1,
            "external_id": o.external_id,
            "status": o.status,
            "provider_status": o.status,
            "payment_status": o.payment_status,
            "placed_at": o.placed_at,
            "currency": o.currency,
            "shipping_minor": o.shipping_minor,
            "total_minor": o.total_minor,
            "refunded_minor": o.refunded_minor,
            "base_currency": "USD",
            "total_base_minor": o.total_minor,
            "refunded_base_minor": 0,
            "fx_rate": 1,
            "fx_date": o.placed_at.date(),
            "fx_source": "ECB",
            "country": o.country,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for i, o in enumerate(all_orders)
    ]
    lines = [
        {
            "order_id": i + 1,
            "line_no": n,
            "sku": ln.sku,
            "quantity": ln.quantity,
            "unit_price_minor": ln.unit_price_minor,
        }
        for i, o in enumerate(all_orders)
        for n, ln in enumerate(o.lines, 1)
    ]
    ships = [
        {
            "order_id": i + 1,
            "carrier_id": 1,
            "tracking_number": o.shipment.tracking_number,
            "service": o.shipment.service,
            "status": o.shipment.status,
            "updated_at": now,
        }
        for i, o in enumerate(all_orders)
        if o.shipment
    ]
    start = time.perf_counter()
    with get_engine().begin() as connection:
        connection.execute(insert(SalesOrder.__table__), rows)  # type: ignore[attr-defined]
        connection.execute(insert(OrderLine.__table__), lines)  # type: ignore[attr-defined]
        connection.execute(insert(Shipment.__table__), ships)  # type: ignore[attr-defined]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["CBE_DATA_DIR"] = str(folder)
        real = measure_real_path(folder, args.orders)
        ceiling = measure_ceiling(folder, args.orders)
    value, baseline = args.orders / real, args.orders / ceiling
    print(
        f"demo load, real path : {real:6.2f} s  {value:9,.0f} orders/s",
        f"({args.orders:,} orders, SQLite)",
    )
    print(
        f"executemany ceiling  : {ceiling:6.2f} s  {baseline:9,.0f} orders/s",
        "(insert only, no upsert)",
    )
    print(
        json.dumps(
            {
                "bench": "demo_load",
                "value": round(value, 1),
                "unit": "orders/s",
                "baseline": round(baseline, 1),
                "ratio": round(value / baseline, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
