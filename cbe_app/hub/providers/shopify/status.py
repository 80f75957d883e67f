"""Shopify's status keys: one order key built from several fields, and the payment key.

Shopify spreads an order's state over `cancelled_at`, `fulfillment_status`, `financial_status`,
the `refunds` and the fulfilments' `shipment_status`. The order key is the first that applies:

1. `cancelled`   — `cancelled_at` is set (whatever else the order says);
2. `returned`    — `financial_status` is `refunded` and every refunded line was restocked as a
   return (`refund_line_items[].restock_type` `return` or `legacy_restock`; on payloads older
   than restock types, the refund's `restock: true`). A full refund without a restock (a parcel
   lost, a goodwill refund) is not a return: the order keeps its fulfilment key and the payment
   key says `refunded`;
3. `delivered`   — `fulfillment_status` is `fulfilled` and every live fulfilment (not
   `cancelled`, `error` or `failure`) reports `shipment_status` `delivered`;
4. otherwise `fulfillment_status` as sent (`partial`, `fulfilled`, `restocked`, …), or
   `unfulfilled` when it is null.

The payment key is `financial_status`, or `pending` when Shopify sends none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cbe_app.hub.providers.parsing import text

DEAD_FULFILMENTS = frozenset({"cancelled", "error", "failure"})
_RETURN_RESTOCKS = frozenset({"return", "legacy_restock"})


def order_status_key(order: Mapping[str, Any]) -> str:
    """The composite order status key (see the module docstring)."""
    if order.get("cancelled_at"):
        return "cancelled"
    if _returned(order):
        return "returned"
    fulfilment = text(order.get("fulfillment_status")).lower() or "unfulfilled"
    if fulfilment == "fulfilled" and _delivered(order):
        return "delivered"
    return fulfilment


def payment_status_key(order: Mapping[str, Any]) -> str:
    """`financial_status`, or `pending` when it is absent."""
    return text(order.get("financial_status")).lower() or "pending"


def _returned(order: Mapping[str, Any]) -> bool:
    if payment_status_key(order) != "refunded":
        return False
    restocks = [
        _restocked(refund, line)
        for refund in order.get("refunds") or ()
        for line in refund.get("refund_line_items") or ()
    ]
    return bool(restocks) and all(restocks)


def _restocked(refund: Mapping[str, Any], line: Mapping[str, Any]) -> bool:
    restock_type = text(line.get("restock_type")).lower()
    if restock_type:
        return restock_type in _RETURN_RESTOCKS
    return refund.get("restock") is True


def _delivered(order: Mapping[str, Any]) -> bool:
    live = [
        f
        for f in order.get("fulfillments") or ()
        if text(f.get("status")).lower() not in DEAD_FULFILMENTS
    ]
    return bool(live) and all(text(f.get("shipment_status")).lower() == "delivered" for f in live)
