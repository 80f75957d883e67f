"""A seeded little business for report tests, and the same figures worked out in plain Python.

The rows go into the real tables with Core inserts; the tests compare what the report engine
computes in SQL with what `Oracle` computes from the very same records, one by one.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from cbe_app.reports.catalog import CARRIERS, CHANNELS, CUSTOMERS, ORDERS, SHIPMENTS

START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 700
STATUSES = ["pending", "awaiting_fulfillment", "shipped", "delivered", "cancelled", "returned"]
COUNTRIES = ["US", "CA", "DE", "FR", "GB", "JP", "AU", "BR", "AQ"]  # AQ is in no region
REGION = {
    "US": "North America",
    "CA": "North America",
    "DE": "European Union",
    "FR": "European Union",
    "GB": "United Kingdom",
    "JP": "Asia Pacific",
    "AU": "Asia Pacific",
    "BR": "Latin America",
    "AQ": "Other",
}
CHANNEL_NAMES = {1: "Amazon US", 2: "Shopify store", 3: "eBay"}
CARRIER_NAMES = {1: "FedEx", 2: "DHL Express"}


@dataclass
class Order:
    id: int
    channel: str
    status: str
    placed_at: datetime
    country: str
    total: int  # minor units, base currency
    refunded: int
    customer_id: int | None

    @property
    def net(self) -> int:
        return 0 if self.status == "cancelled" else self.total - self.refunded


@dataclass
class Parcel:
    id: int
    order_id: int
    shipped_at: datetime
    carrier: str
    country: str  # the order's
    delivered_at: datetime | None
    promised_on: date | None

    @property
    def on_time(self) -> bool:
        return bool(
            self.delivered_at and self.promised_on and self.delivered_at.date() <= self.promised_on
        )


@dataclass
class Business:
    orders: list[Order] = field(default_factory=list)
    parcels: list[Parcel] = field(default_factory=list)
    customer_country: dict[int, str] = field(default_factory=dict)


def build(seed: int = 5, orders: int = 900) -> Business:
    """The records, before they are written."""
    rng = random.Random(seed)
    business = Business()
    for customer_id in range(1, 121):
        business.customer_country[customer_id] = rng.choice(COUNTRIES)
    for order_id in range(1, orders + 1):
        # Some orders at exact midnights: the edges of days and months must fall on one side.
        at = START + timedelta(days=rng.randrange(DAYS))
        if rng.random() > 0.1:
            at += timedelta(seconds=rng.randrange(86_400))
        status = rng.choice(STATUSES)
        total = rng.randrange(500, 40_000)
        refunded = rng.choice([0, 0, 0, total // 4, total]) if status != "pending" else 0
        buyer = rng.randrange(1, 121) if rng.random() > 0.05 else None
        business.orders.append(
            Order(
                order_id,
                CHANNEL_NAMES[rng.randrange(1, 4)],
                status,
                at,
                rng.choice(COUNTRIES),
                total,
                refunded,
                buyer,
            )
        )
    for order in business.orders:
        if order.status in ("shipped", "delivered", "returned"):
            business.parcels.append(_parcel(rng, order, len(business.parcels) + 1))
    return business


def _parcel(rng: random.Random, order: Order, parcel_id: int) -> Parcel:
    shipped = order.placed_at + timedelta(days=1)
    promised = (shipped + timedelta(days=5)).date() if rng.random() > 0.1 else None
    delivered = shipped + timedelta(days=rng.randrange(2, 9), hours=rng.randrange(24))
    if order.status == "shipped":
        delivered = None
    carrier = CARRIER_NAMES[rng.randrange(1, 3)]
    return Parcel(parcel_id, order.id, shipped, carrier, order.country, delivered, promised)


def write(session: Session, business: Business, now: datetime, *, reference: bool = True) -> None:
    """Insert the business into the hub's tables (`reference`: channels, carriers, customers)."""
    connection = session.connection()
    channel_ids = {name: n for n, name in CHANNEL_NAMES.items()}
    if reference:
        _write_reference(connection, business, now)
    if business.orders:
        connection.execute(
            insert(ORDERS), [_order_row(o, channel_ids, now) for o in business.orders]
        )
    if business.parcels:
        connection.execute(insert(SHIPMENTS), [_parcel_row(p, now) for p in business.parcels])
    # PostgreSQL's sequences must move past the ids given by hand.
    if connection.dialect.name == "postgresql":
        for table in ("channels", "carriers", "customers", "orders", "shipments"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            connection.exec_driver_sql(
                f"SELECT setval({sequence}, GREATEST(1, (SELECT MAX(id) FROM {table})))"
            )


def _parcel_row(p: Parcel, now: datetime) -> dict[str, Any]:
    return {
        "id": p.id,
        "order_id": p.order_id,
        "carrier_id": {name: n for n, name in CARRIER_NAMES.items()}[p.carrier],
        "service": "",
        "tracking_number": f"T{p.id:06d}",
        "status": "delivered" if p.delivered_at else "in_transit",
        "provider_status": "",
        "order_ref": "",
        "shipped_at": p.shipped_at,
        "promised_on": p.promised_on,
        "delivered_at": p.delivered_at,
        "updated_at": now,
    }


def _write_reference(connection: Any, business: Business, now: datetime) -> None:
    connection.execute(
        insert(CHANNELS),
        [
            {"id": n, "code": f"c{n}", "name": name, "provider": "shopify", "created_at": now}
            for n, name in CHANNEL_NAMES.items()
        ],
    )
    connection.execute(
        insert(CARRIERS),
        [
            {"id": n, "code": f"k{n}", "name": name, "provider": "fedex", "services": []}
            for n, name in CARRIER_NAMES.items()
        ],
    )
    connection.execute(
        insert(CUSTOMERS),
        [
            {
                "id": n,
                "email": f"c{n}@example.com",
                "name": "",
                "phone": "",
                "country": c,
                "created_at": now,
            }
            for n, c in business.customer_country.items()
        ],
    )


def _shipped(orders: Iterable[Order]) -> list[Order]:
    return [o for o in orders if o.status in ("shipped", "delivered", "returned")]


def _order_row(o: Order, channel_ids: dict[str, int], now: datetime) -> dict[str, Any]:
    return {
        "id": o.id,
        "channel_id": channel_ids[o.channel],
        "external_id": f"O-{o.id}",
        "status": o.status,
        "provider_status": o.status.upper(),
        "payment_status": "paid",
        "placed_at": o.placed_at,
        "currency": "USD",
        "shipping_minor": 0,
        "total_minor": o.total,
        "refunded_minor": o.refunded,
        "base_currency": "USD",
        "total_base_minor": o.total,
        "refunded_base_minor": o.refunded,
        "fx_rate": Decimal(1),
        "fx_date": o.placed_at.date(),
        "fx_source": "ECB",
        "country": o.country,
        "customer_id": o.customer_id,
        "content_hash": "",
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _money(minor: int) -> str:
    return str((Decimal(minor) / 100).quantize(Decimal("0.01")))


def _share(part: int, whole: int) -> str | None:
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))) if whole else None


@dataclass
class Oracle:
    """The KPIs of docs/kpis.md, computed record by record."""

    business: Business

    def orders_in(self, first: date | None, last: date | None) -> list[Order]:
        return [o for o in self.business.orders if _within(o.placed_at.date(), first, last)]

    def kpi(
        self, name: str, by: str | None, first: date | None = None, last: date | None = None
    ) -> dict[Any, str | None]:
        """{group: value} (group None without `by`)."""
        if name in ("ltv", "repeat_purchase_rate"):
            return self._customers(name, by, first, last)
        if name == "on_time_delivery_rate":
            return self._on_time(by, first, last)
        groups = _group(self.orders_in(first, last), lambda o: _order_key(o, by))
        figure: Callable[[list[Order]], str | None] = {
            "gmv": lambda os: _money(sum(o.total for o in os)),
            "gmv_net": lambda os: _money(sum(o.net for o in os)),
            "orders": lambda os: str(len(os)),
            "aov": _aov,
            "refund_rate": lambda os: _share(
                sum(o.refunded for o in os if o.status != "cancelled"),
                sum(o.total for o in os if o.status != "cancelled"),
            ),
        }[name]
        return {key: figure(rows) for key, rows in groups.items()}

    def _on_time(
        self, by: str | None, first: date | None, last: date | None
    ) -> dict[Any, str | None]:
        parcels = [
            p
            for p in self.business.parcels
            if p.delivered_at and _within(p.delivered_at.date(), first, last)
        ]
        key = {
            None: lambda p: None,
            "carrier": lambda p: p.carrier,
            "destination_country": lambda p: p.country,
            "destination_region": lambda p: REGION[p.country],
            "month": lambda p: p.delivered_at.strftime("%Y-%m"),
        }[by]
        groups = _group(parcels, key)
        return {
            k: _share(sum(p.on_time for p in ps), sum(1 for p in ps if p.promised_on))
            for k, ps in groups.items()
        }

    def _customers(
        self, name: str, by: str | None, first: date | None, last: date | None
    ) -> dict[Any, str | None]:
        history: dict[int, list[Order]] = defaultdict(list)
        for o in self.business.orders:
            if o.customer_id is not None:
                history[o.customer_id].append(o)
        cohort = {c: min(o.placed_at for o in os) for c, os in history.items()}
        chosen = [c for c in history if _within(cohort[c].date(), first, last)]
        key = {
            None: lambda c: None,
            "country": lambda c: self.business.customer_country[c],
            "region": lambda c: REGION[self.business.customer_country[c]],
            "month": lambda c: cohort[c].strftime("%Y-%m"),
        }[by]
        result: dict[Any, str | None] = {}
        for k, customers in _group(chosen, key).items():
            if name == "ltv":
                revenue = sum(o.net for c in customers for o in history[c])
                result[k] = str((Decimal(revenue) / len(customers) / 100).quantize(Decimal("0.01")))
            else:
                result[k] = _share(sum(len(history[c]) >= 2 for c in customers), len(customers))
        return result


def _aov(orders: list[Order]) -> str | None:
    kept = [o for o in orders if o.status != "cancelled"]
    if not kept:
        return None
    return str((Decimal(sum(o.net for o in kept)) / len(kept) / 100).quantize(Decimal("0.01")))


def _order_key(o: Order, by: str | None) -> Any:
    return {
        None: None,
        "country": o.country,
        "region": REGION[o.country],
        "channel": o.channel,
        "status": o.status,
        "month": o.placed_at.strftime("%Y-%m"),
    }[by]


def _within(day: date, first: date | None, last: date | None) -> bool:
    return (first is None or day >= first) and (last is None or day <= last)


def _group(items: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return dict(groups)
