"""Stripe webhook signatures: is this POST really from Stripe, and recent?

Stripe signs every webhook delivery with the endpoint's signing secret (`whsec_…`) and sends
`Stripe-Signature: t=<unix time>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`. Each `v1` is the
HMAC-SHA256 of `"<t>.<raw body>"`; there are several while a rolled secret's old and new
values are both live, so any one matching is enough. Other schemes (`v0` is a test-mode
signature with a fake secret) are ignored, as Stripe's libraries do.

The signature covers the exact bytes Stripe sent: verify the raw body before parsing it, since
re-serialised JSON (other whitespace, key order or escaping) no longer matches. The timestamp
is inside the signed text, so checking it bounds replays of a captured delivery; unlike
Stripe's libraries this also refuses timestamps too far in the future, which a correct
sender never produces and a replay window must not be stretched by.
"""

from __future__ import annotations

import hashlib
import hmac

SCHEME = "v1"
DEFAULT_TOLERANCE = 300  # seconds, Stripe's default


class SignatureError(ValueError):
    """A webhook's `Stripe-Signature` is missing, malformed, wrong or outside the tolerance."""


def compute_signature(payload: bytes, timestamp: int, secret: str) -> str:
    """The `v1` signature Stripe computes for a body sent at `timestamp` (hex)."""
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """A `Stripe-Signature` header as Stripe sends it (for emulated deliveries and tests)."""
    return f"t={timestamp},{SCHEME}={compute_signature(payload, timestamp, secret)}"


def parse_header(header: str) -> tuple[int, list[str]]:
    """The timestamp and the `v1` signatures of a `Stripe-Signature` header.

    Raises:
        SignatureError: There is no readable `t=` element.
    """
    timestamp: int | None = None
    signatures: list[str] = []
    for element in (header or "").split(","):
        key, sep, value = element.strip().partition("=")
        if not sep:
            continue
        if key == "t" and timestamp is None:
            try:
                timestamp = int(value)
            except ValueError:
                break
        elif key == SCHEME:
            signatures.append(value)
    if timestamp is None:
        raise SignatureError("Unable to extract timestamp and signatures from header")
    return timestamp, signatures


def verify_signature(
    payload: bytes, header: str, secret: str, now: float, tolerance: int = DEFAULT_TOLERANCE
) -> None:
    """Check a webhook delivery as Stripe signs it (see the module docstring).

    Args:
        payload: The request body exactly as received, before any JSON parsing.
        header: The `Stripe-Signature` header.
        secret: The endpoint's signing secret (`whsec_…`).
        now: The current Unix time, in seconds.
        tolerance: How many seconds the timestamp may differ from `now`, either way.

    Raises:
        SignatureError: The delivery is not authentic or not recent; the message says why.
        ValueError: `tolerance` is not positive (a check that cannot be switched off by a 0).
    """
    if tolerance <= 0:
        raise ValueError("the timestamp tolerance must be a positive number of seconds")
    timestamp, signatures = parse_header(header)
    if not signatures:
        raise SignatureError(f"No signatures found with expected scheme {SCHEME}")
    expected = compute_signature(payload, timestamp, secret).encode()
    # Compare with every candidate (no early exit) and in constant time, so timing reveals
    # neither which signature matched nor how much of one did.
    matches = [hmac.compare_digest(expected, s.encode()) for s in signatures]
    if not any(matches):
        raise SignatureError("No signatures found matching the expected signature for payload")
    age = now - timestamp
    if age > tolerance:
        raise SignatureError(
            f"Timestamp outside the tolerance zone ({timestamp}): {int(age)} s old, "
            f"more than {tolerance} s"
        )
    if -age > tolerance:
        raise SignatureError(
            f"Timestamp outside the tolerance zone ({timestamp}): {int(-age)} s in the future, "
            f"more than {tolerance} s"
        )
