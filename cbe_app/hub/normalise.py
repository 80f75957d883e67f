"""From mapped records to canonical ones: vocabulary, countries, phones, money and base currency.

Pure: rates come from an `FxSource`, statuses from `StatusMaps`. Anything that cannot be
made canonical raises `NormalisationError` with the reason, and the caller quarantines the
record with its raw payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

import phonenumbers
import pycountry

from cbe_app.core.fx import FxRate, UnknownRate, reference_rate
from cbe_app.core.money import convert_minor, from_minor, minor_exponent, to_minor
from cbe_app.core.pickling import by_position
from cbe_app.hub.canonical import (
    MappedOrder,
    MappedPayment,
    MappedShipment,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
)
from cbe_app.hub.statusmap import StatusMaps, UnmappedStatus

_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR", "GREAT BRITAIN": "GB", "ENGLAND": "GB", "USA": "US"}
# How channels spell the carriers the hub tracks, by the carrier's provider name.
_CARRIER_WORDS = (("fedex", "fedex"), ("federal express", "fedex"), ("dhl", "dhl"), ("4px", "4px"))


class NormalisationError(ValueError):
    """The record cannot be made canonical; the message says why."""


class FxSource(Protocol):
    """Where base-currency rates come from (ECB by default; a table or a fake in tests)."""

    def rate(self, currency: str, base: str, day: date) -> FxRate:
        """The rate from `currency` to `base` for `day`."""
        ...


class EcbRates:
    """ECB reference rates, remembered per currency and day (a sync asks the same many times)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, date], FxRate] = {}

    def rate(self, currency: str, base: str, day: date) -> FxRate:
        """The ECB rate, or the nearest earlier published one."""
        key = (currency, base, day)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = reference_rate(currency, base, day)
        return found


@lru_cache(maxsize=512)
def country_code(raw: str) -> str:
    """ISO 3166-1 alpha-2 for a code or a name ('de', 'DEU', 'Germany', 'UK' → 'DE'/'GB')."""
    cleaned = raw.strip()
    alias = _COUNTRY_ALIASES.get(cleaned.upper())
    if alias:
        return alias
    try:
        return str(pycountry.countries.lookup(cleaned).alpha_2)
    except LookupError:
        raise NormalisationError(f"unknown country {raw!r}") from None


@lru_cache(maxsize=1024)
def carrier_code(name: str) -> str:
    """The provider name of a carrier as a channel wrote it ('FedEx Ground' → 'fedex'), or ''."""
    lowered = name.strip().lower()
    return next((code for word, code in _CARRIER_WORDS if word in lowered), "")


def email_address(raw: str | None) -> str | None:
    """The e-mail as matched across channels (trimmed, lower case), or None if it is not one."""
    if not raw:
        return None
    address = raw.strip().lower()
    local, at, domain = address.partition("@")
    return address if at and local and "." in domain else None


@lru_cache(maxsize=65536)
def phone_number(raw: str, country: str | None) -> str:
    """The phone in E.164, or '' when it is missing or cannot be a phone number.

    The check is `is_possible_number` (length and country code), not full validation: it is
    what matching customers needs, and full validation would cost more than the rest of the
    order's normalisation on a large sync.
    """
    if not raw or not raw.strip():
        return ""
    compact = raw.strip().replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
    if compact.startswith("+") and compact[1:].isdigit() and 8 <= len(compact) <= 16:
        return compact  # already international: only the formatting goes
    try:
        parsed = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def currency_code(raw: str | None) -> str:
    """The ISO 4217 code of a currency as written ('usd ' → 'USD'), or `NormalisationError`."""
    code = (raw or "").strip().upper()
    if not code:
        raise NormalisationError("the currency is missing")
    try:
        minor_exponent(code)
    except ValueError:
        raise NormalisationError(f"unknown currency {raw!r}") from None
    return code


def minor_units(amount: Decimal, currency: str, what: str) -> int:
    """A non-negative amount in the currency's minor units; `what` names it when it is not."""
    if amount < 0:
        raise NormalisationError(f"{what} is negative: {amount}")
    return to_minor(amount, currency)


def _status(lookup: Any, provider: str, raw: str) -> Any:
    try:
        return lookup(provider, raw)
    except UnmappedStatus as exc:
        raise NormalisationError(str(exc)) from None


@by_position
@dataclass(frozen=True, slots=True)
class Line:
    """A canonical order line."""

    sku: str
    quantity: int
    unit_price_minor: int


@by_position
@dataclass(frozen=True, slots=True)
class Order:
    """A canonical order: vocabulary statuses, ISO country, both currencies and the rate."""

    provider: str
    external_id: str
    status: OrderStatus
    provider_status: str
    payment_status: PaymentStatus
    provider_payment_status: str
    placed_at: datetime
    source_updated_at: datetime | None
    currency: str
    total_minor: int
    shipping_minor: int
    refunded_minor: int
    base_currency: str
    total_base_minor: int
    refunded_base_minor: int
    fx: FxRate
    country: str
    customer_email: str | None
    customer_name: str
    customer_phone: str
    customer_ref: str
    lines: tuple[Line, ...]
    tracking: tuple[tuple[str, str], ...]  # (tracking number, carrier provider name or "")

    def as_contract(self) -> dict[str, Any]:
        """The documented JSON form (docs/canonical-records.md)."""
        return {
            "kind": "order",
            "provider": self.provider,
            "external_id": self.external_id,
            "status": self.status.value,
            "provider_status": self.provider_status,
            "payment_status": self.payment_status.value,
            "placed_at": self.placed_at.isoformat(),
            "currency": self.currency,
            "total": str(from_minor(self.total_minor, self.currency)),
            "base_currency": self.base_currency,
            "total_base": str(from_minor(self.total_base_minor, self.base_currency)),
            "fx_rate": format(self.fx.rate, "f"),
            "fx_date": self.fx.rate_date.isoformat(),
            "country": self.country,
            "customer_email": self.customer_email,
            "lines": [
                {
                    "sku": ln.sku,
                    "quantity": ln.quantity,
                    "unit_price": str(from_minor(ln.unit_price_minor, self.currency)),
                }
                for ln in self.lines
            ],
        }


def _lines(record: MappedOrder, currency: str, skus: Mapping[str, str]) -> tuple[Line, ...]:
    lines = []
    for line in record.lines:
        if line.quantity <= 0:
            raise NormalisationError(f"line {line.sku!r} has quantity {line.quantity}")
        sku = skus.get(line.sku, line.sku).strip()
        if not sku:
            raise NormalisationError("an order line has no SKU")
        lines.append(Line(sku, line.quantity, minor_units(line.unit_price, currency, "unit price")))
    return tuple(lines)


def _tracking(record: MappedOrder) -> tuple[tuple[str, str], ...]:
    carriers = record.tracking_carriers
    return tuple(
        (number.strip(), carrier_code(carriers[i]) if i < len(carriers) else "")
        for i, number in enumerate(record.tracking_numbers)
        if number.strip()
    )


def normalise_order(
    record: MappedOrder,
    maps: StatusMaps,
    fx: FxSource,
    base: str,
    skus: Mapping[str, str] | None = None,
) -> Order:
    """The canonical order; raises `NormalisationError` with the reason it cannot be one."""
    if not record.external_id:
        raise NormalisationError("the order has no id")
    currency = currency_code(record.currency)
    lines = _lines(record, currency, skus or {})
    shipping = minor_units(record.shipping, currency, "shipping")
    if record.total is not None:
        total = minor_units(record.total, currency, "total")
    else:  # not priced yet by the channel: what its lines say
        total = sum(ln.unit_price_minor * ln.quantity for ln in lines) + shipping
    refunded = minor_units(record.refunded, currency, "refunded amount")
    country = country_code(record.country) if record.country else ""
    if not country:
        raise NormalisationError("the destination country is missing")
    try:
        rate = fx.rate(currency, base, record.placed_at.date())
    except UnknownRate as exc:
        raise NormalisationError(str(exc)) from None
    return Order(
        provider=record.provider,
        external_id=record.external_id,
        status=_status(maps.order, record.provider, record.provider_status),
        provider_status=record.provider_status,
        payment_status=_status(maps.payment, record.provider, record.provider_payment_status),
        provider_payment_status=record.provider_payment_status,
        placed_at=record.placed_at,
        source_updated_at=record.updated_at,
        currency=currency,
        total_minor=total,
        shipping_minor=shipping,
        refunded_minor=refunded,
        base_currency=base,
        total_base_minor=convert_minor(total, currency, base, rate.rate),
        refunded_base_minor=convert_minor(refunded, currency, base, rate.rate),
        fx=rate,
        country=country,
        customer_email=email_address(record.customer_email),
        customer_name=record.customer_name.strip(),
        customer_phone=phone_number(record.customer_phone, country),
        customer_ref=record.customer_ref,
        lines=lines,
        tracking=_tracking(record),
    )


@by_position
@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """A canonical tracking event."""

    at: datetime
    status: ShipmentStatus
    provider_status: str
    description: str
    location: str


@by_position
@dataclass(frozen=True, slots=True)
class Shipment:
    """A canonical parcel with its events, oldest first."""

    provider: str
    tracking_number: str
    status: ShipmentStatus
    provider_status: str
    events: tuple[TrackingEvent, ...]
    order_ref: str
    service: str
    source_updated_at: datetime | None
    delivered_at: datetime | None
    promised_at: datetime | None

    def as_contract(self) -> dict[str, Any]:
        """The documented JSON form (docs/canonical-records.md)."""
        return {
            "kind": "shipment",
            "provider": self.provider,
            "tracking_number": self.tracking_number,
            "status": self.status.value,
            "events": [
                {
                    "at": e.at.isoformat(),
                    "status": e.status.value,
                    "description": e.description,
                    "location": e.location,
                }
                for e in self.events
            ],
        }


def normalise_shipment(record: MappedShipment, maps: StatusMaps) -> Shipment:
    """The canonical shipment; raises `NormalisationError` with the reason it cannot be one."""
    if not record.tracking_number.strip():
        raise NormalisationError("the shipment has no tracking number")
    events = tuple(
        TrackingEvent(
            e.at,
            _status(maps.shipment, record.provider, e.provider_status),
            e.provider_status,
            e.description.strip(),
            e.location.strip(),
        )
        for e in sorted(record.events, key=lambda e: e.at)
    )
    status = _status(maps.shipment, record.provider, record.provider_status)
    latest = events[-1].at if events else None
    return Shipment(
        provider=record.provider,
        tracking_number=record.tracking_number.strip(),
        status=status,
        provider_status=record.provider_status,
        events=events,
        order_ref=record.order_ref,
        service=record.service,
        source_updated_at=record.updated_at or latest,
        delivered_at=record.delivered_at,
        promised_at=record.promised_at,
    )


@by_position
@dataclass(frozen=True, slots=True)
class Payment:
    """A canonical payment (or refund), in its currency and the base currency."""

    provider: str
    external_id: str
    kind: str
    status: PaymentStatus
    provider_status: str
    currency: str
    amount_minor: int
    refunded_minor: int
    base_currency: str
    amount_base_minor: int
    fx: FxRate
    order_ref: str
    customer_email: str | None
    created_at: datetime
    source_updated_at: datetime | None

    def as_contract(self) -> dict[str, Any]:
        """The documented JSON form (docs/canonical-records.md)."""
        return {
            "kind": "payment",
            "provider": self.provider,
            "external_id": self.external_id,
            "status": self.status.value,
            "currency": self.currency,
            "amount": str(from_minor(self.amount_minor, self.currency)),
            "order_ref": self.order_ref,
        }


def normalise_payment(record: MappedPayment, maps: StatusMaps, fx: FxSource, base: str) -> Payment:
    """The canonical payment; raises `NormalisationError` with the reason it cannot be one."""
    if not record.external_id:
        raise NormalisationError("the payment has no id")
    currency = currency_code(record.currency)
    amount = minor_units(record.amount, currency, "amount")
    try:
        rate = fx.rate(currency, base, record.created_at.date())
    except UnknownRate as exc:
        raise NormalisationError(str(exc)) from None
    return Payment(
        provider=record.provider,
        external_id=record.external_id,
        kind=record.kind,
        status=_status(maps.payment, record.provider, record.provider_status),
        provider_status=record.provider_status,
        currency=currency,
        amount_minor=amount,
        refunded_minor=minor_units(record.refunded, currency, "refunded amount"),
        base_currency=base,
        amount_base_minor=convert_minor(amount, currency, base, rate.rate),
        fx=rate,
        order_ref=record.order_ref,
        customer_email=email_address(record.customer_email),
        created_at=record.created_at,
        source_updated_at=record.updated_at,
    )
