"""The definitions table and its version history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from cbe_app.dbtypes import UTCDateTime, utcnow


class StoredDefinition(SQLModel, table=True):
    """The current version of one definition.

    `pack_checksum` is what its pack last delivered; when `checksum` differs, a user changed
    it, and a newer pack leaves the user's version alone.
    """

    __tablename__ = "definitions"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_definitions_kind_key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    key: str = Field(sa_column=Column(String(64), nullable=False))
    version: int = 1
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    checksum: str = Field(sa_column=Column(String(64), nullable=False))
    origin: str = Field(sa_column=Column(String(64), nullable=False))
    pack_checksum: str = Field(default="", sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class DefinitionVersion(SQLModel, table=True):
    """Every version a definition has had, for history and rollback."""

    __tablename__ = "definition_versions"
    __table_args__ = (UniqueConstraint("definition_id", "version", name="uq_definition_versions"),)

    id: int | None = Field(default=None, primary_key=True)
    definition_id: int = Field(
        sa_column=Column(Integer, ForeignKey("definitions.id", ondelete="CASCADE"), nullable=False)
    )
    version: int
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    checksum: str = Field(sa_column=Column(String(64), nullable=False))
    source: str = Field(sa_column=Column(String(64), nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
