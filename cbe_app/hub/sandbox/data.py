"""The demo business as the providers would report it: orders by channel, parcels by carrier,
payments by payment provider, each with the time it last changed.

Built once from the deterministic generator; each provider's sandbox renders these views in
its own wire format. Only what has happened by `now` is visible: a parcel's later scans
appear as time passes, so incremental syncs have something to find.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from cbe_app.demo.generator import generate
from cbe_app.demo.records import CustomerRec, DemoDataset, OrderRec, ProductRec, ShipmentRec

# Orders from own shops are paid through a payment provider; marketplaces collect themselves.
PAID_THROUGH_PSP = frozenset({"shopify", "woocommerce"})
PAYPAL_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class SandboxOrder:
    """An order with its buyer and the time the channel last changed it."""

    index: int
    order: OrderRec
    customer: CustomerRec
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TrackingStep:
    """One scan of a parcel, in the canonical vocabulary (sandboxes use their own codes)."""

    at: datetime
    status: str
    location: str


@dataclass(frozen=True, slots=True)
class SandboxParcel:
    """A parcel with the scans that have happened by now."""

    order: SandboxOrder
    shipment: ShipmentRec
    steps: tuple[TrackingStep, ...]

    @property
    def updated_at(self) -> datetime:
        """When its last visible scan happened."""
        return self.steps[-1].at


@dataclass(frozen=True, slots=True)
class SandboxPayment:
    """The capture (or refund) of an own-shop order at Stripe or PayPal."""

    order: SandboxOrder
    provider: str
    kind: str  # charge | refund
    external_id: str
    amount_minor: int
    created_at: datetime


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _changed_at(order: OrderRec, now: datetime) -> datetime:
    moments = [order.placed_at]
    if order.shipment is not None:
        moments += [
            t for t in (order.shipment.shipped_at, order.shipment.delivered_at) if t and t <= now
        ]
    return max(moments)


# A label is bought this long before the parcel is handed over; the carrier knows it from then.
LABEL_LEAD = timedelta(hours=6)


def carrier_knows(shipment: ShipmentRec, now: datetime) -> bool:
    """Whether the carrier has heard of the parcel by `now` (its label exists)."""
    return shipment.shipped_at - LABEL_LEAD <= now


def tracking_steps(
    order: OrderRec, shipment: ShipmentRec, warehouse_country: str, now: datetime
) -> tuple[TrackingStep, ...]:
    """The scans a parcel gets from label to delivery (or its end state), up to `now`."""
    shipped = shipment.shipped_at
    origin = {"SZX": "Shenzhen, CN", "ONT": "Ontario, CA, US", "LEJ": "Leipzig, DE"}.get(
        order.warehouse_code, ""
    )
    steps = [
        TrackingStep(shipped - LABEL_LEAD, "label_created", origin),
        TrackingStep(shipped, "picked_up", origin),
        TrackingStep(shipped + timedelta(hours=20), "in_transit", origin),
    ]
    end = shipment.delivered_at or shipped + timedelta(days=4)
    if warehouse_country != order.country:
        steps.append(TrackingStep(shipped + (end - shipped) / 2, "customs", order.country))
    final = shipment.status if shipment.status in ("delivered", "exception", "returned") else None
    if final == "delivered" and shipment.delivered_at:
        steps.append(
            TrackingStep(
                shipment.delivered_at - timedelta(hours=5), "out_for_delivery", order.country
            )
        )
        steps.append(TrackingStep(shipment.delivered_at, "delivered", order.country))
    elif final in ("exception", "returned"):
        steps.append(TrackingStep(end, final, order.country))
    return tuple(s for s in steps if s.at <= now)


class SandboxData:
    """Indexes over one generated business (see the module docstring)."""

    def __init__(
        self, dataset: DemoDataset, now: datetime, only_channel: str | None = None
    ) -> None:
        self.dataset = dataset
        self.now = now
        # Benchmarks serve every order through one channel to sync a large volume from it.
        self.only_channel = only_channel
        self.customers = {c.key: c for c in dataset.customers}
        self.products = {p.sku: p for p in dataset.products}
        self.warehouse_country = {w.code: w.country for w in dataset.warehouses}

    @classmethod
    def demo(
        cls,
        *,
        orders: int,
        seed: int,
        now: datetime,
        end: date | None = None,
        only_channel: str | None = None,
    ) -> SandboxData:
        """The demo business ending today (or on `end`), with every status as it is at `now`."""
        dataset = generate(end=end or now.date(), orders=orders, seed=seed, as_of=now)
        return cls(dataset, now, only_channel)

    @cached_property
    def _all(self) -> list[SandboxOrder]:
        return [
            SandboxOrder(i, o, self.customers[o.customer_key], _changed_at(o, self.now))
            for i, o in enumerate(self.dataset.orders())
            if o.placed_at <= self.now
        ]

    @cached_property
    def _by_channel(self) -> dict[str, list[SandboxOrder]]:
        channels: dict[str, list[SandboxOrder]] = {}
        for item in self._all:
            channels.setdefault(self.only_channel or item.order.channel_code, []).append(item)
        for items in channels.values():
            items.sort(key=lambda s: (s.updated_at, s.index))
        return channels

    def orders(self, channel: str) -> list[SandboxOrder]:
        """A channel's orders, oldest change first."""
        return self._by_channel.get(channel, [])

    def changed_between(
        self, items: list[SandboxOrder], since: datetime | None, until: datetime | None
    ) -> list[SandboxOrder]:
        """The orders whose last change falls in [since, until)."""
        lo = bisect.bisect_left(items, since, key=_changed) if since else 0
        hi = bisect.bisect_left(items, until, key=_changed) if until else len(items)
        return items[lo:hi]

    @cached_property
    def _parcels(self) -> dict[str, list[SandboxParcel]]:
        carriers: dict[str, list[SandboxParcel]] = {}
        for item in self._all:
            shipment = item.order.shipment
            if shipment is None or not carrier_knows(shipment, self.now):
                continue
            steps = tracking_steps(
                item.order, shipment, self.warehouse_country[item.order.warehouse_code], self.now
            )
            if steps:
                carriers.setdefault(shipment.carrier_code, []).append(
                    SandboxParcel(item, shipment, steps)
                )
        return carriers

    def parcels(self, carrier: str) -> dict[str, SandboxParcel]:
        """A carrier's parcels by tracking number."""
        return {p.shipment.tracking_number: p for p in self._parcels.get(carrier, [])}

    def parcel_list(self, carrier: str) -> list[SandboxParcel]:
        """A carrier's parcels in shipping order (for listing and for benchmarks)."""
        return self._parcels.get(carrier, [])

    @cached_property
    def _payments(self) -> dict[str, list[SandboxPayment]]:
        out: dict[str, list[SandboxPayment]] = {"stripe": [], "paypal": []}
        for item in self._all:
            order = item.order
            if order.channel_code not in PAID_THROUGH_PSP or order.payment_status in (
                "pending",
                "failed",
            ):
                continue
            provider = (
                "paypal" if _digest(order.external_id) % 100 < PAYPAL_SHARE * 100 else "stripe"
            )
            paid_at = order.placed_at + timedelta(seconds=20)
            out[provider].append(
                SandboxPayment(
                    item,
                    provider,
                    "charge",
                    _payment_id(provider, order.external_id, "charge"),
                    order.total_minor,
                    paid_at,
                )
            )
            if order.refunded_minor and item.updated_at <= self.now:
                out[provider].append(
                    SandboxPayment(
                        item,
                        provider,
                        "refund",
                        _payment_id(provider, order.external_id, "refund"),
                        order.refunded_minor,
                        # A refund never precedes its capture (a cancelled order's comes after).
                        max(item.updated_at, paid_at + timedelta(minutes=1)),
                    )
                )
        for items in out.values():
            items.sort(key=lambda p: (p.created_at, p.external_id))
        return out

    def payments(self, provider: str) -> list[SandboxPayment]:
        """A payment provider's charges and refunds, oldest first."""
        return self._payments.get(provider, [])

    def product(self, sku: str) -> ProductRec | None:
        """The product behind a SKU."""
        return self.products.get(sku)


def _payment_id(provider: str, order_id: str, kind: str) -> str:
    digest = hashlib.sha256(f"{provider}:{kind}:{order_id}".encode()).hexdigest().upper()
    if provider == "paypal":  # 17 characters, like PayPal transaction ids
        return digest[:17]
    prefix = "ch_" if kind == "charge" else "re_"
    return prefix + hashlib.sha256(digest.encode()).hexdigest()[:24]


def _changed(item: SandboxOrder) -> datetime:
    return item.updated_at
