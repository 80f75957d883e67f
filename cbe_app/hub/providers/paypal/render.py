"""The demo's PayPal payments as Transaction Search `transaction_details` (for the sandbox).

A charge is event code T0006 (PayPal Checkout APIs), a refund T1107 (payment refund, with a
negative amount and the charge as `paypal_reference_id`); both are status S (successful).
Amounts are PayPal money objects (`currency_code`, `value` as a decimal string with the
currency's places), dates `2025-01-06T09:14:22+0000` as Transaction Search writes them, ids the
17-character PayPal transaction ids of the demo, `invoice_id` the shop's order number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container
from datetime import UTC, datetime
from typing import Any

from cbe_app.core.money import from_minor
from cbe_app.hub.sandbox.data import SandboxData, SandboxPayment

CHECKOUT, REFUND = "T0006", "T1107"
FIELDS = (
    "transaction_info",
    "payer_info",
    "shipping_info",
    "cart_info",
    "store_info",
    "auction_info",
    "incentive_info",
)
_FEE_BASIS_POINTS, _FEE_FIXED_MINOR = 349, 49  # PayPal checkout: 3.49 % + a fixed fee


def paypal_time(moment: datetime) -> str:
    """A time as Transaction Search writes it: `2025-01-06T09:14:22+0000`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def money(minor: int, currency: str) -> dict[str, str]:
    """A PayPal money object."""
    return {"currency_code": currency, "value": str(from_minor(minor, currency))}


def account_id(seed: str) -> str:
    """A 13-character PayPal account id, stable for the same seed."""
    return hashlib.sha256(seed.encode()).hexdigest()[:13].upper()


def _transaction_info(payment: SandboxPayment, charge_id: str) -> dict[str, Any]:
    order = payment.order.order
    refund = payment.kind == "refund"
    sign = -1 if refund else 1
    info: dict[str, Any] = {
        "paypal_account_id": account_id(payment.order.customer.key),
        "transaction_id": payment.external_id,
        "transaction_event_code": REFUND if refund else CHECKOUT,
        "transaction_initiation_date": paypal_time(payment.created_at),
        "transaction_updated_date": paypal_time(payment.created_at),
        "transaction_amount": money(sign * payment.amount_minor, order.currency),
        "transaction_status": "S",
        "invoice_id": order.external_id,
        "protection_eligibility": "01",
    }
    if refund:
        info |= {"paypal_reference_id": charge_id, "paypal_reference_id_type": "TXN"}
    else:
        fee = (payment.amount_minor * _FEE_BASIS_POINTS + 5_000) // 10_000 + _FEE_FIXED_MINOR
        info["fee_amount"] = money(-fee, order.currency)
    return info


def _payer_info(payment: SandboxPayment) -> dict[str, Any]:
    customer = payment.order.customer
    given, _, surname = customer.name.partition(" ")
    return {
        "account_id": account_id(customer.key),
        "email_address": customer.email,
        "address_status": "Y",
        "payer_status": "Y",
        "payer_name": {
            "given_name": given,
            "surname": surname,
            "alternate_full_name": customer.name,
        },
        "country_code": payment.order.order.country,
    }


def _cart_info(payment: SandboxPayment, data: SandboxData) -> dict[str, Any]:
    if payment.kind == "refund":
        return {}
    order = payment.order.order
    items = []
    for line in order.lines:
        product = data.product(line.sku)
        amount = money(line.quantity * line.unit_price_minor, order.currency)
        items.append(
            {
                "item_code": line.sku,
                "item_name": product.name if product else line.sku,
                "item_quantity": str(line.quantity),
                "item_unit_price": money(line.unit_price_minor, order.currency),
                "item_amount": amount,
                "total_item_amount": amount,
            }
        )
    return {"item_details": items}


def transaction_detail(
    payment: SandboxPayment, data: SandboxData, charge_id: str, fields: Container[str]
) -> dict[str, Any]:
    """One `transaction_details` item with the requested `fields` groups."""
    order = payment.order
    detail: dict[str, Any] = {}
    if "transaction_info" in fields:
        detail["transaction_info"] = _transaction_info(payment, charge_id)
    if "payer_info" in fields:
        detail["payer_info"] = _payer_info(payment)
    if "shipping_info" in fields:
        detail["shipping_info"] = {
            "name": order.customer.name,
            "address": {"country_code": order.order.country},
        }
    if "cart_info" in fields:
        detail["cart_info"] = _cart_info(payment, data)
    for empty in ("store_info", "auction_info", "incentive_info"):
        if empty in fields:
            detail[empty] = {}
    return detail
