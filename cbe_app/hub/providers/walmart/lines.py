"""Reading one Walmart order line: its item, charges, refunds, statuses and tracking.

Walmart states money per line as charges (`chargeType` PRODUCT, SHIPPING, …) with their tax,
and refunds as negative refund charges. A PRODUCT charge is the charge for the line's whole
`orderLineQuantity` (the same as the unit price while every line had quantity 1), so the
unit price is the line's PRODUCT charges divided by its quantity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from cbe_app.hub.canonical import MappedLine
from cbe_app.hub.providers.parsing import MappingError, money, optional_timestamp, text
from cbe_app.hub.providers.walmart.status import is_cancelled, line_status


@dataclass(frozen=True, slots=True)
class OrderLine:
    """What the order needs from one line."""

    line: MappedLine
    charged: Decimal  # every charge of the line with its tax: what the buyer pays for it
    shipping: Decimal
    refunded: Decimal
    currencies: frozenset[str]
    statuses: frozenset[str]
    tracking_numbers: tuple[str, ...]
    tracking_carriers: tuple[str, ...]  # the carrier Walmart names for each tracking number
    status_date: datetime | None

    @property
    def cancelled(self) -> bool:
        """Whether every unit of the line is cancelled."""
        return is_cancelled(self.statuses)


def read_line(raw: Any, index: int) -> OrderLine:
    """One `orderLines.orderLine[]` element.

    Raises:
        MappingError: when the SKU, quantity, an amount or the statuses are missing or unreadable.
    """
    where = f"orderLines.orderLine[{index}]"
    if not isinstance(raw, Mapping):
        raise MappingError(f"{where} is not a JSON object")
    item = raw.get("item") or {}
    sku = text(item.get("sku"))
    if not sku:
        raise MappingError(f"{where}.item.sku is missing")
    quantity = _quantity((raw.get("orderLineQuantity") or {}).get("amount"), where)
    currencies: set[str] = set()
    product, shipping, charged = _charges(raw, where, currencies)
    refunded = _refunded(raw, where, currencies)
    statuses, tracking = _statuses(raw, where)
    return OrderLine(
        line=MappedLine(sku, quantity, product / quantity, text(item.get("productName"))),
        charged=charged,
        shipping=shipping,
        refunded=refunded,
        currencies=frozenset(currencies),
        statuses=statuses,
        tracking_numbers=tuple(tracking),
        tracking_carriers=tuple(tracking.values()),
        status_date=optional_timestamp(raw.get("statusDate"), f"{where}.statusDate"),
    )


def _quantity(value: Any, where: str) -> int:
    raw = text(value)
    if not raw.isdigit() or int(raw) == 0:
        raise MappingError(f"{where}.orderLineQuantity.amount is not a number of units: {value!r}")
    return int(raw)


def _amount(value: Any, what: str, currencies: set[str]) -> Decimal:
    """A Walmart `{currency, amount}`; its currency is noted to check the order has one."""
    if not isinstance(value, Mapping):
        raise MappingError(f"{what} is missing" if value is None else f"{what} is not an amount")
    code = text(value.get("currency"))
    if code:
        currencies.add(code.upper())
    return money(value.get("amount"), f"{what}.amount")


def _tax(charge: Mapping[str, Any], what: str, currencies: set[str]) -> Decimal:
    tax = charge.get("tax")
    tax_amount = tax.get("taxAmount") if tax else None
    if tax_amount is None:
        return Decimal(0)
    return _amount(tax_amount, f"{what}.tax.taxAmount", currencies)


def _list(data: Mapping[str, Any], what: str, outer: str, inner: str) -> list[Any]:
    """`data[outer][inner]`, Walmart's wrapped list (`charges.charge`), [] when absent."""
    value = (data.get(outer) or {}).get(inner)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MappingError(f"{what}.{outer}.{inner} is not a list")
    return value


def _charges(raw: Mapping[str, Any], where: str, currencies: set[str]) -> tuple[Decimal, ...]:
    """The line's PRODUCT and SHIPPING charges, and all its charges with their tax."""
    product = shipping = charged = Decimal(0)
    for index, charge in enumerate(_list(raw, where, "charges", "charge")):
        what = f"{where}.charges.charge[{index}]"
        amount = _amount(charge.get("chargeAmount"), f"{what}.chargeAmount", currencies)
        kind = text(charge.get("chargeType")).upper()
        if kind == "PRODUCT":
            product += amount
        elif kind == "SHIPPING":
            shipping += amount
        charged += amount + _tax(charge, what, currencies)
    return product, shipping, charged


def _refunded(raw: Mapping[str, Any], where: str, currencies: set[str]) -> Decimal:
    """What was refunded on the line, tax included (Walmart writes refunds negative)."""
    refund = raw.get("refund")
    if refund is None:
        return Decimal(0)
    if not isinstance(refund, Mapping):
        raise MappingError(f"{where}.refund is not a JSON object")
    total = Decimal(0)
    for index, refund_charge in enumerate(
        _list(refund, f"{where}.refund", "refundCharges", "refundCharge")
    ):
        what = f"{where}.refund.refundCharges.refundCharge[{index}].charge"
        charge = refund_charge.get("charge")
        if not isinstance(charge, Mapping):
            raise MappingError(f"{what} is missing")
        amount = _amount(charge.get("chargeAmount"), f"{what}.chargeAmount", currencies)
        total += abs(amount) + abs(_tax(charge, what, currencies))
    return total


def _statuses(raw: Mapping[str, Any], where: str) -> tuple[frozenset[str], dict[str, str]]:
    """The line's statuses, and the tracking numbers its shipped units carry with the carrier
    Walmart names for each (`carrierName.carrier`, else `otherCarrier`; "" when neither)."""
    entries = _list(raw, where, "orderLineStatuses", "orderLineStatus")
    statuses = frozenset(line_status(text(entry.get("status"))) for entry in entries)
    if not statuses or "" in statuses:
        raise MappingError(f"{where}.orderLineStatuses has a line without a status")
    tracking: dict[str, str] = {}  # ordered, without repeats
    for entry in entries:
        info = entry.get("trackingInfo") or {}
        number = text(info.get("trackingNumber"))
        if number:
            name = info.get("carrierName") or {}
            tracking.setdefault(number, text(name.get("carrier")) or text(name.get("otherCarrier")))
    return statuses, tracking
