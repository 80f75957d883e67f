"""Customer history and cohorts, kept up to date from the log the order triggers write.

A customer's facts are their orders, net revenue and first order's day; cohorts sum the
customers who ordered by the day of their first order and their country (buyers, repeat
buyers, revenue). A customer's cohort depends on all their orders, so the log only says who
changed: compaction takes each such customer's old contribution off the cohorts, works out
their facts again from their orders, and adds the new contribution back. Cohort figures
therefore count from the next compaction on (every 30 s), not from the commit.
"""

# ruff: noqa: S608 - every statement here is built from this module's constants.
from __future__ import annotations

from sqlalchemy import Connection

from cbe_app.reports.models import COHORTS, CUSTOMER_FACTS, CUSTOMERS_LOG

_MOVED = "cbe_moved_customers"
_FACTS, _COHORTS, _LOG = CUSTOMER_FACTS.name, COHORTS.name, CUSTOMERS_LOG.name


def _contribution(sign: str) -> str:
    """The affected customers' share of the cohorts, added with `sign`."""
    measures = ("buyers", "repeat_buyers", "revenue_minor")
    updates = ", ".join(f"{m} = {_COHORTS}.{m} + excluded.{m}" for m in measures)
    return (
        f"INSERT INTO {_COHORTS} (day, country, {', '.join(measures)}) "
        f"SELECT f.first_day, f.country, "
        f"{sign}SUM(CASE WHEN f.orders >= 1 THEN 1 ELSE 0 END), "
        f"{sign}SUM(CASE WHEN f.orders >= 2 THEN 1 ELSE 0 END), "
        f"{sign}SUM(f.net_minor) "
        f"FROM {_FACTS} f WHERE f.first_day IS NOT NULL "
        f"AND f.customer_id IN (SELECT customer_id FROM {_MOVED}) "
        f"GROUP BY f.first_day, f.country ORDER BY f.first_day, f.country "
        f"ON CONFLICT (day, country) DO UPDATE SET {updates}"
    )


# An affected customer's facts are worked out again from their orders (a handful, by index):
# exact whatever happened to them, an order moved to someone else included.
_ENSURE = (
    f"INSERT INTO {_FACTS} (customer_id, orders, net_minor, country) "
    f"SELECT DISTINCT customer_id, 0, 0, '' FROM {_MOVED} WHERE 1 = 1 "
    f"ON CONFLICT (customer_id) DO NOTHING"
)
_NET = (
    "CASE WHEN o.status <> 'cancelled' THEN o.total_base_minor - o.refunded_base_minor ELSE 0 END"
)
_ORDERS_OF = f"FROM orders o WHERE o.customer_id = {_FACTS}.customer_id"
_RECOUNT = (
    f"UPDATE {_FACTS} SET "
    f"first_day = (SELECT MIN({{day}}) {_ORDERS_OF}), "
    f"orders = (SELECT COUNT(*) {_ORDERS_OF}), "
    f"net_minor = (SELECT COALESCE(SUM({_NET}), 0) {_ORDERS_OF}), "
    f"country = COALESCE("
    f"(SELECT c.country FROM customers c WHERE c.id = {_FACTS}.customer_id), '') "
    f"WHERE customer_id IN (SELECT customer_id FROM {_MOVED})"
)
_DAY = {
    "sqlite": "date(o.placed_at)",
    "postgresql": "CAST((o.placed_at AT TIME ZONE 'UTC') AS DATE)",
}
_TAKE = {
    "sqlite": [
        f"CREATE TEMP TABLE IF NOT EXISTS {_MOVED} "
        "(day DATE, customer_id INTEGER, orders BIGINT, net_minor BIGINT)",
        f"DELETE FROM {_MOVED}",
        f"INSERT INTO {_MOVED} SELECT day, customer_id, orders, net_minor FROM {_LOG}",
        f"DELETE FROM {_LOG}",
    ],
    # Exactly the rows deleted are folded: a writer's rows committed meanwhile stay in the log.
    "postgresql": [
        f"CREATE TEMP TABLE IF NOT EXISTS {_MOVED} "
        "(day DATE, customer_id INTEGER, orders BIGINT, net_minor BIGINT)",
        f"DELETE FROM {_MOVED}",
        f"WITH taken AS (DELETE FROM {_LOG} RETURNING day, customer_id, orders, net_minor) "
        f"INSERT INTO {_MOVED} SELECT * FROM taken",
    ],
}


def compact(connection: Connection) -> None:
    """Fold the customers' log into their facts and the cohorts (in the caller's transaction,
    after `rollups.compact` took its lock)."""
    for statement in _TAKE[connection.dialect.name]:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(_contribution("-"))
    connection.exec_driver_sql(_ENSURE)
    connection.exec_driver_sql(_RECOUNT.format(day=_DAY[connection.dialect.name]))
    connection.exec_driver_sql(_contribution(""))
    connection.exec_driver_sql(f"DELETE FROM {_MOVED}")


def clear(connection: Connection) -> None:
    """Forget every customer's facts and the cohorts (before a rebuild)."""
    for table in (CUSTOMERS_LOG, CUSTOMER_FACTS, COHORTS):
        connection.execute(table.delete())
