"""Stripe payloads as hub payments.

Accepted payloads (what `map_payload` detects by the top-level `object` field):

- a list page, `{"object": "list", "data": [...], "has_more": ...}` from `GET /v1/charges`,
  `/v1/payment_intents`, `/v1/refunds` or `/v1/balance_transactions`, and the
  `{"object": "search_result", ...}` pages of the `/search` endpoints;
- one charge, payment intent, refund or balance transaction (`GET /v1/<objects>/{id}`);
- a webhook event, `{"object": "event", "type": ..., "data": {"object": {...}}}`. Its
  `created` becomes the record's `updated_at` (Stripe objects carry no modification time, so
  this is what lets a newer event win), and the whole event is kept as the record's raw
  payload so a retry dates it the same way. Events about anything else (`plan.created`,
  `charge.dispute.*` whose object is a dispute, ...) map to no record.

Records: a charge, payment intent or money-in balance transaction is `kind="charge"`; a refund
or money-back balance transaction is `kind="refund"` with a positive amount. Only balance
transactions of type `charge`/`payment` (money in) and `refund`/`payment_refund` (money back)
are payments; payouts, fees, transfers, adjustments, disputes and the other ledger types map
to no record. A balance transaction's amount is in the balance (settlement) currency. A
refund (in a list, or alone) whose `charge` is expanded also yields that charge, once per
payload: the connector lists refunds so, and this keeps an older charge's refunded amount up
to date (Stripe lists by creation time, so the charge itself is not listed again).

Status keys (`provider_status`, translated by the status map `stripe.yaml`), one prefix per
object type so one map covers them all:

- charge: `charge:<status>` while `status` is `pending` or `failed`. A succeeded charge is
  `charge:uncaptured` when `captured` is false (an authorization),
  `charge:uncaptured_refunded` when it is also `refunded` (the authorization was released),
  `charge:refunded` when `refunded` is true, `charge:partially_refunded` when
  `amount_refunded` > 0, else `charge:succeeded`.
- payment intent: `payment_intent:<status>`.
- refund: `refund:<status>`.
- balance transaction: `balance_transaction:<status>` (money in) or
  `balance_transaction_refund:<status>` (money back).

Amounts are integers in minor units; the exponent is CLDR's (`minor_exponent`), which agrees
with Stripe's zero-decimal (JPY, KRW, UGX, ...) and three-decimal (KWD, BHD, ...) lists. The
one exception is ISK: CLDR gives it no decimals but Stripe keeps it in two (100 = 1 króna).
`order_ref` is `metadata.order_id` (or `metadata.order`) of the object, else of its expanded
parent (a refund's charge or payment intent, a balance transaction's source). The e-mail is
`billing_details.email`, else `receipt_email`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from cbe_app.core.money import minor_exponent
from cbe_app.hub.canonical import MappedPayment, MapResult, RecordKind
from cbe_app.hub.providers.parsing import (
    MappingError,
    field,
    map_each,
    minor_to_decimal,
    optional_timestamp,
    text,
    timestamp,
)

PROVIDER = "stripe"

# Stripe keeps ISK in two decimals for backwards compatibility although CLDR has none.
_STRIPE_EXPONENTS = {"ISK": 2}
_PAGES = frozenset({"list", "search_result"})
_MONEY_IN = frozenset({"charge", "payment"})
_MONEY_BACK = frozenset({"refund", "payment_refund"})

Built = MappedPayment | tuple[()]
Builder = Callable[[Mapping[str, Any], datetime | None], Built]


def map_payload(payload: Any) -> MapResult:
    """Map a Stripe list page, event, or single payment object.

    Args:
        payload: The decoded JSON body Stripe returned or posted.

    Returns:
        The payments, and a reject for each object that could not be mapped.

    Raises:
        MappingError: The payload is none of the shapes above.
    """
    if not isinstance(payload, Mapping):
        raise MappingError(f"a Stripe payload is a JSON object, not {type(payload).__name__}")
    kind = text(payload.get("object"))
    if kind in _PAGES:
        data = payload.get("data")
        if not isinstance(data, list):
            raise MappingError(f"the Stripe {kind} has no data array")
        return _with_expanded_charges(
            map_each(data, PROVIDER, RecordKind.PAYMENT, _identify, _build), data
        )
    if kind == "event":
        return _map_event(payload)
    if kind in _BUILDERS:
        result = map_each((payload,), PROVIDER, RecordKind.PAYMENT, _identify, _build)
        return _with_expanded_charges(result, (payload,))
    raise MappingError(
        "not a Stripe list, event, charge, payment intent, refund or balance transaction: "
        f"object is {kind!r}"
    )


def _with_expanded_charges(result: MapResult, items: Sequence[Any]) -> MapResult:
    """Add the charges that refunds carry expanded (`expand[]=data.charge`), once each.

    Stripe objects are listed by creation time, so a sync never lists an old charge again when
    it is refunded later; its refunds, listed with the charge expanded, bring its current
    `amount_refunded` instead.
    """
    charges = {
        text(item["charge"].get("id")): item["charge"]
        for item in items
        if isinstance(item, Mapping)
        and item.get("object") == "refund"
        and isinstance(item.get("charge"), Mapping)
        and item["charge"].get("object") == "charge"
    }
    if charges:
        result.extend(map_each(charges.values(), PROVIDER, RecordKind.PAYMENT, _identify, _build))
    return result


def _map_event(event: Mapping[str, Any]) -> MapResult:
    subject = field(event, "data", "object")
    if not isinstance(subject, Mapping) or text(subject.get("object")) not in _BUILDERS:
        return MapResult()  # an event about something that is not a payment
    # The whole event is the record's raw payload, so a retry keeps its time.
    return map_each((event,), PROVIDER, RecordKind.PAYMENT, _identify_event, _build_event)


def _identify_event(event: Any) -> str:
    return text(event["data"]["object"].get("id"))


def _build_event(event: Any) -> Built:
    seen_at = optional_timestamp(event.get("created"), "event created")
    return _build(event["data"]["object"], seen_at)


def _identify(item: Any) -> str:
    return text(item.get("id"))


def _build(item: Any, seen_at: datetime | None = None) -> Built:
    if not isinstance(item, Mapping):
        raise MappingError(f"a Stripe object is a JSON object, not {type(item).__name__}")
    builder = _BUILDERS.get(text(item.get("object")))
    if builder is None:
        raise MappingError(
            f"object {item.get('object')!r} is not a charge, payment intent, refund or "
            "balance transaction"
        )
    return builder(item, seen_at)


def _exponent(obj: Mapping[str, Any]) -> tuple[str, int]:
    currency = text(field(obj, "currency")).upper()
    exponent = _STRIPE_EXPONENTS.get(currency)
    if exponent is None:
        try:
            exponent = minor_exponent(currency)
        except ValueError:
            raise MappingError(f"currency is not an ISO 4217 code: {currency!r}") from None
    return currency, exponent


def _order_ref(obj: Mapping[str, Any], *parents: str) -> str:
    for holder in (obj, *(obj.get(p) for p in parents)):
        metadata = holder.get("metadata") if isinstance(holder, Mapping) else None
        if isinstance(metadata, Mapping):
            ref = metadata.get("order_id") or metadata.get("order")
            if ref:
                return text(ref)
    return ""


def _email(charge: Mapping[str, Any]) -> str | None:
    email = field(charge, "billing_details", "email", default=None) or charge.get("receipt_email")
    return text(email) or None


def _charge_status(charge: Mapping[str, Any]) -> str:
    status = text(field(charge, "status"))
    if status != "succeeded":
        return f"charge:{status}"
    if charge.get("captured") is False:
        return "charge:uncaptured_refunded" if charge.get("refunded") else "charge:uncaptured"
    if charge.get("refunded"):
        return "charge:refunded"
    if charge.get("amount_refunded"):
        return "charge:partially_refunded"
    return "charge:succeeded"


def _charge(charge: Mapping[str, Any], seen_at: datetime | None) -> Built:
    currency, exponent = _exponent(charge)
    return MappedPayment(
        provider=PROVIDER,
        external_id=text(field(charge, "id")),
        provider_status=_charge_status(charge),
        currency=currency,
        amount=minor_to_decimal(field(charge, "amount"), exponent, "amount"),
        created_at=timestamp(field(charge, "created"), "created"),
        updated_at=seen_at,
        order_ref=_order_ref(charge, "payment_intent"),
        refunded=minor_to_decimal(charge.get("amount_refunded") or 0, exponent, "amount_refunded"),
        customer_email=_email(charge),
    )


def _payment_intent(intent: Mapping[str, Any], seen_at: datetime | None) -> Built:
    currency, exponent = _exponent(intent)
    latest = intent.get("latest_charge")
    charge: Mapping[str, Any] = latest if isinstance(latest, Mapping) else {}  # when expanded
    refunded = charge.get("amount_refunded") or 0
    return MappedPayment(
        provider=PROVIDER,
        external_id=text(field(intent, "id")),
        provider_status=f"payment_intent:{text(field(intent, 'status'))}",
        currency=currency,
        amount=minor_to_decimal(field(intent, "amount"), exponent, "amount"),
        created_at=timestamp(field(intent, "created"), "created"),
        updated_at=seen_at,
        order_ref=_order_ref(intent, "latest_charge"),
        refunded=minor_to_decimal(refunded, exponent, "latest_charge.amount_refunded"),
        customer_email=text(intent.get("receipt_email")) or (_email(charge) if charge else None),
    )


def _refund(refund: Mapping[str, Any], seen_at: datetime | None) -> Built:
    currency, exponent = _exponent(refund)
    charge = refund.get("charge")
    return MappedPayment(
        provider=PROVIDER,
        external_id=text(field(refund, "id")),
        provider_status=f"refund:{text(field(refund, 'status'))}",
        currency=currency,
        amount=minor_to_decimal(field(refund, "amount"), exponent, "amount"),
        created_at=timestamp(field(refund, "created"), "created"),
        updated_at=seen_at,
        order_ref=_order_ref(refund, "charge", "payment_intent"),
        customer_email=_email(charge) if isinstance(charge, Mapping) else None,
        kind="refund",
    )


def _balance_transaction(txn: Mapping[str, Any], seen_at: datetime | None) -> Built:
    kind = text(field(txn, "type"))
    if kind in _MONEY_IN:
        record_kind, prefix = "charge", "balance_transaction"
    elif kind in _MONEY_BACK:
        record_kind, prefix = "refund", "balance_transaction_refund"
    else:
        return ()  # payouts, fees, transfers, adjustments: ledger moves, not payments
    currency, exponent = _exponent(txn)
    # Money back is negative in the ledger; the hub keeps refunds as positive amounts.
    amount = abs(minor_to_decimal(field(txn, "amount"), exponent, "amount"))
    source = txn.get("source")
    return MappedPayment(
        provider=PROVIDER,
        external_id=text(field(txn, "id")),
        provider_status=f"{prefix}:{text(field(txn, 'status'))}",
        currency=currency,
        amount=amount,
        created_at=timestamp(field(txn, "created"), "created"),
        updated_at=seen_at,
        order_ref=_order_ref(txn, "source"),
        refunded=Decimal(0),
        customer_email=_email(source) if isinstance(source, Mapping) else None,
        kind=record_kind,
    )


_BUILDERS: dict[str, Builder] = {
    "charge": _charge,
    "payment_intent": _payment_intent,
    "refund": _refund,
    "balance_transaction": _balance_transaction,
}
