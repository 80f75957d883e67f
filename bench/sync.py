"""Benchmark: syncing orders from a provider sandbox over loopback HTTP, against the raw ceiling.

value    orders/s of a full sync of a Shopify account (100,000 orders by default) through the
         real path: HTTP pages from the sandbox (a separate process, no rate limit), mapping,
         normalisation (status maps, ISO countries, ECB base amounts), and the set-based upsert
         of orders, lines, customers, tracking numbers and events, committed page by page.
baseline orders/s of the in-process ceiling on the same pages: parse them with orjson and
         write the same order rows with one SQLAlchemy Core executemany into an empty table.

Usage: python bench/sync.py [--orders 100000]
The last line printed is one JSON object: {"bench", "value", "unit", "baseline", "ratio"}.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = 3391


def _start_sandbox(orders: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "cbe_app",
        "sandbox",
        "--port",
        str(PORT),
        "--orders",
        str(orders),
        "--only-channel",
        "shopify",
    ]
    sandbox = subprocess.Popen(command, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/", timeout=1).status_code == 200:
                return sandbox
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError("sandbox did not start")


def _point_at(database: Path, data_dir: Path) -> None:
    from cbe_app import db
    from cbe_app.config import get_settings

    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["CBE_DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    db._engines.clear()


def measure_sync(folder: Path) -> tuple[float, int]:
    """Seconds for a full sync through the connector, and the orders it brought."""
    from cbe_app.bootstrap import upgrade_database
    from cbe_app.db import session_scope
    from cbe_app.dbtypes import utcnow
    from cbe_app.hub.connect import connect_account
    from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS
    from cbe_app.hub.sync import sync_now

    _point_at(folder / "sync.db", folder)
    upgrade_database()
    with session_scope() as session:
        connect_account(
            session,
            code="bench",
            name="Bench",
            provider_name="shopify",
            base_url=f"http://127.0.0.1:{PORT}/shopify",
            credentials=DEMO_CREDENTIALS["shopify"],
            now=utcnow(),
            settings={"requests_per_second": 0},
        )
    start = time.perf_counter()
    result = sync_now("bench", "USD", utcnow)
    return time.perf_counter() - start, result["created"]


def fetch_pages() -> list[bytes]:
    """The same pages the sync read, fetched once, untimed."""
    from cbe_app.hub.providers.shopify.client import PAGE_SIZE, next_page_info
    from cbe_app.hub.sandbox.control import DEMO_CREDENTIALS

    headers = {"X-Shopify-Access-Token": DEMO_CREDENTIALS["shopify"]["access_token"]}
    pages, params = [], {"status": "any", "limit": PAGE_SIZE}
    with httpx.Client(
        base_url=f"http://127.0.0.1:{PORT}/shopify", headers=headers, timeout=60
    ) as client:
        while True:
            response = client.get("/admin/api/2024-10/orders.json", params=params)
            pages.append(response.content)
            token = next_page_info(response.headers.get("Link"))
            if token is None:
                return pages
            params = {"limit": PAGE_SIZE, "page_info": token}


def measure_ceiling(folder: Path, pages: list[bytes]) -> tuple[float, int]:
    """Seconds to parse the pages and insert one row per order with a single executemany."""
    from datetime import datetime

    from sqlalchemy import insert

    from cbe_app.bootstrap import upgrade_database
    from cbe_app.db import get_engine
    from cbe_app.hub.orders import SalesOrder

    _point_at(folder / "ceiling.db", folder)
    upgrade_database()
    with get_engine().begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO channels (code, name, provider, created_at)"
            " VALUES ('b', 'b', 'shopify', '2026-01-01')"
        )
    start = time.perf_counter()
    rows = []
    for page in pages:
        for o in orjson.loads(page)["orders"]:
            placed = datetime.fromisoformat(o["processed_at"])
            rows.append(
                {
                    "channel_id": 1,
                    "external_id": str(o["id"]),
                    "status": o["fulfillment_status"] or "",
                    "provider_status": "",
                    "payment_status": o["financial_status"],
                    "placed_at": placed,
                    "currency": o["currency"],
                    "total_minor": int(float(o["total_price"]) * 100),
                    "base_currency": "USD",
                    "shipping_minor": 0,
                    "refunded_minor": 0,
                    "refunded_base_minor": 0,
                    "fx_source": "ECB",
                    "total_base_minor": 0,
                    "fx_rate": 1,
                    "fx_date": placed.date(),
                    "country": o["shipping_address"]["country_code"],
                    "created_at": placed,
                    "updated_at": placed,
                    "version": 1,
                }
            )
    with get_engine().begin() as connection:
        connection.execute(insert(SalesOrder.__table__), rows)  # type: ignore[attr-defined]
    return time.perf_counter() - start, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    args = parser.parse_args()
    sandbox = _start_sandbox(args.orders)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            pages = fetch_pages()  # also warms the sandbox's rendering caches evenly for both
            sync_seconds, synced = measure_sync(folder)
            ceiling_seconds, parsed = measure_ceiling(folder, pages)
    finally:
        os.killpg(sandbox.pid, signal.SIGTERM)
        sandbox.wait(20)
    value, baseline = synced / sync_seconds, parsed / ceiling_seconds
    print(
        f"sync over HTTP  : {sync_seconds:6.2f} s  {value:9,.0f} orders/s"
        f" ({synced:,} orders, {len(pages)} pages)"
    )
    print(
        f"orjson+insert   : {ceiling_seconds:6.2f} s  {baseline:9,.0f} orders/s"
        " (same pages, one executemany)"
    )
    print(
        json.dumps(
            {
                "bench": "sync",
                "value": round(value, 1),
                "unit": "orders/s",
                "baseline": round(baseline, 1),
                "ratio": round(value / baseline, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
