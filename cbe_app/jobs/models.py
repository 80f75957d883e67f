"""Tables for jobs and their history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text
from sqlmodel import Field, SQLModel

from cbe_app.dbtypes import UTCDateTime, utcnow


class JobStatus(StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})

_job_version = Column("version", Integer, nullable=False)


class Job(SQLModel, table=True):
    """One piece of background work, with its progress and a cursor to resume from.

    `version` guards against two runners moving the same job at once: the second one's
    write fails instead of silently winning.
    """

    __tablename__ = "jobs"
    __mapper_args__ = {"version_id_col": _job_version}

    id: int | None = Field(default=None, primary_key=True)
    task: str = Field(sa_column=Column(String(100), nullable=False, index=True))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(
        default=JobStatus.QUEUED, sa_column=Column(String(16), nullable=False, index=True)
    )
    progress_done: int = 0
    progress_total: int = 0
    message: str = Field(default="", sa_column=Column(String(300), nullable=False))
    attempts: int = 0
    # Set by the runner holding the job; still set when a runner finds it means its predecessor
    # died mid-run (an interruption, counted as a new attempt).
    lease: str | None = Field(default=None, sa_column=Column(String(32)))
    cursor: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    dedupe_key: str | None = Field(default=None, sa_column=Column(String(120), unique=True))
    created_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_job_version)


class JobEvent(SQLModel, table=True):
    """An entry in a job's history: queued, started, resumed, succeeded, failed."""

    __tablename__ = "job_events"

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
