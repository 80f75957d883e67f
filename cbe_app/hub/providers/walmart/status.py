"""One order status key from Walmart's order-line statuses (Walmart orders have none).

Each line carries `orderLineStatuses.orderLineStatus[]`: one entry per status its units are
in (a three-unit line can be 2 Shipped and 1 Cancelled). The order key is made from the set
of statuses over all lines:

* every status Cancelled → `Cancelled`;
* cancelled units aside, every status Refund → `Refund`;
* cancelled and refunded units aside:
  - only Created/Acknowledged → `Created` if any line still waits for acknowledgement, else
    `Acknowledged`;
  - Created/Acknowledged mixed with Shipped/Delivered → `PartiallyShipped`;
  - only Shipped/Delivered → `Delivered` when everything is delivered, else `Shipped`;
  - a status outside Walmart's documented US enum (e.g. Mexico's `OnHold`) is passed on
    as is, joined with "+" to the others when mixed (`Created+OnHold`), so the status map
    decides and an unmapped one is quarantined naming it.

The payment key is `Refund` when the order key is, `PartiallyRefunded` when a line is
refunded or a refund charge was made on a line, else the order key.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

CREATED: Final = "Created"
ACKNOWLEDGED: Final = "Acknowledged"
SHIPPED: Final = "Shipped"
DELIVERED: Final = "Delivered"
CANCELLED: Final = "Cancelled"
REFUND: Final = "Refund"
PARTIALLY_SHIPPED: Final = "PartiallyShipped"
PARTIALLY_REFUNDED: Final = "PartiallyRefunded"

# Walmart's spellings (US "Cancelled", Canada "Canceled"), compared without case.
_KNOWN: Final = {
    "created": CREATED,
    "acknowledged": ACKNOWLEDGED,
    "shipped": SHIPPED,
    "delivered": DELIVERED,
    "cancelled": CANCELLED,
    "canceled": CANCELLED,
    "refund": REFUND,
}
_OPEN: Final = frozenset({CREATED, ACKNOWLEDGED})
_SENT: Final = frozenset({SHIPPED, DELIVERED})


def line_status(raw: str) -> str:
    """A line status in the spelling the keys use (unknown values as given)."""
    return _KNOWN.get(raw.lower(), raw)


def is_cancelled(statuses: frozenset[str]) -> bool:
    """Whether every unit of a line (or order) with these statuses is cancelled."""
    return bool(statuses) and statuses <= {CANCELLED}


def order_key(statuses: frozenset[str]) -> str:
    """The order's status key from the statuses of all its lines (see the module docstring)."""
    live = statuses - {CANCELLED}
    if not live:
        return CANCELLED
    active = live - {REFUND}
    if not active:
        return REFUND
    unknown = active - _OPEN - _SENT
    if unknown:
        return "+".join(sorted(active))
    if active <= _OPEN:
        return CREATED if CREATED in active else ACKNOWLEDGED
    if active & _OPEN:
        return PARTIALLY_SHIPPED
    return DELIVERED if active == {DELIVERED} else SHIPPED


def payment_key(order_status: str, statuses: frozenset[str], refunded: Decimal) -> str:
    """The order's payment key: Refund, PartiallyRefunded, or the order key."""
    if order_status in (REFUND, CANCELLED):
        return order_status
    if REFUND in statuses or refunded > 0:
        return PARTIALLY_REFUNDED
    return order_status
