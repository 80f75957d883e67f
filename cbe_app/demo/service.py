"""Loading the demo business into the canonical tables, idempotently by natural keys.

One step function serves the CLI, the first start and the background job: a step writes the
reference data (with the ad platforms' exports, imported through the hub's file import) or one
chunk of orders and returns the cursor after it, so a job killed halfway resumes where its last
committed chunk ended, and loading twice changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlmodel import Session, SQLModel, col

from cbe_app.core.fx import FxRate, reference_rate
from cbe_app.core.i18n import N_
from cbe_app.core.money import convert_minor
from cbe_app.db import upsert
from cbe_app.demo.adspend import load_ad_spend
from cbe_app.demo.generator import generate
from cbe_app.demo.records import DemoDataset, OrderRec, ProductRec
from cbe_app.demo.stock_history import load_stock_history
from cbe_app.hub.catalog import Carrier, Channel, Product, StockLevel, Supplier, Warehouse
from cbe_app.hub.orders import Customer, OrderLine, SalesOrder, Shipment
from cbe_app.jobs.runner import JobView, Step, StepFn
from cbe_app.reports.inventory import resum_step

LOAD_TASK = "cbe.demo.load"
LOAD_TITLE = N_("Load demo data")
CHUNK = 2_000
# Re-loading refreshes what a channel would report anew; everything else is insert-if-missing
# so that a re-run never resets what users changed since (stock counts, names).
_ORDER_UPDATES = (
    "status",
    "provider_status",
    "payment_status",
    "refunded_minor",
    "refunded_base_minor",
)


@dataclass(frozen=True, slots=True)
class DemoParams:
    """What to generate: size, seed, the last day of the period, and the moment statuses are
    as seen (by default the end of that day)."""

    orders: int
    seed: int
    end: date
    as_of: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DemoParams:
        """Parse job parameters as stored in the job table."""
        as_of = data.get("as_of")
        return cls(
            int(data["orders"]),
            int(data.get("seed", 7)),
            date.fromisoformat(data["end"]),
            datetime.fromisoformat(as_of) if as_of else None,
        )

    def to_json(self) -> dict[str, Any]:
        """Job parameters as stored in the job table."""
        out = {"orders": self.orders, "seed": self.seed, "end": self.end.isoformat()}
        return out | ({"as_of": self.as_of.isoformat()} if self.as_of else {})


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


def _ids(session: Session, model: Any, key: str) -> dict[str, int]:
    return dict(session.execute(select(getattr(model, key), model.id)).all())


def _rows(records: Sequence[Any], **extra: Any) -> list[dict[str, Any]]:
    return [{**{f: getattr(r, f) for f in r.__slots__}, **extra} for r in records]


def _product_row(p: ProductRec, suppliers: Mapping[str, int]) -> dict[str, Any]:
    row = _rows([p])[0]
    row["supplier_id"] = suppliers.get(row.pop("supplier_code"))
    return row | {"list_currency": "USD"}


def load_reference(session: Session, data: DemoDataset, now: datetime) -> None:
    """Channels, warehouses, carriers, suppliers, products, stock and customers."""
    upsert(session, _table(Channel), _rows(data.channels, created_at=now), keys=["code"], update=())
    upsert(session, _table(Warehouse), _rows(data.warehouses), keys=["code"], update=())
    carriers = [r | {"services": list(r["services"])} for r in _rows(data.carriers)]
    upsert(session, _table(Carrier), carriers, keys=["code"], update=())
    upsert(session, _table(Supplier), _rows(data.suppliers), keys=["code"], update=())
    suppliers = _ids(session, Supplier, "code")
    products = [_product_row(p, suppliers) for p in data.products]
    upsert(session, _table(Product), products, keys=["sku"], update=())
    warehouse_ids, product_ids = _ids(session, Warehouse, "code"), _ids(session, Product, "sku")
    stock = [
        {
            "warehouse_id": warehouse_ids[s.warehouse_code],
            "product_id": product_ids[s.sku],
            "on_hand": s.on_hand,
            "reserved": 0,
            "updated_at": now,
        }
        for s in data.stock
    ]
    upsert(session, _table(StockLevel), stock, keys=["warehouse_id", "product_id"], update=())
    customers = [r | {"created_at": now} for r in _rows(data.customers)]
    for row in customers:
        del row["key"]
    for start in range(0, len(customers), CHUNK):
        chunk = customers[start : start + CHUNK]
        upsert(session, _table(Customer), chunk, keys=["email"], update=())


@dataclass
class _Lookups:
    """Natural key -> id maps a chunk of orders needs."""

    channels: dict[str, int]
    warehouses: dict[str, int]
    carriers: dict[str, int]
    products: dict[str, int]
    customers: dict[str, int]  # customer key -> id
    rates: dict[tuple[str, date], FxRate]

    @classmethod
    def read(cls, session: Session, data: DemoDataset, batch: Sequence[OrderRec]) -> _Lookups:
        # Only this chunk's customers: reading all of them for every chunk dominated the load.
        emails = {c.key: c.email for c in data.customers}
        wanted = {emails[o.customer_key] for o in batch if o.customer_key in emails}
        found = session.execute(
            select(col(Customer.email), col(Customer.id)).where(col(Customer.email).in_(wanted))
        )
        by_email: dict[str, int] = dict(found.all())
        customers = {key: by_email[email] for key, email in emails.items() if email in by_email}
        return cls(
            _ids(session, Channel, "code"),
            _ids(session, Warehouse, "code"),
            _ids(session, Carrier, "code"),
            _ids(session, Product, "sku"),
            customers,
            {},
        )

    def rate(self, currency: str, day: date, base: str) -> FxRate:
        if (currency, day) not in self.rates:
            self.rates[(currency, day)] = reference_rate(currency, base, day)
        return self.rates[(currency, day)]


def _order_row(o: OrderRec, ids: _Lookups, base: str, now: datetime) -> dict[str, Any]:
    fx = ids.rate(o.currency, o.placed_at.date(), base)
    return {
        "channel_id": ids.channels[o.channel_code],
        "external_id": o.external_id,
        "status": o.status,
        "provider_status": o.status,
        "payment_status": o.payment_status,
        "placed_at": o.placed_at,
        "currency": o.currency,
        "shipping_minor": o.shipping_minor,
        "total_minor": o.total_minor,
        "refunded_minor": o.refunded_minor,
        "base_currency": fx.target,
        "total_base_minor": convert_minor(o.total_minor, o.currency, fx.target, fx.rate),
        "refunded_base_minor": convert_minor(o.refunded_minor, o.currency, fx.target, fx.rate),
        "fx_rate": fx.rate,
        "fx_date": fx.rate_date,
        "fx_source": fx.provider,
        "country": o.country,
        "customer_id": ids.customers.get(o.customer_key),
        "warehouse_id": ids.warehouses.get(o.warehouse_code),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _children(
    o: OrderRec, order_id: int, ids: _Lookups, now: datetime
) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in enumerate(o.lines, start=1):
        yield (
            "line",
            {
                "order_id": order_id,
                "line_no": number,
                "sku": line.sku,
                "product_id": ids.products.get(line.sku),
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
            },
        )
    if (s := o.shipment) is not None:
        yield (
            "shipment",
            {
                "order_id": order_id,
                "carrier_id": ids.carriers[s.carrier_code],
                "service": s.service,
                "tracking_number": s.tracking_number,
                "status": s.status,
                "shipped_at": s.shipped_at,
                "promised_on": s.promised_on,
                "delivered_at": s.delivered_at,
                "updated_at": now,
            },
        )


def load_orders(
    session: Session, data: DemoDataset, span: tuple[int, int], base: str, now: datetime
) -> int:
    """Write orders `span` = (start, stop) with their lines and shipments; returns how many."""
    batch = list(data.orders(*span))
    ids = _Lookups.read(session, data, batch)
    rows = [_order_row(o, ids, base, now) for o in batch]
    written = upsert(
        session,
        _table(SalesOrder),
        rows,
        keys=["channel_id", "external_id"],
        update=_ORDER_UPDATES,
        returning=("id", "channel_id", "external_id"),
    )
    order_ids = {(r.channel_id, r.external_id): r.id for r in written}
    children: dict[str, list[dict[str, Any]]] = {"line": [], "shipment": []}
    for o in batch:
        order_id = order_ids[(ids.channels[o.channel_code], o.external_id)]
        for kind, row in _children(o, order_id, ids, now):
            children[kind].append(row)
    upsert(session, _table(OrderLine), children["line"], keys=["order_id", "line_no"], update=())
    upsert(
        session,
        _table(Shipment),
        children["shipment"],
        keys=["carrier_id", "tracking_number"],
        update=("status", "delivered_at"),
    )
    return len(batch)


@functools.lru_cache(maxsize=2)
def dataset(params: DemoParams) -> DemoDataset:
    """The generated business for these parameters (kept, since every step needs it)."""
    return generate(end=params.end, orders=params.orders, seed=params.seed, as_of=params.as_of)


def demo_step(base_currency: str) -> StepFn:
    """The job step: reference data first, then one chunk of orders per step."""

    def step(session: Session, job: JobView, now: datetime) -> Step:
        params = DemoParams.from_json(job.params)
        data = dataset(params)
        position = int(job.cursor.get("next", -1))
        if position < 0:
            load_reference(session, data, now)
            load_ad_spend(session, data, base_currency, now)
            load_stock_history(session, data, base_currency, now)
            return Step(
                {"next": 0},
                0,
                data.order_count,
                N_("Reference data loaded"),
                finished=data.order_count == 0,
            )
        if position >= data.order_count:  # every order is in: every day's product sales
            return _sum_sales(session, job, now, base_currency, data.order_count)
        stop = min(position + CHUNK, data.order_count)
        load_orders(session, data, (position, stop), base_currency, now)
        return Step({"next": stop}, stop, data.order_count, N_("Loading orders"))

    return step


def _sum_sales(
    session: Session, job: JobView, now: datetime, base_currency: str, orders: int
) -> Step:
    """A month of days' product sales per step (for inventory turnover), then done."""
    summing = JobView(job.id, {"base_currency": base_currency}, job.cursor.get("sales", {}))
    step = resum_step(session, summing, now)
    return Step(
        {"next": orders, "sales": step.cursor},
        orders,
        orders,
        N_("All orders loaded") if step.finished else N_("Summing sales"),
        finished=step.finished,
        result={"orders": orders} if step.finished else {},
    )


def order_count(session: Session) -> int:
    """How many orders the hub holds (0 means the demo was never loaded)."""
    return int(session.scalar(select(func.count()).select_from(SalesOrder)) or 0)
