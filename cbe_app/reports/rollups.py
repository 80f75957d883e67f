"""How each rollup follows its source rows: triggers that log changes, and compaction.

A rollup is a key (a day, and a couple of columns) and additive measures, each an SQL
expression over one source row `r`. From that one description come:

- the triggers: every insert, update and delete of a source row appends its signed measures
  (the new row's plus, the old row's minus) to the rollup's log. SQLite gets a row trigger
  per event; PostgreSQL a statement trigger over the transition tables that sums a statement's
  rows per key first. A log insert has no key to look up and no row to lock, so writers never
  wait for each other and a sync pays about a microsecond a row;
- `compact`: folds the log into the day and month tables and empties it (on PostgreSQL
  exactly the rows it deleted, so a concurrent writer's rows are never lost);
- `rebuild`: the same sums over all source rows, for a database that had orders before the
  rollups, and as a repair.

Every measure is a sum, so adding the new row and subtracting the old one is exact.
"""

# ruff: noqa: S608 - every statement here is built from this module's constant definitions;
# nothing a user types reaches it.
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Table

from cbe_app.reports.models import (
    CUSTOMERS_LOG,
    ORDERS_DAY,
    ORDERS_LOG,
    ORDERS_MONTH,
    SHIPMENTS_DAY,
    SHIPMENTS_LOG,
    SHIPMENTS_MONTH,
)

_DAY = {
    "sqlite": "date({})",
    "postgresql": "CAST(({} AT TIME ZONE 'UTC') AS DATE)",
}
_MONTH_OF_DAY = {
    "sqlite": "strftime('%Y-%m', day)",
    "postgresql": "to_char(day, 'YYYY-MM')",
}
_ON_TIME = {
    "sqlite": "date(r.delivered_at) <= r.promised_on",
    "postgresql": "CAST((r.delivered_at AT TIME ZONE 'UTC') AS DATE) <= r.promised_on",
}


@dataclass(frozen=True, slots=True)
class Rollup:
    """A rollup's tables and how a source row feeds them."""

    source: str
    log: Table
    day: Table | None  # None: the log is folded elsewhere (customers: `reports.cohorts`)
    month: Table | None
    time: str  # the source column whose UTC day is the row's day
    keys: tuple[tuple[str, str], ...]  # (column, expression over r) besides the day
    measures: tuple[tuple[str, str], ...]  # (column, expression over r)
    counts: str  # which source rows count at all (over r)
    watched: tuple[str, ...]  # source columns whose change moves a row's contribution

    @property
    def key_columns(self) -> list[str]:
        """The day table's key: `day` and the other keys."""
        return ["day"] + [name for name, _ in self.keys]

    @property
    def measure_columns(self) -> list[str]:
        """The summed columns."""
        return [name for name, _ in self.measures]


_NOT_CANCELLED = "r.status <> 'cancelled'"
_ORDER_SUMS = (
    ("orders", "1"),
    ("orders_kept", f"CASE WHEN {_NOT_CANCELLED} THEN 1 ELSE 0 END"),
    ("gross_minor", "r.total_base_minor"),
    ("sales_kept_minor", f"CASE WHEN {_NOT_CANCELLED} THEN r.total_base_minor ELSE 0 END"),
    ("refunded_minor", "r.refunded_base_minor"),
    ("refunded_kept_minor", f"CASE WHEN {_NOT_CANCELLED} THEN r.refunded_base_minor ELSE 0 END"),
    (
        "net_minor",
        f"CASE WHEN {_NOT_CANCELLED} THEN r.total_base_minor - r.refunded_base_minor ELSE 0 END",
    ),
)
# A parcel's destination is its order's country; a parcel not matched to an order yet has ''.
_DESTINATION = "COALESCE((SELECT o.country FROM orders o WHERE o.id = r.order_id), '')"

ORDERS = Rollup(
    "orders",
    ORDERS_LOG,
    ORDERS_DAY,
    ORDERS_MONTH,
    "placed_at",
    (("channel_id", "r.channel_id"), ("country", "r.country")),
    _ORDER_SUMS,
    "1 = 1",
    ("placed_at", "channel_id", "country", "status", "total_base_minor", "refunded_base_minor"),
)
SHIPMENTS = Rollup(
    "shipments",
    SHIPMENTS_LOG,
    SHIPMENTS_DAY,
    SHIPMENTS_MONTH,
    "delivered_at",
    (("carrier_id", "r.carrier_id"), ("country", _DESTINATION)),
    (
        ("delivered", "1"),
        ("with_promise", "CASE WHEN r.promised_on IS NOT NULL THEN 1 ELSE 0 END"),
        ("on_time", "CASE WHEN r.promised_on IS NOT NULL AND {on_time} THEN 1 ELSE 0 END"),
    ),
    "r.delivered_at IS NOT NULL",
    ("delivered_at", "promised_on", "carrier_id", "order_id"),
)
# Each buyer's orders and net revenue by day, for their history and cohort (`cohorts`).
CUSTOMERS = Rollup(
    "orders",
    CUSTOMERS_LOG,
    None,
    None,
    "placed_at",
    (("customer_id", "r.customer_id"),),
    (("orders", "1"), _ORDER_SUMS[-1]),
    "r.customer_id IS NOT NULL",
    ("placed_at", "customer_id", "status", "total_base_minor", "refunded_base_minor"),
)
ROLLUPS: tuple[Rollup, ...] = (ORDERS, SHIPMENTS, CUSTOMERS)
SOURCES = ("orders", "shipments")
# A customer who moves country is counted in the new country's cohort: a row with nothing to
# add marks them for the next compaction.
_MOVED_CUSTOMER = (
    "INSERT INTO rollup_customers_log (day, customer_id, orders, net_minor) "
    "SELECT {day}, {id}, 0, 0{rows} WHERE {changed}"
)


def _select(
    rollup: Rollup,
    dialect: str,
    rows: str | None,
    sign: str = "",
    *,
    country: str | None = None,
    where: str = "",
) -> str:
    """Each row as its day, keys and signed measures, in columns c0, c1, …

    `rows` is a FROM clause in which the source row is `r` (None: the trigger's own row r);
    `country` replaces the rollup's country expression, `where` adds a condition.
    """
    keys = [_DAY[dialect].format(f"r.{rollup.time}")]
    keys += [country if name == "country" and country else expr for name, expr in rollup.keys]
    measures = [f"{sign}({expr.format(on_time=_ON_TIME[dialect])})" for _, expr in rollup.measures]
    columns = ", ".join(f"{expr} AS c{n}" for n, expr in enumerate(keys + measures))
    source = f" FROM {rows}" if rows else ""
    return f"SELECT {columns}{source} WHERE {rollup.counts}{where}"


def _grouped(rollup: Rollup, select: str) -> str:
    """Rows of `select` summed per key (keys with nothing left are dropped), in key order."""
    k = len(rollup.key_columns)
    m = len(rollup.measures)
    by = ", ".join(f"c{n}" for n in range(k))
    sums = ", ".join(f"SUM(c{n})" for n in range(k, k + m))
    moved = " OR ".join(f"SUM(c{n}) <> 0" for n in range(k, k + m))
    return (
        f"SELECT {by}, {sums} FROM ({select}) AS d WHERE 1 = 1 GROUP BY {by}"
        f" HAVING {moved} ORDER BY {by}"
    )


def _log_insert(rollup: Rollup, select: str) -> str:
    columns = ", ".join(rollup.key_columns + rollup.measure_columns)
    return f"INSERT INTO {rollup.log.name} ({columns}) {select}"


def _sqlite_logged(rollup: Rollup, row: str, sign: str) -> str:
    # The trigger's row (NEW or OLD) stands for r.
    select = re.sub(r"\br\.", f"{row}.", _select(rollup, "sqlite", None, sign))
    return _log_insert(rollup, select) + ";"


def _destination_moves(dialect: str) -> str:
    """An order's new country moves its delivered parcels to that destination (a parcel's
    country is read from its order when the parcel is written)."""
    rollup = SHIPMENTS
    if dialect == "sqlite":  # inside the order's row trigger: OLD and NEW are the order
        moved = " AND r.order_id = NEW.id AND OLD.country IS NOT NEW.country"
        parts = [
            _select(rollup, dialect, "shipments r", "-", country="OLD.country", where=moved),
            _select(rollup, dialect, "shipments r", "", country="NEW.country", where=moved),
        ]
        return "".join(_log_insert(rollup, part) + ";" for part in parts)
    rows = "shipments r JOIN old_rows o ON o.id = r.order_id JOIN new_rows n ON n.id = o.id"
    moved = " AND o.country IS DISTINCT FROM n.country"
    union = " UNION ALL ".join(
        _select(rollup, dialect, rows, sign, country=country, where=moved)
        for sign, country in (("-", "o.country"), ("", "n.country"))
    )
    return _log_insert(rollup, _grouped(rollup, union)) + ";"


def sqlite_triggers() -> list[str]:
    """CREATE TRIGGER statements logging every change on SQLite (one per source and event)."""
    found = []
    for source in SOURCES:
        group = [r for r in ROLLUPS if r.source == source]
        watched = sorted({c for r in group for c in r.watched})
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched)
        bodies = {
            "insert": "".join(_sqlite_logged(r, "NEW", "") for r in group),
            "delete": "".join(_sqlite_logged(r, "OLD", "-") for r in group),
            "update": "".join(
                _sqlite_logged(r, "OLD", "-") + _sqlite_logged(r, "NEW", "") for r in group
            )
            + (_destination_moves("sqlite") if source == "orders" else ""),
        }
        for event, body in bodies.items():
            when = f" WHEN {changed}" if event == "update" else ""
            found.append(
                f"CREATE TRIGGER rollup_{source}_{event} AFTER {event.upper()} "
                f"ON {source} FOR EACH ROW{when} BEGIN {body} END"
            )
    moved = _MOVED_CUSTOMER.format(day="'1970-01-01'", id="NEW.id", rows="", changed="1 = 1")
    found.append(
        "CREATE TRIGGER rollup_customers_update AFTER UPDATE OF country ON customers "
        f"FOR EACH ROW WHEN OLD.country IS NOT NEW.country BEGIN {moved}; END"
    )
    return found


_SIDES = {
    "insert": (("new_rows", ""),),
    "delete": (("old_rows", "-"),),
    "update": (("old_rows", "-"), ("new_rows", "")),
}
_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def postgresql_triggers() -> list[str]:
    """Functions and statement triggers logging every change on PostgreSQL."""
    found = []
    for source in SOURCES:
        group = [r for r in ROLLUPS if r.source == source]
        for event, sides in _SIDES.items():
            statements = []
            for rollup in group:
                union = " UNION ALL ".join(
                    _select(rollup, "postgresql", f"{table} r", sign) for table, sign in sides
                )
                statements.append(_log_insert(rollup, _grouped(rollup, union)) + ";")
            if source == "orders" and event == "update":
                statements.append(_destination_moves("postgresql"))
            found += _pg_trigger(f"rollup_{source}_{event}", source, event, " ".join(statements))
    moved = _MOVED_CUSTOMER.format(
        day="DATE '1970-01-01'",
        id="n.id",
        rows=" FROM new_rows n JOIN old_rows o ON o.id = n.id",
        changed="o.country IS DISTINCT FROM n.country",
    )
    found += _pg_trigger("rollup_customers_update", "customers", "update", moved + ";")
    return found


def _pg_trigger(function: str, table: str, event: str, body: str) -> list[str]:
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {body} RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {function} ON {table}",
        f"CREATE TRIGGER {function} AFTER {event.upper()} ON {table} "
        f"{_REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


_TRIGGERS = [(f"rollup_{s}_{e}", s) for s in SOURCES for e in _SIDES] + [
    ("rollup_customers_update", "customers")
]


def install(connection: Connection) -> None:
    """Create the triggers on this database, replacing any older version of them."""
    uninstall(connection)
    dialect = connection.dialect.name
    statements = sqlite_triggers() if dialect == "sqlite" else postgresql_triggers()
    for statement in statements:
        connection.exec_driver_sql(statement)


def uninstall(connection: Connection) -> None:
    """Drop the triggers (before the rollup tables go)."""
    for name, table in _TRIGGERS:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        else:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")


@contextmanager
def logged_together(connection: Connection, source: str) -> Iterator[None]:
    """Log the rows the block inserts into `source` with one statement, not one trigger a row.

    On SQLite a row trigger costs about as much as the insert it follows (its program runs for
    every row, even with a WHEN that is false), which a sync inserting tens of thousands of
    orders a second feels. So the insert trigger is dropped inside the caller's transaction,
    the block inserts, the new rows (ids above the largest before the block) are logged by one
    INSERT … SELECT (a row each, as the trigger would: summing them first costs more), and the
    trigger is created again from its own stored text. SQLite runs DDL in the transaction and
    has a single writer, so no other connection ever sees the table without its trigger, and
    nobody else can insert meanwhile.

    The block may only insert into `source` (an update or delete of a row it inserted would be
    logged twice). PostgreSQL's statement triggers sum a statement's rows already: the block
    runs as it is there, and wherever the rollups are not installed.
    """
    name = f"rollup_{source}_insert"
    found = (
        connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).scalar()
        if connection.dialect.name == "sqlite"
        else None
    )
    if found is None:
        yield
        return
    if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        # The driver opens transactions only before DML: DDL would be committed at once.
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # and take the write lock now
    connection.exec_driver_sql(f"DROP TRIGGER {name}")
    largest = connection.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {source}")
    after = int(largest.scalar_one())
    try:
        yield
    finally:  # what the block inserted before a failure is logged too, and the trigger is back
        for rollup in ROLLUPS:
            if rollup.source == source:
                added = _select(rollup, "sqlite", f"{source} r", where=f" AND r.id > {after}")
                connection.exec_driver_sql(_log_insert(rollup, added))
        connection.exec_driver_sql(found)


def _upsert(table: Table, keys: list[str], measures: list[str], select: str) -> str:
    updates = ", ".join(f"{m} = {table.name}.{m} + excluded.{m}" for m in measures)
    return (
        f"INSERT INTO {table.name} ({', '.join(keys + measures)}) {select} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


def _folded(rollup: Rollup, rows: str, period: str, name: str, table: Table) -> str:
    """Upsert the sums of `rows` (log rows) per `period` expression and key into `table`."""
    others = [name for name, _ in rollup.keys]
    measures = rollup.measure_columns
    by = ", ".join([period, *others])
    sums = ", ".join(f"SUM({m})" for m in measures)
    moved = " OR ".join(f"SUM({m}) <> 0" for m in measures)
    select = (
        f"SELECT {by}, {sums} FROM {rows} WHERE 1 = 1 GROUP BY {by} HAVING {moved} ORDER BY {by}"
    )
    return _upsert(table, [name, *others], measures, select)


def compact(connection: Connection) -> None:
    """Fold every rollup's log into its sums and empty it.

    On PostgreSQL the log rows are deleted and summed in one statement, so rows a concurrent
    writer commits meanwhile stay for the next compaction; an advisory lock keeps two
    compactions from waiting on each other's keys. SQLite has one writer at a time.
    """
    from cbe_app.reports import cohorts

    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7344001)")
    for rollup in ROLLUPS:
        if rollup.day is None or rollup.month is None:
            continue
        columns = ", ".join(rollup.key_columns + rollup.measure_columns)
        if dialect == "sqlite":
            for period, name, table in (
                ("day", "day", rollup.day),
                (_MONTH_OF_DAY[dialect], "month", rollup.month),
            ):
                connection.exec_driver_sql(_folded(rollup, rollup.log.name, period, name, table))
            connection.exec_driver_sql(f"DELETE FROM {rollup.log.name}")
            continue
        day = _folded(rollup, "moved", "day", "day", rollup.day)
        month = _folded(rollup, "moved", _MONTH_OF_DAY[dialect], "month", rollup.month)
        connection.exec_driver_sql(
            f"WITH moved AS (DELETE FROM {rollup.log.name} RETURNING {columns}), "
            f"by_day AS ({day} RETURNING 1) {month}"
        )
    cohorts.compact(connection)


def rebuild(connection: Connection) -> None:
    """Recompute every rollup from all of its source rows."""
    from cbe_app.reports import cohorts

    dialect = connection.dialect.name
    cohorts.clear(connection)
    for rollup in ROLLUPS:
        for table in (rollup.log, rollup.day, rollup.month):
            if table is not None:
                connection.execute(table.delete())
        everything = _select(rollup, dialect, f"{rollup.source} r")
        connection.exec_driver_sql(_log_insert(rollup, _grouped(rollup, everything)))
    compact(connection)
