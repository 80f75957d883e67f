"""Advertising spend, imported from the ad platforms' exports: what customer acquisition cost.

One row per day, platform, campaign and country, in the currency the platform billed and in
the base currency at the ECB rate of that day. Re-importing an export replaces its rows
(the natural key) instead of adding them again.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from cbe_app.dbtypes import DecimalText, UTCDateTime, utcnow


class AdSpend(SQLModel, table=True):
    """What one campaign cost on one day in one country (country "" when the export has none)."""

    __tablename__ = "ad_spend"
    __table_args__ = (
        UniqueConstraint("day", "platform", "campaign", "country", name="uq_ad_spend_key"),
        Index("ix_ad_spend_day", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("accounts.id", ondelete="SET NULL"))
    )
    day: date = Field(sa_column=Column(Date, nullable=False))
    platform: str = Field(sa_column=Column(String(40), nullable=False))
    campaign: str = Field(default="", sa_column=Column(String(200), nullable=False))
    country: str = Field(default="", sa_column=Column(String(2), nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    spend_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    base_currency: str = Field(sa_column=Column(String(3), nullable=False))
    spend_base_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    fx_rate: Decimal = Field(sa_type=DecimalText, nullable=False)
    fx_date: date = Field(sa_type=Date, nullable=False)
    fx_source: str = Field(default="ECB", sa_column=Column(String(16), nullable=False))
    impressions: int | None = Field(default=None, sa_column=Column(BigInteger))
    clicks: int | None = Field(default=None, sa_column=Column(BigInteger))
    content_hash: str = Field(default="", sa_column=Column(String(32), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
