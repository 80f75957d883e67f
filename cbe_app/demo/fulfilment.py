"""Fulfilment of an order: the warehouse it ships from, its parcel and its status by age.

Everything is decided as at one moment, `as_of`: the older an order is by then, the further
along it has come, from awaiting fulfilment to delivered and perhaps returned.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import accumulate
from typing import NamedTuple

from cbe_app.demo import reference as ref
from cbe_app.demo.identifiers import tracking_number
from cbe_app.demo.records import ShipmentRec
from cbe_app.demo.sampling import pick

_CANCEL_RATE = 0.02
_RETURN_RATE = 0.022  # customer returns; parcels sent back by the carrier add ~0.5 %
_LATE_RATE = 0.10
_EXCEPTION_RATE = 0.01
_WAREHOUSE_COUNTRY = {w.code: w.country for w in ref.WAREHOUSES}
_LANE_CUMS = {lane: tuple(accumulate(w for *_, w in opts)) for lane, opts in ref.LANES.items()}


class OrderDraft(NamedTuple):
    """What fulfilment needs to know about an order being built."""

    number: int  # index of the order in the dataset
    placed_at: datetime
    warehouse: str
    country: str
    line_count: int
    total: int


def ship_from(rng: random.Random, country: str) -> str:
    """The warehouse an order to `country` ships from.

    Args:
        rng: The order's random stream; exactly one value is consumed.
        country: The buyer's country.

    Returns:
        A warehouse code: the buyer's regional warehouse or, for overflow, Shenzhen.
    """
    home = "ONT" if country in ref.NORTH_AMERICA else "LEJ" if country in ref.EUROPE else "SZX"
    # what a local warehouse lacks ships direct from Shenzhen
    return "SZX" if rng.random() < ref.OVERFLOW_SHARE else home


def fulfil(
    rng: random.Random, draft: OrderDraft, *, as_of: datetime, seed: int
) -> tuple[str, str, int, ShipmentRec | None]:
    """Order status, payment status, refunded amount and shipment as at `as_of`.

    Args:
        rng: The order's random stream.
        draft: The order as built so far.
        as_of: The moment statuses are as seen.
        seed: Seed of the dataset, for the tracking number.

    Returns:
        The order status, the payment status, the refunded amount in minor units of the
        order's currency, and the shipment if one has left the warehouse.
    """
    if rng.random() < _CANCEL_RATE:
        payment = rng.choices(("voided", "refunded", "failed"), (55, 35, 10))[0]
        return "cancelled", payment, draft.total if payment == "refunded" else 0, None
    shipped_at = draft.placed_at + timedelta(seconds=round(rng.triangular(2, 72, 16) * 3600))
    if shipped_at >= as_of:
        # fresh orders may still wait for payment capture or a fraud check
        if as_of - draft.placed_at < timedelta(hours=12) and rng.random() < 0.45:
            return "pending", rng.choice(("pending", "authorized")), 0, None
        return "awaiting_fulfillment", "paid", 0, None
    shipment = _shipment(rng, draft, shipped_at, as_of=as_of, seed=seed)
    return (*_settle(rng, as_of, draft, shipment), shipment)


def _settle(
    rng: random.Random, as_of: datetime, draft: OrderDraft, shipment: ShipmentRec
) -> tuple[str, str, int]:
    """Order status, payment status and refund of a shipped order."""
    if shipment.status == "returned":  # undeliverable, back to sender
        return "returned", "refunded", draft.total
    if shipment.delivered_at is None:
        # a split parcel: the rest follows soon, so only parcels still moving are partial
        moving = shipment.status != "exception"
        partial = moving and draft.line_count > 1 and rng.random() < 0.3
        return "partially_shipped" if partial else "shipped", "paid", 0
    returned_at = shipment.delivered_at + timedelta(days=rng.randint(5, 30))
    if rng.random() >= _RETURN_RATE or returned_at > as_of:
        return "delivered", "paid", 0
    if rng.random() < 0.6:
        return "returned", "refunded", draft.total
    return "returned", "partially_refunded", max(1, int(draft.total * rng.uniform(0.2, 0.7)))


def _shipment(
    rng: random.Random, draft: OrderDraft, shipped_at: datetime, *, as_of: datetime, seed: int
) -> ShipmentRec:
    """The parcel of an order shipped at `shipped_at`, tracked as at `as_of`."""
    origin = _WAREHOUSE_COUNTRY[draft.warehouse]
    inland = origin == draft.country or {origin, draft.country} <= ref.EU
    lane = (draft.warehouse, "inland" if inland else "border")
    carrier, service, _ = ref.LANES[lane][pick(rng, _LANE_CUMS[lane])]
    promised = ref.PROMISED_DAYS[service] + ref.REMOTE_EXTRA_DAYS.get(draft.country, 0)
    if rng.random() < _LATE_RATE:
        transit = promised + rng.randint(1, 5)
    else:
        transit = max(1, promised - rng.choice((0, 0, 1, 1, 2)))
    midnight = shipped_at.replace(hour=0, minute=0, second=0)
    arrival = midnight + timedelta(days=transit, seconds=rng.randint(9 * 3600, 20 * 3600))
    status, delivered_at = _tracking_status(as_of, shipped_at, arrival, inland, rng.random())
    return ShipmentRec(
        carrier_code=carrier,
        service=service,
        tracking_number=tracking_number(seed, carrier, service, draft.number),
        status=status,
        shipped_at=shipped_at,
        promised_on=shipped_at.date() + timedelta(days=promised),
        delivered_at=delivered_at,
    )


def _tracking_status(
    as_of: datetime, shipped_at: datetime, arrival: datetime, inland: bool, mishap: float
) -> tuple[str, datetime | None]:
    """Tracking status and delivery time as at `as_of`; `mishap` is a uniform draw."""
    elapsed = as_of - shipped_at
    progress = elapsed / (arrival - shipped_at)
    if mishap < _EXCEPTION_RATE and progress > 0.4:
        # a month on, half such parcels are back with the sender, half lost with a claim open
        back = mishap < _EXCEPTION_RATE / 2 and elapsed > timedelta(days=30)
        return ("returned" if back else "exception"), None
    if arrival <= as_of:
        return "delivered", arrival
    if elapsed < timedelta(hours=8):
        return "label_created", None
    if elapsed < timedelta(hours=24):
        return "picked_up", None
    if arrival - as_of < timedelta(hours=24):
        return "out_for_delivery", None
    return ("customs" if not inland and 0.35 < progress < 0.75 else "in_transit"), None
