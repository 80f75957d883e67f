"""Stock over time: what each warehouse held at the end of each day, and what it was worth.

Stock levels say what is there now; reports need what was there then (inventory turnover
divides the cost of goods sold by the average inventory value over a period). A day is
recorded from the stock levels by `hub.stock_history` (hourly, so the last record of a day
is its end), or loaded from an ERP's history; recording a day again replaces it.
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
