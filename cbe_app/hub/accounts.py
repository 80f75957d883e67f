"""Connector accounts: one per provider login (a marketplace seller account, a shop, a carrier
or payment account) or file source (spreadsheets, ad platforms' exports), with where to reach
it, its secrets and its incremental cursor."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text
from sqlmodel import Field, SQLModel

from cbe_app.dbtypes import UTCDateTime, utcnow


class AccountKind(StrEnum):
    """What an account brings into the hub."""

    SALES = "sales"
    CARRIER = "carrier"
    PAYMENT = "payment"
    MARKETING = "marketing"  # advertising spend; neither a channel nor a carrier


_account_version = Column("version", Integer, nullable=False)


class Account(SQLModel, table=True):
    """A connection to one provider account.

    `credentials` holds the secrets encrypted (see `hub/secrets.py`); `cursor` is where the
    next incremental sync starts (a time, a token), committed with each synced page.
    """

    __tablename__ = "accounts"
    __mapper_args__ = {"version_id_col": _account_version}

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    provider: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    base_url: str = Field(sa_column=Column(String(300), nullable=False))
    credentials: str = Field(default="", sa_column=Column(Text, nullable=False))
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    cursor: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    channel_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("channels.id", ondelete="SET NULL"))
    )
    carrier_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("carriers.id", ondelete="SET NULL"))
    )
    enabled: bool = True
    sync_every_minutes: int = 15
    last_synced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, sa_column=_account_version)
