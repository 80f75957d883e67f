"""Canonical customers, orders, order lines and shipments.

Money is integer minor units: the original amount in the order's currency, and the same
amount in the company's base currency at the reference rate of the order date, with that
rate, its date and its source kept beside it.
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


class Customer(SQLModel, table=True):
    """A buyer, one record across channels: matched on the normalised e-mail, then the phone,
    then the channel's own buyer id (see `CustomerIdentity`)."""

    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_phone", "phone"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, sa_column=Column(String(254), unique=True))
    name: str = Field(default="", sa_column=Column(String(200), nullable=False))
    phone: str = Field(default="", sa_column=Column(String(20), nullable=False))
    country: str = Field(default="", sa_column=Column(String(2), nullable=False, index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CustomerTag(SQLModel, table=True):
    """A label on a customer (`US-high-value-repeat`): given by a person, or later by a rule.

    Reports group and filter by it; a customer with two tags counts under each.
    """

    __tablename__ = "customer_tags"
    __table_args__ = (Index("ix_customer_tags_tag", "tag"),)

    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    )
    tag: str = Field(sa_column=Column(String(60), primary_key=True))
    source: str = Field(default="manual", sa_column=Column(String(16), nullable=False))
    created_by: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CustomerIdentity(SQLModel, table=True):
    """How one channel knows a customer (its buyer id), so repeat buyers without e-mail match."""

    __tablename__ = "customer_identities"
    __table_args__ = (
        UniqueConstraint("provider", "account_id", "external_ref", name="uq_identities"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    provider: str = Field(sa_column=Column(String(32), nullable=False))
    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    )
    external_ref: str = Field(sa_column=Column(String(128), nullable=False))


_order_version = Column("version", Integer, nullable=False)


class SalesOrder(SQLModel, table=True):
    """An order from any channel, in the one status vocabulary."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("channel_id", "external_id", name="uq_orders_channel_external"),
        Index("ix_orders_placed_at", "placed_at"),
        Index("ix_orders_status", "status"),
        Index("ix_orders_country", "country"),
        Index("ix_orders_customer", "customer_id"),
    )
    __mapper_args__ = {"version_id_col": _order_version}

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(sa_column=Column(Integer, ForeignKey("channels.id"), nullable=False))
    external_id: str = Field(sa_column=Column(String(64), nullable=False))
    status: str = Field(sa_column=Column(String(24), nullable=False))
    provider_status: str = Field(
        default="", sa_column=Column(String(64), nullable=False, server_default="")
    )
    payment_status: str = Field(sa_column=Column(String(24), nullable=False))
    placed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    shipping_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    total_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    refunded_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    base_currency: str = Field(sa_column=Column(String(3), nullable=False))
    total_base_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    refunded_base_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    fx_rate: Decimal = Field(sa_type=DecimalText, nullable=False)
    fx_date: date = Field(sa_type=Date, nullable=False)
    fx_source: str = Field(default="ECB", sa_column=Column(String(16), nullable=False))
    country: str = Field(sa_column=Column(String(2), nullable=False))
    customer_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("customers.id", ondelete="SET NULL"))
    )
    warehouse_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("warehouses.id", ondelete="SET NULL"))
    )
    # The provider's own last-modified time: an older copy never overwrites a newer one.
    source_updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Fingerprint of the canonical content, so a re-sync can tell "unchanged" from "updated".
    content_hash: str = Field(
        default="", sa_column=Column(String(32), nullable=False, server_default="")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, sa_column=_order_version)


class OrderLine(SQLModel, table=True):
    """One line of an order; the price is in the order's currency."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no", name="uq_order_lines_order_line"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        sa_column=Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    )
    line_no: int
    sku: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    product_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("products.id", ondelete="SET NULL"))
    )
    quantity: int
    unit_price_minor: int = Field(sa_column=Column(BigInteger, nullable=False))


class Shipment(SQLModel, table=True):
    """A parcel carrying (part of) an order, in the one shipment status vocabulary."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("carrier_id", "tracking_number", name="uq_shipments_carrier_tracking"),
        Index("ix_shipments_order", "order_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Unknown until the carrier's parcel is matched to an order (by the order's tracking number).
    order_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("orders.id", ondelete="SET NULL"))
    )
    carrier_id: int = Field(sa_column=Column(Integer, ForeignKey("carriers.id"), nullable=False))
    service: str = Field(default="", sa_column=Column(String(64), nullable=False))
    tracking_number: str = Field(sa_column=Column(String(64), nullable=False))
    status: str = Field(sa_column=Column(String(24), nullable=False))
    provider_status: str = Field(
        default="", sa_column=Column(String(64), nullable=False, server_default="")
    )
    order_ref: str = Field(
        default="", sa_column=Column(String(64), nullable=False, server_default="")
    )
    source_updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    shipped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    promised_on: date | None = Field(default=None, sa_type=Date)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class TrackingEvent(SQLModel, table=True):
    """One scan or status change of a parcel, as the carrier reported it."""

    __tablename__ = "tracking_events"
    __table_args__ = (
        UniqueConstraint("shipment_id", "at", "provider_status", name="uq_tracking_events"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False)
    )
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(sa_column=Column(String(24), nullable=False))
    provider_status: str = Field(
        default="", sa_column=Column(String(64), nullable=False, server_default="")
    )
    description: str = Field(default="", sa_column=Column(String(300), nullable=False))
    location: str = Field(default="", sa_column=Column(String(200), nullable=False))


class OrderTracking(SQLModel, table=True):
    """A tracking number a channel reported on an order; carrier parcels are matched by it."""

    __tablename__ = "order_tracking"
    __table_args__ = (Index("ix_order_tracking_number", "tracking_number"),)

    order_id: int = Field(
        sa_column=Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    )
    tracking_number: str = Field(sa_column=Column(String(64), primary_key=True))
    # The carrier's provider name when known ("fedex"); its sync asks the carrier about it.
    carrier: str = Field(
        default="", sa_column=Column(String(32), nullable=False, server_default="")
    )


class OrderEvent(SQLModel, table=True):
    """Something that happened to an order, for its 360° timeline (placed, status changes)."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order", "order_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        sa_column=Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    )
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    kind: str = Field(sa_column=Column(String(24), nullable=False))
    status: str = Field(default="", sa_column=Column(String(24), nullable=False))
    source: str = Field(default="", sa_column=Column(String(32), nullable=False))
    detail: str = Field(default="", sa_column=Column(String(300), nullable=False))
