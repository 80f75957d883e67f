"""The demo's Stripe payments as Stripe's Charge and Refund objects, and the sorted views the
sandbox pages through.

A demo `SandboxPayment` of kind `charge` is a captured card charge of the order's total; one of
kind `refund` is a Refund of that charge. Objects follow the API version the connector pins:
ids with Stripe's prefixes (`ch_`, `re_`, `pi_`, `txn_`, `pm_`), `created` in Unix seconds,
amounts in the currency's smallest unit, currency codes in lower case, the order reference in
`metadata.order_id` (as shop plugins set it) and no embedded `refunds` list (only expanded on
request since 2022-11-15).
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from typing import Any

from cbe_app.hub.sandbox.data import SandboxData, SandboxPayment

# Stripe keeps ISK in two decimals although ISO 4217 (and the demo) has none.
_SCALE = {"ISK": 100}
_BRANDS = ("visa", "mastercard", "amex", "visa", "mastercard")


@dataclass(frozen=True, slots=True)
class Entry:
    """A payment as listed: its `created` second and Stripe id fix its place in the list."""

    created: int
    id: str
    payment: SandboxPayment


@dataclass(frozen=True, slots=True)
class View:
    """One list (charges or refunds), oldest first, with what paging needs to find things."""

    entries: list[Entry]
    created: list[int]
    position: dict[str, int]

    @classmethod
    def of(cls, entries: list[Entry]) -> View:
        """Sort the entries and index them."""
        entries.sort(key=lambda e: (e.created, e.id))
        return cls(entries, [e.created for e in entries], {e.id: i for i, e in enumerate(entries)})

    def span(self, gte: int | None, lt: int | None) -> tuple[int, int]:
        """The [lo, hi) positions of the entries created in [gte, lt)."""
        lo = bisect.bisect_left(self.created, gte) if gte is not None else 0
        hi = bisect.bisect_left(self.created, lt) if lt is not None else len(self.entries)
        return lo, hi


class StripeBook:
    """The demo's visible Stripe charges and refunds (built once per sandbox)."""

    def __init__(self, data: SandboxData) -> None:
        charges: dict[str, Entry] = {}  # by order id
        refunds: list[Entry] = []
        for payment in data.payments("stripe"):
            # A capture happens seconds after the order: only those done by now are visible.
            if payment.kind == "charge" and payment.created_at <= data.now:
                created = int(payment.created_at.timestamp())
                charges[payment.order.order.external_id] = Entry(
                    created, payment.external_id, payment
                )
        for payment in data.payments("stripe"):
            charge = charges.get(payment.order.order.external_id)
            if payment.kind == "refund" and charge is not None:
                # A refund cannot precede its charge at Stripe (the demo may date an unshipped
                # order's refund at the order time, seconds before the capture).
                created = max(int(payment.created_at.timestamp()), charge.created)
                refunds.append(Entry(created, payment.external_id, payment))
        self.charge_of_order = charges
        self.charges = View.of(list(charges.values()))
        self.refunds = View.of(refunds)


def _amount(minor: int, currency: str) -> int:
    """Demo minor units as Stripe's smallest unit (the same, but for ISK)."""
    return minor * _SCALE.get(currency, 1)


def _digits(text: str, count: int) -> str:
    value = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
    return str(value % 10**count).zfill(count)


def _card(charge_id: str, country: str) -> dict[str, Any]:
    digits = _digits(charge_id, 8)
    return {
        "brand": _BRANDS[int(digits[0]) % len(_BRANDS)],
        "checks": {"address_line1_check": None, "address_postal_code_check": None},
        "country": country,
        "exp_month": 1 + int(digits[1:3]) % 12,
        "exp_year": 2027 + int(digits[3]) % 5,
        "fingerprint": "fp" + _digits(charge_id + "fp", 14),
        "funding": "credit",
        "last4": digits[4:8],
        "network": _BRANDS[int(digits[0]) % len(_BRANDS)],
        "three_d_secure": None,
        "wallet": None,
    }


def render_charge(entry: Entry, livemode: bool) -> dict[str, Any]:
    """A demo charge as Stripe's Charge object."""
    payment, suffix = entry.payment, entry.id[3:]
    order, customer = payment.order.order, payment.order.customer
    amount = _amount(payment.amount_minor, order.currency)
    refunded = _amount(order.refunded_minor, order.currency)
    return {
        "id": entry.id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": f"txn_{suffix}",
        "billing_details": {
            "address": {"city": None, "country": order.country, "line1": None, "line2": None},
            "email": customer.email,
            "name": customer.name,
            "phone": customer.phone,
        },
        "calculated_statement_descriptor": "CBE SHOP",
        "captured": True,
        "created": entry.created,
        "currency": order.currency.lower(),
        "customer": None,
        "description": f"Order {order.external_id}",
        "disputed": False,
        "failure_code": None,
        "failure_message": None,
        "fraud_details": {},
        "livemode": livemode,
        "metadata": {"order_id": order.external_id},
        "outcome": {
            "network_status": "approved_by_network",
            "reason": None,
            "risk_level": "normal",
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        "paid": True,
        "payment_intent": f"pi_{suffix}",
        "payment_method": f"pm_{suffix}",
        "payment_method_details": {"card": _card(entry.id, order.country), "type": "card"},
        "receipt_email": customer.email,
        "receipt_url": f"https://pay.stripe.com/receipts/payment/{suffix}",
        "refunded": refunded >= amount,
        "review": None,
        "shipping": None,
        "status": "succeeded",
        "transfer_group": None,
    }


def render_refund(entry: Entry, charge: Entry, livemode: bool, expand: bool) -> dict[str, Any]:
    """A demo refund as Stripe's Refund object (`expand`: with its Charge object inline)."""
    payment = entry.payment
    currency = payment.order.order.currency
    return {
        "id": entry.id,
        "object": "refund",
        "amount": _amount(payment.amount_minor, currency),
        "balance_transaction": f"txn_{entry.id[3:]}",
        "charge": render_charge(charge, livemode) if expand else charge.id,
        "created": entry.created,
        "currency": currency.lower(),
        "destination_details": {
            "card": {
                "reference_status": "available",
                "reference_type": "acquirer_reference_number",
                "type": "refund",
            },
            "type": "card",
        },
        "metadata": {},
        "payment_intent": f"pi_{charge.id[3:]}",
        "reason": "requested_by_customer",
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }
