"""One engine per process, one session scope per use case, and the SQLite/PostgreSQL differences.

Services open a `session_scope()`; it commits when the block ends and rolls back on error, so
a use case is one transaction. Engines are per process id because Celery forks workers after
import, and a connection must never be shared across a fork.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Row, Table, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from cbe_app.config import get_settings

_engines: dict[tuple[int, str], Engine] = {}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the app read while a worker writes; busy_timeout waits for a writer instead of
    # failing at once; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    # Checkpoint the WAL every ~40 MB rather than every 4 MB: a sync writes several MB a
    # second, and each checkpoint syncs the database file to disk.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    # Statement journals in memory: a row written under a trigger (the report rollups) opens
    # one per statement, and in a temporary file that costs three times the row itself.
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def build_engine(url: str) -> Engine:
    """A new engine for `url` with the settings this app relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def get_engine() -> Engine:
    """This process's engine for the configured database."""
    url = get_settings().resolved_database_url
    key = (os.getpid(), url)
    engine = _engines.get(key)
    if engine is None:
        engine = _engines[key] = build_engine(url)
    return engine


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits at the end of the block and rolls back if it raises."""
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str] | None = None,
    returning: Sequence[str] = (),
) -> list[Row[Any]]:
    """Insert rows, or update the named columns of rows whose `keys` already exist: one statement.

    Set-based on purpose: syncs and imports write thousands of rows, and a round trip per row
    would be the bottleneck. `update=()` keeps existing rows untouched (insert-if-missing).
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    stmt = insert(table)
    columns = list(update) if update is not None else [c for c in rows[0] if c not in keys]
    if columns:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    if returning:
        returning_stmt = stmt.returning(*(table.c[c] for c in returning))
        return list(session.execute(returning_stmt, list(rows)).all())
    session.execute(stmt, list(rows))
    return []
