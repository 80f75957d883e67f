from pathlib import Path

import pytest
from pydantic import ValidationError

from cbe_app.config import Settings


def settings(**env: str) -> Settings:
    return Settings.model_validate(env)


def test_defaults_are_a_sqlite_file_and_the_embedded_redis(tmp_path: Path) -> None:
    s = settings(CBE_DATA_DIR=str(tmp_path))
    assert s.resolved_database_url == f"sqlite:///{tmp_path / 'cbe.db'}"
    assert s.embedded_redis and s.resolved_redis_url == f"unix://{tmp_path / 'redis.sock'}"
    assert s.celery_broker_url == f"redis+socket://{tmp_path / 'redis.sock'}"
    assert s.base_currency == "USD" and s.app_url == "http://localhost:3000"


def test_server_urls_are_used_and_postgres_gets_the_psycopg_driver() -> None:
    s = settings(DATABASE_URL="postgres://u@db:5432/cbe", REDIS_URL="redis://cache:6379/1")
    assert s.resolved_database_url == "postgresql+psycopg://u@db:5432/cbe"
    assert not s.embedded_redis and s.celery_broker_url == "redis://cache:6379/1"


def test_allowed_origins_never_include_a_wildcard() -> None:
    s = settings(PORT="3100", CBE_ALLOWED_ORIGINS="https://ops.acme.example/, ")
    assert s.allowed_origins == [
        "http://127.0.0.1:3100",
        "http://localhost:3100",
        "https://ops.acme.example",
    ]
    public = settings(CBE_PUBLIC_URL="https://cbe.acme.example/")
    assert public.allowed_origins == ["https://cbe.acme.example"]
    assert public.secure_cookies and not settings().secure_cookies


def test_base_currency_is_checked_and_normalised() -> None:
    assert settings(CBE_BASE_CURRENCY=" eur ").base_currency == "EUR"
    with pytest.raises(ValidationError, match="ISO 4217"):
        settings(CBE_BASE_CURRENCY="EURO")
