"""PayPal payloads as hub payments.

Accepted payloads (detected by their fields):

- a Transaction Search page, `GET /v1/reporting/transactions`: `{"transaction_details": [...],
  "page", "total_pages", ...}`, or one `transaction_detail` (`{"transaction_info": ...}`);
- one Payments v2 object: a capture (`GET /v2/payments/captures/{id}`), an authorization
  (`/v2/payments/authorizations/{id}`) or a refund (`/v2/payments/refunds/{id}`). Which one
  is read from its `self` link, else from fields only it has (`seller_payable_breakdown`: refund;
  `seller_receivable_breakdown` or `final_capture`: capture; `expiration_time`: authorization);
- a webhook event, `{"event_type", "resource_type", "resource"}`, whose resource is a
  `capture`, `authorization` or `refund` (`PAYMENT.CAPTURE.COMPLETED`,
  `PAYMENT.CAPTURE.REFUNDED`, `PAYMENT.AUTHORIZATION.CREATED`, ...). Events about other
  resources (checkout orders, disputes, v1 sales) map to no record. The whole event is kept
  as the record's raw payload.

Transaction Search rows: a row is a payment by its `transaction_event_code`. T00nn
(account-to-account payments: T0006 PayPal Checkout, T0007 Website Payments Standard, ...)
with a positive amount is `kind="charge"`; T1106 (payment reversal by PayPal) and T1107
(payment refund by the merchant) are `kind="refund"`, their negative amount made positive.
Every other row maps to no record: fees (T01), currency conversions (T02), bank deposits and
withdrawals (T03, T04), holds, authorizations (T13) and payments the seller sent (T00nn with
a negative amount) move money but are not sales. A row's `transaction_id` is the same id as
the capture or refund in Payments v2, so both sources update one record.

Status keys (`provider_status`, translated by the status map `paypal.yaml`):

- Transaction Search: `transaction:<transaction_status>` for charges and
  `transaction_refund:<transaction_status>` for refunds (status D, P, S or V: the same letter
  means different things for money in and money back);
- Payments v2: `capture:<status>`, `authorization:<status>`, `refund:<status>`.

`order_ref` is `invoice_id`, else `custom_id` (`custom_field` in Transaction Search), the
references the merchant sends with the payment. The e-mail is `payer_info.email_address`
(Transaction Search only: a v2 object names only the merchant). `refunded` is the whole
amount when PayPal says so (`V`, `REFUNDED`); a partial refund shows as its refund record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from cbe_app.hub.canonical import MappedPayment, MapResult, RecordKind
from cbe_app.hub.providers.parsing import (
    MappingError,
    field,
    map_each,
    money,
    optional_timestamp,
    text,
    timestamp,
)

PROVIDER = "paypal"

_PAYMENT_GROUP = "T00"  # PayPal account-to-PayPal account payments
_REFUND_CODES = frozenset({"T1106", "T1107"})  # payment reversal; refund by the merchant
_SELF_PATHS = (
    ("/payments/captures/", "capture"),
    ("/payments/authorizations/", "authorization"),
    ("/payments/refunds/", "refund"),
)

Built = MappedPayment | tuple[()]


def map_payload(payload: Any) -> MapResult:
    """Map a PayPal Transaction Search page, webhook event, or Payments v2 object.

    Args:
        payload: The decoded JSON body PayPal returned or posted.

    Returns:
        The payments, and a reject for each record that could not be mapped.

    Raises:
        MappingError: The payload is none of the shapes above.
    """
    if not isinstance(payload, Mapping):
        raise MappingError(f"a PayPal payload is a JSON object, not {type(payload).__name__}")
    if "transaction_details" in payload or "total_pages" in payload:
        details = payload.get("transaction_details") or []
        if not isinstance(details, list):
            raise MappingError("transaction_details is not a list")
        return map_each(details, PROVIDER, RecordKind.PAYMENT, _transaction_id, _transaction)
    if "transaction_info" in payload:
        return map_each((payload,), PROVIDER, RecordKind.PAYMENT, _transaction_id, _transaction)
    if "event_type" in payload:
        return _map_event(payload)
    resource = _resource_kind(payload)
    if resource is None:
        raise MappingError(
            "not a PayPal Transaction Search page, webhook event, capture, authorization or "
            f"refund: fields {sorted(payload)[:8]}"
        )
    return map_each((payload,), PROVIDER, RecordKind.PAYMENT, _resource_id, _BUILDERS[resource])


def _map_event(event: Mapping[str, Any]) -> MapResult:
    if _resource_type(event) not in _BUILDERS:
        return MapResult()  # an event about something that is not a payment
    field(event, "resource")
    # The whole event is the record's raw payload: a retry maps it the same way.
    return map_each((event,), PROVIDER, RecordKind.PAYMENT, _event_id, _event_payment)


def _resource_type(event: Mapping[str, Any]) -> str:
    return text(event.get("resource_type")).lower()


def _event_id(event: Any) -> str:
    return _resource_id(event["resource"])


def _event_payment(event: Any) -> Built:
    return _BUILDERS[_resource_type(event)](event["resource"])


def _resource_kind(obj: Mapping[str, Any]) -> str | None:
    for link in obj.get("links") or ():
        if isinstance(link, Mapping) and link.get("rel") == "self":
            href = text(link.get("href"))
            for path, kind in _SELF_PATHS:
                if path in href:
                    return kind
    # Without links (a connector may trim them), fields only one of the three has.
    if "seller_payable_breakdown" in obj:
        return "refund"
    if "seller_receivable_breakdown" in obj or "final_capture" in obj:
        return "capture"
    if "expiration_time" in obj:
        return "authorization"
    return None


def _transaction_id(detail: Any) -> str:
    return text(detail["transaction_info"]["transaction_id"])


def _resource_id(resource: Any) -> str:
    return text(resource.get("id"))


def _amount(obj: Mapping[str, Any], key: str) -> tuple[str, Decimal]:
    currency = text(field(obj, key, "currency_code")).upper()
    if not currency:
        raise MappingError(f"{key}.currency_code is missing")
    return currency, money(field(obj, key, "value"), f"{key}.value")


def _transaction(detail: Any) -> Built:
    info = field(detail, "transaction_info")
    code = text(field(info, "transaction_event_code")).upper()
    if code in _REFUND_CODES:
        kind, prefix = "refund", "transaction_refund"
    elif code.startswith(_PAYMENT_GROUP):
        kind, prefix = "charge", "transaction"
    else:
        return ()  # fees, conversions, transfers, holds: not a sale or its refund
    currency, amount = _amount(info, "transaction_amount")
    if kind == "charge" and amount < 0:
        return ()  # a payment the seller sent, not one it received
    status = text(field(info, "transaction_status"))
    amount = abs(amount)
    reversed_sale = kind == "charge" and status.upper() == "V"
    return MappedPayment(
        provider=PROVIDER,
        external_id=text(field(info, "transaction_id")),
        provider_status=f"{prefix}:{status}",
        currency=currency,
        amount=amount,
        created_at=timestamp(
            field(info, "transaction_initiation_date"), "transaction_initiation_date"
        ),
        updated_at=optional_timestamp(
            info.get("transaction_updated_date"), "transaction_updated_date"
        ),
        order_ref=text(info.get("invoice_id") or info.get("custom_field")),
        refunded=amount if reversed_sale else Decimal(0),
        customer_email=text(field(detail, "payer_info", "email_address", default="")) or None,
        kind=kind,
    )


def _v2_payment(obj: Any, resource: str) -> Built:
    status = text(field(obj, "status"))
    currency, amount = _amount(obj, "amount")
    fully_refunded = resource == "capture" and status.upper() == "REFUNDED"
    return MappedPayment(
        provider=PROVIDER,
        external_id=text(field(obj, "id")),
        provider_status=f"{resource}:{status}",
        currency=currency,
        amount=amount,
        created_at=timestamp(field(obj, "create_time"), "create_time"),
        updated_at=optional_timestamp(obj.get("update_time"), "update_time"),
        order_ref=text(obj.get("invoice_id") or obj.get("custom_id")),
        refunded=amount if fully_refunded else Decimal(0),
        kind="refund" if resource == "refund" else "charge",
    )


_BUILDERS: dict[str, Callable[[Any], Built]] = {
    kind: partial(_v2_payment, resource=kind) for kind in ("capture", "authorization", "refund")
}
