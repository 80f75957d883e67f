"""Stock over time: what each warehouse held at the end of each day, and what was sold.

Inventory turnover (cost of goods sold over the average inventory value) needs both sides of
the same days. `StockDay` is the warehouse side, worth its units at the product's cost in the
base currency; `ProductSalesDay` is the sales side, the units of each product on orders that
were sold that day and their cost. Both are written by `hub.stock_history`, idempotently by
their keys, so recording a day again replaces it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from cbe_app.dbtypes import UTCDateTime, utcnow


class StockDay(SQLModel, table=True):
    """Units of a product in a warehouse at the end of a day, and their value at cost."""

    __tablename__ = "stock_days"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    warehouse_id: int = Field(
        sa_column=Column(Integer, ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True)
    )
    product_id: int = Field(
        sa_column=Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    )
    on_hand: int = 0
    # on_hand × the product's unit cost, converted at the ECB rate of the day
    value_base_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ProductSalesDay(SQLModel, table=True):
    """Units of a product sold on a day (orders placed that day and kept) and their cost."""

    __tablename__ = "product_sales_days"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    product_id: int = Field(
        sa_column=Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    )
    units: int = 0
    cogs_base_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    revenue_base_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
