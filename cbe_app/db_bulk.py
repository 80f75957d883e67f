"""Bulk writes for the sync's hot path: one executemany on the driver, values converted once.

SQLAlchemy's executemany processes every parameter of every row in Python (bind processors,
parameter dictionaries), which costs more than the database itself when a sync writes
hundreds of thousands of rows. Here the statement is compiled by SQLAlchemy once per shape
and run with the driver's own `executemany`, inside the session's transaction, with each
column's value converted by a small function chosen once from its type.
"""

from __future__ import annotations

import functools
import json
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Select, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlmodel import Session

from cbe_app.dbtypes import DecimalText, UTCDateTime

Convert = Callable[[Any], Any]


_NO_OFFSET = timedelta(0)
_UNSEEN = object()


def _sqlite_time(value: datetime | None) -> str | None:
    # The text SQLAlchemy's SQLite DateTime writes, for naive UTC (what UTCDateTime stores).
    if value is None:
        return None
    offset = value.utcoffset()
    if offset is None or offset == _NO_OFFSET:  # naive UTC, or UTC: only the offset goes
        return value.isoformat(sep=" ", timespec="microseconds")[:26]
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _text_decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value), "f")


def _iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _identity(value: Any) -> Any:
    return value


def _converter(column_type: Any, sqlite: bool) -> Convert:
    if isinstance(column_type, DecimalText):
        return _text_decimal
    if isinstance(column_type, JSON):
        return _json
    if sqlite and isinstance(column_type, UTCDateTime):
        return _sqlite_time
    if sqlite and isinstance(column_type, Date):
        return _iso_date
    if sqlite and isinstance(column_type, Boolean):
        return lambda v: None if v is None else int(v)
    return _identity


@functools.lru_cache(maxsize=256)
def _compiled(
    table: Table,
    columns: tuple[str, ...],
    keys: tuple[str, ...] | None,
    update: tuple[str, ...] | None,
    dialect: Dialect,
) -> tuple[str, tuple[str, ...], tuple[Convert, ...]]:
    sqlite = dialect.name == "sqlite"
    stmt = (sqlite_insert if sqlite else pg_insert)(table)
    if keys is not None:
        if update:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    compiled = stmt.compile(dialect=dialect, column_keys=list(columns))
    order = tuple(compiled.positiontup or ()) if sqlite else columns
    converters = tuple(_converter(table.c[c].type, sqlite) for c in order)
    return str(compiled), order, converters


def _parameters(
    rows: Sequence[Mapping[str, Any]],
    order: tuple[str, ...],
    converters: tuple[Convert, ...],
    *,
    positional: bool,
) -> list[Any]:
    """The driver's parameters: tuples in the statement's order (SQLite) or dicts (psycopg).

    Values are picked with one C-level itemgetter per row; only columns that need it are
    converted, which keeps this at a fraction of the database's own time.
    """
    pick = operator.itemgetter(*order)
    convert = [(i, f) for i, f in enumerate(converters) if f is not _identity]
    picked: list[Any] = (
        [pick(row) for row in rows] if len(order) > 1 else [(pick(row),) for row in rows]
    )
    if convert:
        # Rows of a page share many values (the sync's time in every created_at): each column
        # converts a value again only when it is not the very object it converted last.
        last: list[tuple[Any, Any]] = [(_UNSEEN, None)] * len(order)
        for n, values in enumerate(picked):
            converted = list(values)
            for i, f in convert:
                value = converted[i]
                seen, result = last[i]
                if value is not seen:
                    result = f(value)
                    last[i] = (value, result)
                converted[i] = result
            picked[n] = converted
    if positional:
        return picked
    return [dict(zip(order, values, strict=True)) for values in picked]


def bulk_write(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str] | None = None,
    update: Sequence[str] | None = None,
) -> None:
    """INSERT the rows (ON CONFLICT on `keys`: update `update`, or do nothing) in one executemany.

    Every row must have the same keys. Nothing is returned: callers read ids back with one
    SELECT by natural key, which costs less than RETURNING per row.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    columns = tuple(rows[0])
    sql, order, converters = _compiled(
        table,
        columns,
        tuple(keys) if keys is not None else None,
        tuple(update) if update else None,
        dialect,
    )
    params = _parameters(rows, order, converters, positional=dialect.name == "sqlite")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


_EXPANDING = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
_MAX_VARIABLES = 30_000  # under SQLite's limit of host parameters in one statement (32,766)


@functools.lru_cache(maxsize=128)
def _select_shape(
    stmt: Select[Any], dialect: Dialect
) -> tuple[str, tuple[str, ...], tuple[Convert | None, ...]]:
    compiled = stmt.compile(dialect=dialect)
    processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in stmt.selected_columns
    )
    return compiled.string, tuple(compiled.positiontup or ()), processors


def select_rows(
    session: Session, stmt: Select[Any], params: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """The rows of a SELECT whose `IN` lists are expanding parameters of plain ids.

    SQLAlchemy renders a named parameter for every id of such a list on each execution, which
    for a sync's batches of thousands of ids costs more than the query. On SQLite the lists
    become runs of `?` here and the driver binds them; results still pass through the columns'
    types. Lists too long for one statement, empty lists and other databases take SQLAlchemy's
    own path.
    """
    connection = session.connection()
    dialect = connection.dialect
    lists = [v for v in params.values() if isinstance(v, list | tuple)]
    if dialect.name != "sqlite" or not all(lists) or sum(len(v) for v in lists) > _MAX_VARIABLES:
        return [tuple(row) for row in session.execute(stmt, dict(params))]
    sql, names, processors = _select_shape(stmt, dialect)
    sql = _EXPANDING.sub(lambda m: ", ".join("?" * len(params[m.group(1)])), sql)
    values: list[Any] = []
    for name in names:
        value = params[name]
        if isinstance(value, list | tuple):
            values.extend(value)
        else:
            values.append(value)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        rows: list[tuple[Any, ...]] = cursor.execute(sql, values).fetchall()
    finally:
        cursor.close()
    if not any(processors):
        return rows
    return [
        tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True))
        for row in rows
    ]
