"""A seeded cross-border business of any size for bench/dashboard.py, generated with numpy.

Orders over the last two years on ten channels in thirty countries, a quarter as many
customers, a parcel for every order that left the warehouse. The same arrays feed SQLite (as
the text SQLite stores) and DuckDB (typed columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

_COUNTRY_CODES = "US GB DE FR CA AU JP IT ES NL SE PL BE AT CH IE DK NO FI PT MX BR SG KR AE SA IL"
COUNTRIES = np.array((_COUNTRY_CODES + " NZ CN IN").split(" "))
STATUSES = np.array(
    [
        "pending",
        "awaiting_fulfillment",
        "partially_shipped",
        "shipped",
        "delivered",
        "cancelled",
        "returned",
    ]
)
STATUS_WEIGHTS = [0.03, 0.07, 0.02, 0.30, 0.50, 0.05, 0.03]
CHANNELS = [(n, f"ch{n}", f"Channel {n}", "shopify") for n in range(1, 11)]
CARRIERS = [
    (1, "fedex", "FedEx", "fedex", "[]"),
    (2, "dhl", "DHL Express", "dhl", "[]"),
    (3, "4px", "4PX", "4px", "[]"),
]
DAYS = 730


@dataclass
class Generated:
    """The business as typed frames (DuckDB) and as SQLite rows (`tables`)."""

    orders: pd.DataFrame
    shipments: pd.DataFrame
    customers: pd.DataFrame
    now: datetime

    def tables(self) -> dict[str, pd.DataFrame]:
        """Each table as SQLite stores it (times as naive UTC text), in insert order."""
        stamp = self.now.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        channels = pd.DataFrame(CHANNELS, columns=["id", "code", "name", "provider"])
        channels["created_at"] = stamp
        carriers = pd.DataFrame(CARRIERS, columns=["id", "code", "name", "provider", "services"])
        customers = self.customers.assign(
            email=[f"c{n}@example.com" for n in self.customers.id],
            name="",
            phone="",
            created_at=stamp,
        )
        o = self.orders
        orders = pd.DataFrame(
            {
                "id": o.id,
                "channel_id": o.channel_id,
                "external_id": ["B" + str(n) for n in o.id],
                "status": o.status,
                "provider_status": "",
                "payment_status": "paid",
                "placed_at": _text(o.placed_at),
                "currency": "USD",
                "shipping_minor": 0,
                "total_minor": o.total_base_minor,
                "refunded_minor": o.refunded_base_minor,
                "base_currency": "USD",
                "total_base_minor": o.total_base_minor,
                "refunded_base_minor": o.refunded_base_minor,
                "fx_rate": "1",
                "fx_date": o.placed_at.dt.strftime("%Y-%m-%d"),
                "fx_source": "ECB",
                "country": o.country,
                "customer_id": o.customer_id,
                "content_hash": "",
                "created_at": stamp,
                "updated_at": stamp,
                "version": 1,
            }
        )
        s = self.shipments
        shipments = pd.DataFrame(
            {
                "id": s.id,
                "order_id": s.order_id,
                "carrier_id": s.carrier_id,
                "service": "",
                "tracking_number": ["T" + str(n) for n in s.id],
                "status": np.where(s.delivered_at.isna(), "in_transit", "delivered"),
                "provider_status": "",
                "order_ref": "",
                "shipped_at": _text(s.shipped_at),
                "promised_on": s.promised_on.dt.strftime("%Y-%m-%d")
                .astype(object)
                .where(s.promised_on.notna(), None),
                "delivered_at": _text(s.delivered_at),
                "updated_at": stamp,
            }
        )
        return {
            "channels": channels,
            "carriers": carriers,
            "customers": customers[["id", "email", "name", "phone", "country", "created_at"]],
            "orders": orders,
            "shipments": shipments,
        }


def _text(times: pd.Series) -> pd.Series:
    text = times.dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    return text.astype(object).where(times.notna(), None)


def generate(size: int, now: datetime, seed: int = 42) -> Generated:
    """`size` orders ending at `now`."""
    rng = np.random.default_rng(seed)
    customers_n = max(1, size // 4)
    country_weights = 1 / np.arange(1, len(COUNTRIES) + 1)
    country_weights /= country_weights.sum()
    customer_country = rng.choice(COUNTRIES, customers_n, p=country_weights)
    customer_id = rng.integers(1, customers_n + 1, size)
    start = np.datetime64(now.replace(tzinfo=None), "us") - np.timedelta64(DAYS, "D")
    placed = start + rng.integers(0, DAYS * 86_400_000_000, size).astype("timedelta64[us]")
    status = rng.choice(STATUSES, size, p=STATUS_WEIGHTS)
    total = np.maximum(100, rng.lognormal(8.3, 0.7, size).astype(np.int64))
    refund_share = rng.choice([0.0, 0.25, 1.0], size, p=[0.93, 0.04, 0.03])
    refunded = np.where(status == "pending", 0, (total * refund_share).astype(np.int64))
    orders = pd.DataFrame(
        {
            "id": np.arange(1, size + 1),
            "channel_id": rng.integers(1, 11, size),
            "status": status,
            "placed_at": pd.to_datetime(placed),
            "country": customer_country[customer_id - 1],
            "customer_id": customer_id,
            "total_base_minor": total,
            "refunded_base_minor": refunded,
        }
    )
    sent = orders[orders.status.isin(["partially_shipped", "shipped", "delivered", "returned"])]
    n = len(sent)
    shipped = sent.placed_at.to_numpy() + np.timedelta64(1, "D")
    arrived = shipped + rng.integers(2 * 86_400, 10 * 86_400, n).astype("timedelta64[s]")
    arrived = np.where(
        sent.status.isin(["delivered", "returned"]).to_numpy(), arrived, np.datetime64("NaT")
    )
    promised = (shipped + np.timedelta64(6, "D")).astype("datetime64[D]")
    promised = np.where(rng.random(n) < 0.9, promised, np.datetime64("NaT"))
    shipments = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "order_id": sent.id.to_numpy(),
            "carrier_id": rng.integers(1, 4, n),
            "shipped_at": pd.to_datetime(shipped),
            "promised_on": pd.to_datetime(promised),
            "delivered_at": pd.to_datetime(arrived),
            "country": sent.country.to_numpy(),
        }
    )
    customers = pd.DataFrame({"id": np.arange(1, customers_n + 1), "country": customer_country})
    return Generated(orders, shipments, customers, now)
