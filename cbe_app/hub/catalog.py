"""Canonical reference tables: channels, warehouses, carriers, suppliers, products and stock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from cbe_app.dbtypes import UTCDateTime, utcnow


class Channel(SQLModel, table=True):
    """A sales channel the company sells on (a marketplace account or an own shop)."""

    __tablename__ = "channels"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    provider: str = Field(sa_column=Column(String(32), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Warehouse(SQLModel, table=True):
    """A place stock is kept and shipped from."""

    __tablename__ = "warehouses"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    country: str = Field(sa_column=Column(String(2), nullable=False))
    city: str = Field(default="", sa_column=Column(String(120), nullable=False))


class Carrier(SQLModel, table=True):
    """A parcel carrier (the business entity; API accounts for it live with the connectors)."""

    __tablename__ = "carriers"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    provider: str = Field(sa_column=Column(String(32), nullable=False))
    services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Supplier(SQLModel, table=True):
    """A company the seller buys stock from."""

    __tablename__ = "suppliers"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    country: str = Field(sa_column=Column(String(2), nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    lead_time_days: int
    email: str = Field(default="", sa_column=Column(String(254), nullable=False))


class Product(SQLModel, table=True):
    """One SKU, the same across every channel; cost in the supplier's currency (minor units)."""

    __tablename__ = "products"

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(300), nullable=False))
    category: str = Field(default="", sa_column=Column(String(80), nullable=False, index=True))
    hs_code: str = Field(default="", sa_column=Column(String(12), nullable=False))
    origin_country: str = Field(default="", sa_column=Column(String(2), nullable=False))
    weight_g: int = 0
    unit_cost_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    cost_currency: str = Field(sa_column=Column(String(3), nullable=False))
    list_price_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    list_currency: str = Field(default="USD", sa_column=Column(String(3), nullable=False))
    supplier_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("suppliers.id", ondelete="SET NULL"))
    )
    moq: int = 1
    case_pack: int = 1


class StockLevel(SQLModel, table=True):
    """Units of a product in a warehouse: on hand, and reserved for open orders."""

    __tablename__ = "stock_levels"

    warehouse_id: int = Field(
        sa_column=Column(Integer, ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True)
    )
    product_id: int = Field(
        sa_column=Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    )
    on_hand: int = 0
    reserved: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ChannelSku(SQLModel, table=True):
    """A channel's own SKU for one of our products: one SKU across channels."""

    __tablename__ = "channel_skus"
    __table_args__ = (UniqueConstraint("channel_id", "channel_sku", name="uq_channel_skus"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(
        sa_column=Column(Integer, ForeignKey("channels.id", ondelete="CASCADE"), nullable=False)
    )
    channel_sku: str = Field(sa_column=Column(String(64), nullable=False))
    product_id: int = Field(
        sa_column=Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False)
    )
