"""Sync runs, the quarantine of records that could not be accepted, and received webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cbe_app.dbtypes import UTCDateTime, utcnow


class SyncRun(SQLModel, table=True):
    """One sync of one account: what it did, how far it got, and why it stopped if it failed."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_account", "account_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    )
    job_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("jobs.id", ondelete="SET NULL"))
    )
    trigger: str = Field(sa_column=Column(String(16), nullable=False))
    status: str = Field(default="running", sa_column=Column(String(16), nullable=False))
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pages: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    cursor_start: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    cursor_end: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

    @property
    def seen(self) -> int:
        """Every record the run brought, whatever became of it."""
        return self.created + self.updated + self.unchanged + self.quarantined


class QuarantineItem(SQLModel, table=True):
    """A record the hub could not accept, kept with the reason and its raw payload.

    `record_key` is the provider's id for the record (or a digest of its payload when it has
    none), so seeing the same bad record again updates this row instead of adding another.
    """

    __tablename__ = "quarantine"
    __table_args__ = (
        UniqueConstraint("account_id", "kind", "record_key", name="uq_quarantine_record"),
        Index("ix_quarantine_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"))
    )
    provider: str = Field(sa_column=Column(String(32), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    record_key: str = Field(sa_column=Column(String(128), nullable=False))
    external_id: str = Field(default="", sa_column=Column(String(128), nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    raw: Any = Field(default=None, sa_column=Column(JSON))
    status: str = Field(default="open", sa_column=Column(String(16), nullable=False))
    attempts: int = 1
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookEvent(SQLModel, table=True):
    """A webhook delivery that passed its signature check; the event id makes it count once."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id", name="uq_webhook_events"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(sa_column=Column(String(32), nullable=False))
    account_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"))
    )
    event_id: str = Field(sa_column=Column(String(128), nullable=False))
    topic: str = Field(default="", sa_column=Column(String(100), nullable=False))
    payload: Any = Field(default=None, sa_column=Column(JSON))
    status: str = Field(default="received", sa_column=Column(String(16), nullable=False))
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
