"""Process settings, read once from the environment.

Every moving part (app server, worker, beat, CLI, tests) reads the same `Settings`, so a
deployment is configured in one place: the environment.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from babel.numbers import list_currencies
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """What an operator can set; each field names its environment variable."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    data_dir: Path = Field(default=PROJECT_ROOT / "data", alias="CBE_DATA_DIR")
    base_currency: str = Field(default="USD", alias="CBE_BASE_CURRENCY")
    port: int = Field(default=3000, alias="PORT")
    sandbox_port_setting: int | None = Field(default=None, alias="CBE_SANDBOX_PORT")
    public_url: str | None = Field(default=None, alias="CBE_PUBLIC_URL")
    extra_origins: str = Field(default="", alias="CBE_ALLOWED_ORIGINS")
    trusted_proxy_hops: int = Field(default=0, alias="CBE_TRUSTED_PROXY_HOPS", ge=0, le=5)
    session_hours: int = Field(default=12, alias="CBE_SESSION_HOURS", ge=1, le=24 * 30)
    workers: int = Field(default=2, alias="CBE_WORKER_CONCURRENCY", ge=1, le=64)
    app_workers: int = Field(default=2, alias="CBE_APP_WORKERS", ge=1, le=64)
    demo: bool = Field(default=True, alias="CBE_DEMO")
    demo_orders: int = Field(default=50_000, alias="CBE_DEMO_ORDERS", ge=0, le=10_000_000)
    # Outgoing mail (scheduled reports). No host: messages go to $CBE_DATA_DIR/outbox/ instead.
    smtp_host: str = Field(default="", alias="CBE_SMTP_HOST")
    smtp_port: int = Field(default=587, alias="CBE_SMTP_PORT", ge=1, le=65_535)
    smtp_user: str = Field(default="", alias="CBE_SMTP_USER")
    # SecretStr keeps the password out of reprs, logs and error reports.
    smtp_password: SecretStr = Field(default=SecretStr(""), alias="CBE_SMTP_PASSWORD")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", alias="CBE_SMTP_SECURITY"
    )
    mail_from: str = Field(default="cbe <reports@localhost>", alias="CBE_MAIL_FROM")

    @field_validator("base_currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in list_currencies():
            msg = f"CBE_BASE_CURRENCY must be an ISO 4217 code such as USD or EUR, not {value!r}"
            raise ValueError(msg)
        return code

    @field_validator("smtp_security", mode="before")
    @classmethod
    def _lowercase(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value if value.is_absolute() else (Path.cwd() / value).resolve()

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL: the configured one, or a SQLite file in the data folder."""
        if self.database_url:
            url = self.database_url
            # Operators paste URLs from hosting dashboards; use the psycopg 3 driver we ship.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return f"sqlite:///{self.data_dir / 'cbe.db'}"

    @property
    def embedded_redis(self) -> bool:
        """True when no Redis server is configured and we run our own under the data folder."""
        return not self.redis_url

    @property
    def embedded_redis_socket(self) -> Path:
        """The unix socket of the embedded Redis."""
        return self.data_dir / "redis.sock"

    @property
    def resolved_redis_url(self) -> str:
        """The redis-py URL of the configured server, or of the embedded one."""
        return self.redis_url or f"unix://{self.embedded_redis_socket}"

    @property
    def celery_broker_url(self) -> str:
        """Kombu spells a unix-socket Redis differently from redis-py."""
        url = self.resolved_redis_url
        if url.startswith("unix://"):
            return "redis+socket://" + url[len("unix://") :]
        return url

    @property
    def sandbox_port(self) -> int:
        """Where the demo's provider sandboxes listen (next to the app by default)."""
        return self.sandbox_port_setting or self.port + 1

    @property
    def sandbox_url(self) -> str:
        """The address the demo accounts reach the sandboxes at."""
        return f"http://127.0.0.1:{self.sandbox_port}"

    @property
    def app_url(self) -> str:
        """The address users open; the only origin allowed on the event websocket by default."""
        return (self.public_url or f"http://localhost:{self.port}").rstrip("/")

    @property
    def allowed_origins(self) -> list[str]:
        """Origins allowed to open the event websocket (never `*`)."""
        origins = {self.app_url}
        host = urlsplit(self.app_url)
        if host.hostname == "localhost":
            origins.add(f"{host.scheme}://127.0.0.1:{host.port or self.port}")
        origins.update(o.strip().rstrip("/") for o in self.extra_origins.split(",") if o.strip())
        return sorted(origins)

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure whenever the app is served over HTTPS."""
        return self.app_url.startswith("https://")


@functools.cache
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()
