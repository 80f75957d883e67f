"""Rollup tables: orders and deliveries summed per day and per month, kept by the database.

Dashboards read these instead of scanning orders: a year of tiles is a few thousand rows
whatever the order count. Triggers (see `reports.rollups`) record every insert, update and
delete in a log, whichever code path writes; compaction folds the log into the sums. Readers
add what is still in the log, so a change counts from its commit on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from cbe_app.dbtypes import UTCDateTime, utcnow

metadata: MetaData = SQLModel.metadata

ORDER_MEASURES = (
    "orders",  # every order
    "orders_kept",  # orders not cancelled
    "gross_minor",  # Σ total in the base currency
    "sales_kept_minor",  # Σ total of orders not cancelled
    "refunded_minor",  # Σ refunded
    "refunded_kept_minor",  # Σ refunded on orders not cancelled
    "net_minor",  # Σ net: 0 when cancelled, else total − refunded
)
SHIPMENT_MEASURES = (
    "delivered",  # parcels delivered
    "with_promise",  # … that had a promised day
    "on_time",  # … delivered on or before it
)


def _summed(name: str, period: Column[object], key: str, measures: tuple[str, ...]) -> Table:
    return Table(
        name,
        metadata,
        period,
        Column(key, Integer, primary_key=True),
        Column("country", String(2), primary_key=True),
        *(Column(m, BigInteger, nullable=False, server_default="0") for m in measures),
    )


def _log(name: str, key: str, measures: tuple[str, ...]) -> Table:
    # Written by triggers, one plain INSERT per change (no key to look up, no lock to wait
    # for), and folded into the day and month tables by `rollups.compact`.
    return Table(
        name,
        metadata,
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("day", Date, nullable=False),
        Column(key, Integer, nullable=False),
        Column("country", String(2), nullable=False),
        *(Column(m, BigInteger, nullable=False) for m in measures),
    )


def _day() -> Column[object]:
    return Column("day", Date, primary_key=True)


def _month() -> Column[object]:
    return Column("month", String(7), primary_key=True)


ORDERS_DAY = _summed("rollup_orders_day", _day(), "channel_id", ORDER_MEASURES)
ORDERS_MONTH = _summed("rollup_orders_month", _month(), "channel_id", ORDER_MEASURES)
ORDERS_LOG = _log("rollup_orders_log", "channel_id", ORDER_MEASURES)
SHIPMENTS_DAY = _summed("rollup_shipments_day", _day(), "carrier_id", SHIPMENT_MEASURES)
SHIPMENTS_MONTH = _summed("rollup_shipments_month", _month(), "carrier_id", SHIPMENT_MEASURES)
SHIPMENTS_LOG = _log("rollup_shipments_log", "carrier_id", SHIPMENT_MEASURES)

# Customers: each buyer's history (folded from a log the order triggers write), and cohorts
# (customers by the day of their first order and their country) summed from it.
CUSTOMERS_LOG = Table(
    "rollup_customers_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("day", Date, nullable=False),
    Column("customer_id", Integer, nullable=False),
    Column("orders", BigInteger, nullable=False),
    Column("net_minor", BigInteger, nullable=False),
)
CUSTOMER_FACTS = Table(
    "rollup_customer_facts",
    metadata,
    Column("customer_id", Integer, primary_key=True),
    Column("first_day", Date, nullable=True),
    Column("orders", BigInteger, nullable=False, server_default="0"),
    Column("net_minor", BigInteger, nullable=False, server_default="0"),
    Column("country", String(2), nullable=False, server_default=""),  # as counted in cohorts
)
COHORTS = Table(
    "rollup_cohorts",
    metadata,
    Column("day", Date, primary_key=True),  # of the customers' first order
    Column("country", String(2), primary_key=True),
    Column("buyers", BigInteger, nullable=False, server_default="0"),
    Column("repeat_buyers", BigInteger, nullable=False, server_default="0"),
    Column("revenue_minor", BigInteger, nullable=False, server_default="0"),
)


class ReportDelivery(SQLModel, table=True):
    """One scheduled e-mail of a report, due at one moment: queued once, sent at most once.

    The key (report, schedule, due time) is what makes a schedule idempotent: beat may look
    twice, two beats may run, a worker may die; a due moment still yields one row and one job.
    """

    __tablename__ = "report_deliveries"
    __table_args__ = (
        UniqueConstraint("report_key", "schedule_id", "due_at", name="uq_report_deliveries_due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_key: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    schedule_id: str = Field(sa_column=Column(String(40), nullable=False))
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(default="queued", sa_column=Column(String(16), nullable=False))
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    format: str = Field(sa_column=Column(String(8), nullable=False))
    rows: int = 0
    attempts: int = 0
    job_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("jobs.id", ondelete="SET NULL"))
    )
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProductSalesDay(SQLModel, table=True):
    """Units of a product sold on a day, their cost and revenue, in the base currency.

    Sold means on an order placed that day that was not pending, cancelled or returned. Kept
    by `reports.inventory` from the order lines (the sales side of inventory turnover), so that
    no tile has to join millions of order lines to products.
    """

    __tablename__ = "product_sales_days"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    product_id: int = Field(
        sa_column=Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    )
    units: int = 0
    cogs_base_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    revenue_base_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
