"""Deterministic generator of the demo business: reference records up front, orders by index.

Reference records come from one random stream seeded by `seed`; order i comes from its own stream
seeded by (seed, i), so any index range can be rebuilt alone and is identical in every process.
Orders are laid out by index along a cumulative daily-volume curve (see `timeline`), which keeps
them sorted by `placed_at` without generating the orders before them.

The parts live beside this module: `catalogue` and `customers` build the reference records,
`timeline` places orders in time, `fulfilment` ships and settles them and `identifiers` numbers
them. This module assembles orders; the order in which it draws from each stream is part of
the output, so reordering the calls below changes the data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from cbe_app.demo import reference as ref
from cbe_app.demo.catalogue import UNITS_PER_ORDER, demand_weights, list_products, stock_levels
from cbe_app.demo.customers import channel_market, customer_pool
from cbe_app.demo.fulfilment import OrderDraft, fulfil, ship_from
from cbe_app.demo.identifiers import external_id
from cbe_app.demo.pricing import charm_price, shipping_fee
from cbe_app.demo.records import (
    CarrierRec,
    ChannelRec,
    CustomerRec,
    OrderLineRec,
    OrderRec,
    ProductRec,
    StockRec,
    SupplierRec,
    WarehouseRec,
)
from cbe_app.demo.reference_catalogue import CATEGORIES, CATEGORY_AFFINITY
from cbe_app.demo.sampling import pick
from cbe_app.demo.timeline import OrderTimeline, order_timeline

_ORDER_STREAM = 1 << 40  # order i of seed s draws from stream s * _ORDER_STREAM + i
_REPEAT_SKEW = 1.25  # above 1 concentrates orders on a customer's early numbers: repeat buyers
_LINE_COUNT_CUM = tuple(accumulate((74, 19, 5, 2)))
_QUANTITY_CUM = tuple(accumulate((83, 12, 5)))
_CHANNEL_CODES = tuple(ref.CHANNEL_SHARES)


@dataclass(frozen=True, slots=True)
class _Plan:
    """Tables built once per dataset so each order is a handful of bisects."""

    seed: int
    as_of: datetime  # statuses are as seen then (by default midnight UTC after `end`)
    timeline: OrderTimeline
    channel_cum: tuple[float, ...]
    markets: dict[str, tuple[tuple[str, ...], tuple[float, ...]]]
    buyers: dict[str, tuple[str, ...]]  # customer keys by country
    skus: tuple[str, ...]
    categories: tuple[str, ...]  # category code by product index
    product_cum: tuple[float, ...]
    category_picks: dict[str, tuple[tuple[int, ...], tuple[float, ...]]]
    prices: dict[str, tuple[int, ...]]  # local price by currency, then product index


# Not frozen: DemoDataset declares plain attributes, which type checkers treat as settable.
@dataclass(slots=True)
class GeneratedDemo:
    """A generated business; see `DemoDataset`. Orders are built on demand from their index."""

    seed: int
    end: date
    order_count: int
    channels: tuple[ChannelRec, ...]
    warehouses: tuple[WarehouseRec, ...]
    carriers: tuple[CarrierRec, ...]
    suppliers: tuple[SupplierRec, ...]
    products: tuple[ProductRec, ...]
    customers: tuple[CustomerRec, ...]
    stock: tuple[StockRec, ...]
    _plan: _Plan = field(repr=False, compare=False)

    def orders(self, start: int = 0, stop: int | None = None) -> Iterator[OrderRec]:
        """Orders `start`..`stop` (exclusive, clipped to `order_count`) in order of `placed_at`.

        Args:
            start: Index of the first order.
            stop: Index after the last order; None for all remaining.

        Returns:
            A lazy iterator: each order is built from its index when reached.

        Raises:
            ValueError: If `start` or `stop` is negative.
        """
        if start < 0 or (stop is not None and stop < 0):
            raise ValueError("order indexes are non-negative")
        stop = self.order_count if stop is None else min(stop, self.order_count)
        plan = self._plan
        return (_order(plan, index) for index in range(start, stop))

    def expected_orders(self) -> dict[date, float]:
        """Orders expected on each day of the period (the volume curve the orders follow)."""
        timeline = self._plan.timeline
        cum, first = timeline.day_cum, timeline.first_day.date()
        per_unit = self.order_count / cum[-1] if cum else 0.0
        return {
            first + timedelta(days=n): (weight - (cum[n - 1] if n else 0.0)) * per_unit
            for n, weight in enumerate(cum)
        }

    def popularity(self) -> tuple[float, ...]:
        """Each product's share of the units sold, in the order of `products`."""
        cum = self._plan.product_cum
        total = cum[-1] if cum else 1.0
        return tuple((c - (cum[n - 1] if n else 0.0)) / total for n, c in enumerate(cum))


def generate(
    *,
    end: date,
    orders: int = 50_000,
    seed: int = 7,
    months: int = 18,
    as_of: datetime | None = None,
) -> GeneratedDemo:
    """Generate the demo business; the same arguments always give the same data.

    Args:
        end: Last day of the period (inclusive).
        orders: Number of orders over the period.
        seed: Seed of every random choice.
        months: Length of the period in months.
        as_of: The moment statuses are as seen: by default the end of `end`; the provider
            sandboxes pass the present, so that nothing they serve has happened in the future.

    Returns:
        The dataset, with orders built lazily by `GeneratedDemo.orders`.

    Raises:
        ValueError: If `orders` is negative or `months` is below 1.
    """
    if orders < 0 or months < 1:
        raise ValueError("orders must be >= 0 and months >= 1")
    rng = random.Random(f"cbe-demo-reference/{seed}")  # noqa: S311 - demo data, not secrecy
    products = list_products(rng)
    popularity = demand_weights(rng, products)
    buyers = customer_pool(rng, max(50, round(0.45 * orders)))
    return GeneratedDemo(
        seed=seed,
        end=end,
        order_count=orders,
        channels=ref.CHANNELS,
        warehouses=ref.WAREHOUSES,
        carriers=ref.CARRIERS,
        suppliers=ref.SUPPLIERS,
        products=products,
        customers=buyers,
        stock=stock_levels(rng, products, popularity, _daily_units(orders, end, months)),
        _plan=_plan(
            seed=seed,
            timeline=order_timeline(end=end, months=months, count=orders),
            as_of=as_of or datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1),
            products=products,
            popularity=popularity,
            customers=buyers,
        ),
    )


def _daily_units(orders: int, end: date, months: int) -> float:
    """Units sold on an average day of the period."""
    timeline = order_timeline(end=end, months=months, count=orders)
    return orders * UNITS_PER_ORDER / max(len(timeline.day_cum), 1)


def _plan(
    *,
    seed: int,
    timeline: OrderTimeline,
    as_of: datetime,
    products: Sequence[ProductRec],
    popularity: Sequence[float],
    customers: Sequence[CustomerRec],
) -> _Plan:
    """The per-dataset tables `_order` looks up, from the reference records."""
    buyers: dict[str, list[str]] = {}
    for customer in customers:
        buyers.setdefault(customer.country, []).append(customer.key)
    categories = tuple(p.sku[4:6] for p in products)
    picks = {}
    for code in CATEGORIES:
        members = tuple(i for i, c in enumerate(categories) if c == code)
        picks[code] = members, tuple(accumulate(popularity[i] for i in members))
    return _Plan(
        seed=seed,
        as_of=as_of,
        timeline=timeline,
        channel_cum=tuple(accumulate(ref.CHANNEL_SHARES.values())),
        markets={channel: channel_market(channel) for channel in _CHANNEL_CODES},
        buyers={country: tuple(keys) for country, keys in buyers.items()},
        skus=tuple(p.sku for p in products),
        categories=categories,
        product_cum=tuple(accumulate(popularity)),
        category_picks=picks,
        prices={
            currency: tuple(charm_price(p.list_price_minor, currency) for p in products)
            for currency in ref.PRICE_FACTORS
        },
    )


def _order(plan: _Plan, index: int) -> OrderRec:
    rng = random.Random(plan.seed * _ORDER_STREAM + index)  # noqa: S311 - demo data
    placed_at = plan.timeline.placed_at(index)
    channel = _CHANNEL_CODES[pick(rng, plan.channel_cum)]
    countries, cum = plan.markets[channel]
    country = countries[pick(rng, cum)]
    buyers = plan.buyers[country]
    customer = buyers[int(len(buyers) * rng.random() ** _REPEAT_SKEW)]
    currency = ref.COUNTRIES[country].currency
    lines = _lines(rng, plan, currency)
    subtotal = sum(line.quantity * line.unit_price_minor for line in lines)
    shipping = shipping_fee(rng, channel, currency, subtotal)
    warehouse = ship_from(rng, country)
    draft = OrderDraft(index, placed_at, warehouse, country, len(lines), subtotal + shipping)
    status, payment, refunded, shipment = fulfil(rng, draft, as_of=plan.as_of, seed=plan.seed)
    return OrderRec(
        channel_code=channel,
        # drawn last: the id follows fulfilment in the order's random stream
        external_id=external_id(rng, plan.seed, channel, index),
        placed_at=placed_at,
        status=status,
        payment_status=payment,
        currency=currency,
        country=country,
        customer_key=customer,
        warehouse_code=warehouse,
        lines=lines,
        shipping_minor=shipping,
        total_minor=draft.total,
        refunded_minor=refunded,
        shipment=shipment,
    )


def _lines(rng: random.Random, plan: _Plan, currency: str) -> tuple[OrderLineRec, ...]:
    """The basket: a first product by popularity, the rest from its or a neighbour category."""
    wanted = 1 + pick(rng, _LINE_COUNT_CUM)
    chosen = [pick(rng, plan.product_cum)]
    category = plan.categories[chosen[0]]
    for _ in range(4 * wanted):  # bounded: a draw may hit an item already in the basket
        if len(chosen) == wanted:
            break
        nearby = category if rng.random() < 0.6 else CATEGORY_AFFINITY[category]
        members, cum = plan.category_picks[nearby]
        item = members[pick(rng, cum)]
        if item not in chosen:
            chosen.append(item)
    prices = plan.prices[currency]
    return tuple(
        OrderLineRec(plan.skus[i], 1 + pick(rng, _QUANTITY_CUM), prices[i]) for i in chosen
    )
