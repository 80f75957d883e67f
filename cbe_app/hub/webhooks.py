"""Inbound webhooks: verify, record once, answer at once, process in a job.

Providers deliver at least once, in any order, and give up if the answer is slow. So the
endpoint only checks the signature against the raw body, records the event under its
provider id (a unique key: the same delivery five times is one row), queues its processing
and answers. Processing maps the payload and writes it through the same ingest as a sync,
where newer data wins, so an old event arriving after a newer one changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from cbe_app import changes
from cbe_app.db import session_scope
from cbe_app.hub.accounts import Account
from cbe_app.hub.ingest.page import ingest_page
from cbe_app.hub.ingest.rules import ingest_context
from cbe_app.hub.providers.parsing import MappingError
from cbe_app.hub.providers.registry import provider
from cbe_app.hub.runs import WebhookEvent
from cbe_app.hub.secrets import unseal
from cbe_app.jobs.dispatch import dispatch

PROCESS_TASK = "cbe.hub.process_webhook"
CARRIER_SIGNATURE = "X-CBE-Signature"


class WebhookRejected(Exception):
    """The delivery is not authentic or not for a known account (answered 401/404)."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Delivery:
    """One HTTP delivery: the raw body and the headers that matter."""

    provider: str
    account_code: str
    body: bytes
    headers: dict[str, str]  # lower-case names


def _secrets(credentials: dict[str, Any]) -> list[str]:
    # During a rotation both the new and the previous secret are valid.
    return [
        s
        for s in (credentials.get("webhook_secret"), credentials.get("webhook_secret_previous"))
        if s
    ]


def verify_shopify(body: bytes, signature: str, secrets: list[str]) -> None:
    """Shopify: base64 HMAC-SHA256 of the raw body in `X-Shopify-Hmac-Sha256`."""
    for secret in secrets:
        expected = base64.b64encode(
            hmac.new(secret.encode(), body, hashlib.sha256).digest()
        ).decode()
        if hmac.compare_digest(expected, signature.strip()):
            return
    raise WebhookRejected("Shopify webhook signature does not match")


def verify_hex_hmac(body: bytes, signature: str, secrets: list[str]) -> None:
    """Carriers configured to push to us: hex HMAC-SHA256 of the raw body in `X-CBE-Signature`."""
    for secret in secrets:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected, signature.strip().lower()):
            return
    raise WebhookRejected("webhook signature does not match")


def _verify(delivery: Delivery, credentials: dict[str, Any], now: datetime) -> tuple[str, str]:
    """Check the signature; returns the provider's event id and topic."""
    secrets = _secrets(credentials)
    if not secrets:
        raise WebhookRejected("this account has no webhook secret configured")
    headers = delivery.headers
    if delivery.provider == "shopify":
        verify_shopify(delivery.body, headers.get("x-shopify-hmac-sha256", ""), secrets)
        event_id = headers.get("x-shopify-event-id") or headers.get("x-shopify-webhook-id", "")
        return event_id, headers.get("x-shopify-topic", "")
    if delivery.provider == "stripe":
        from cbe_app.hub.providers.stripe.webhook import SignatureError, verify_signature

        errors = []
        for secret in secrets:
            try:
                verify_signature(
                    delivery.body, headers.get("stripe-signature", ""), secret, now.timestamp()
                )
                break
            except SignatureError as exc:
                errors.append(str(exc))
        else:
            raise WebhookRejected(f"Stripe webhook signature: {errors[0]}")
        event = _json(delivery.body)
        if not isinstance(event, dict):
            raise WebhookRejected("a Stripe event is a JSON object", 400)
        return str(event.get("id", "")), str(event.get("type", ""))
    verify_hex_hmac(delivery.body, headers.get(CARRIER_SIGNATURE.lower(), ""), secrets)
    return headers.get("x-cbe-event-id", ""), headers.get("x-cbe-topic", "tracking")


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise WebhookRejected("the body is not JSON", 400) from None


def receive(delivery: Delivery, now: datetime) -> tuple[int, bool]:
    """Verify and record a delivery; returns (event row id, whether it was new). Queues new ones.

    Raises:
        WebhookRejected: bad signature (401), unknown account (404), unreadable body (400).
    """
    with session_scope() as session:
        account = session.scalars(
            select(Account).where(
                col(Account.code) == delivery.account_code,
                col(Account.provider) == delivery.provider,
            )
        ).first()
        if account is None:
            raise WebhookRejected("no such account", 404)
        credentials, account_id = unseal(account.credentials), account.id
    event_id, topic = _verify(delivery, credentials, now)
    payload = _json(delivery.body)
    if not event_id:  # without a provider id, the body itself identifies the delivery
        event_id = "sha256:" + hashlib.sha256(delivery.body).hexdigest()
    try:
        with session_scope() as session:
            row = WebhookEvent(
                provider=delivery.provider,
                account_id=account_id,
                event_id=event_id[:128],
                topic=topic[:100],
                payload=payload,
                received_at=now,
            )
            session.add(row)
            session.flush()
            row_id = int(row.id or 0)
    except IntegrityError:
        with session_scope() as session:
            existing = session.scalar(
                select(col(WebhookEvent.id)).where(
                    col(WebhookEvent.provider) == delivery.provider,
                    col(WebhookEvent.event_id) == event_id[:128],
                )
            )
        return int(existing or 0), False
    dispatch(PROCESS_TASK, row_id)
    return row_id, True


def process(session: Session, event_id: int, base_currency: str, now: datetime) -> bool:
    """Apply a recorded event (idempotent: a processed event is skipped); True if applied now."""
    event = session.get(WebhookEvent, event_id)
    if event is None or event.status == "processed":
        return False
    account = session.get(Account, event.account_id) if event.account_id else None
    if account is None:
        event.status, event.error = "failed", "the account no longer exists"
        return False
    ctx = ingest_context(session, account, base_currency, now)
    try:
        result = provider(account.provider).mapper()(event.payload)
    except MappingError as exc:  # a body the mapper does not know: kept, visible, not retried
        event.status, event.error = "failed", str(exc)[:2000]
        return False
    ingest_page(session, result, ctx)
    event.status, event.processed_at = "processed", now
    return True


def process_event(event_id: int, base_currency: str, now: datetime) -> bool:
    """`process` in its own transaction, then tell the open pages."""
    with session_scope() as session:
        applied = process(session, event_id, base_currency, now)
    if applied:
        changes.publish(changes.FACTS)
    return applied
