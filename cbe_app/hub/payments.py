"""Canonical payments and refunds, and the exchange rates the hub used."""

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


class Payment(SQLModel, table=True):
    """A charge, capture or refund from a payment provider, in its currency and the base one."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id", name="uq_payments_account_external"),
        Index("ix_payments_order", "order_id"),
        Index("ix_payments_order_ref", "order_ref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("accounts.id"), nullable=False))
    provider: str = Field(sa_column=Column(String(32), nullable=False))
    external_id: str = Field(sa_column=Column(String(128), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    status: str = Field(sa_column=Column(String(24), nullable=False))
    provider_status: str = Field(
        default="", sa_column=Column(String(64), nullable=False, server_default="")
    )
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    refunded_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    base_currency: str = Field(sa_column=Column(String(3), nullable=False))
    amount_base_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    fx_rate: Decimal = Field(sa_type=DecimalText, nullable=False)
    fx_date: date = Field(sa_type=Date, nullable=False)
    order_ref: str = Field(
        default="", sa_column=Column(String(128), nullable=False, server_default="")
    )
    order_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("orders.id", ondelete="SET NULL"))
    )
    customer_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("customers.id", ondelete="SET NULL"))
    )
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    source_updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    content_hash: str = Field(
        default="", sa_column=Column(String(32), nullable=False, server_default="")
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ExchangeRate(SQLModel, table=True):
    """A reference rate the hub applied: from `currency` to `base` for a day, and its source."""

    __tablename__ = "exchange_rates"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    currency: str = Field(sa_column=Column(String(3), primary_key=True))
    base: str = Field(sa_column=Column(String(3), primary_key=True))
    rate: Decimal = Field(sa_type=DecimalText, nullable=False)
    rate_date: date = Field(sa_type=Date, nullable=False)
    source: str = Field(sa_column=Column(String(16), nullable=False))
