"""Stripe webhook signatures, the cases of stripe-python's `tests/test_webhook.py` and more.

Headers are signed here with `hmac` directly (as Stripe does), not with the module's own
helper, so a mistake in it cannot cancel itself out.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from cbe_app.hub.providers.stripe.webhook import (
    SignatureError,
    signature_header,
    verify_signature,
)

PAYLOAD = b"""{
  "id": "evt_test_webhook",
  "object": "event",
  "data": { "object": { "id": "rdr_123", "object": "terminal.reader" } }
}"""
SECRET = "whsec_test_secret"
NOW = 1_700_000_000


def sign(payload: bytes = PAYLOAD, timestamp: int = NOW, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), b"%d.%s" % (timestamp, payload), hashlib.sha256).hexdigest()


def header(
    *,
    timestamp: int = NOW,
    payload: bytes = PAYLOAD,
    secret: str = SECRET,
    scheme: str = "v1",
    signature: str | None = None,
) -> str:
    return f"t={timestamp},{scheme}={signature or sign(payload, timestamp, secret)}"


def test_a_valid_header_and_signature() -> None:
    assert verify_signature(PAYLOAD, header(), SECRET, NOW, tolerance=10) is None


@pytest.mark.parametrize(
    "value", ["i'm not even a real signature header", "bad_header", "", "t=soon,v1=abc", "v1=abc"]
)
def test_a_malformed_header_is_refused(value: str) -> None:
    with pytest.raises(SignatureError, match="Unable to extract timestamp and signatures"):
        verify_signature(PAYLOAD, value, SECRET, NOW)


def test_no_signature_with_the_expected_scheme() -> None:
    with pytest.raises(SignatureError, match="No signatures found with expected scheme v1"):
        verify_signature(PAYLOAD, header(scheme="v0"), SECRET, NOW)


@pytest.mark.parametrize(
    "value",
    [
        header(signature="bad_signature"),
        header(secret="whsec_other_secret"),
        header(signature="ü" * 64),  # not even ASCII: compared as bytes, refused, no crash
    ],
)
def test_no_signature_matching_the_payload(value: str) -> None:
    with pytest.raises(
        SignatureError, match="No signatures found matching the expected signature for payload"
    ):
        verify_signature(PAYLOAD, value, SECRET, NOW)


def test_a_timestamp_older_than_the_tolerance_is_refused() -> None:
    with pytest.raises(SignatureError, match=r"Timestamp outside the tolerance zone.*15 s old"):
        verify_signature(PAYLOAD, header(timestamp=NOW - 15), SECRET, NOW, tolerance=10)


def test_a_timestamp_further_in_the_future_than_the_tolerance_is_refused() -> None:
    with pytest.raises(
        SignatureError, match=r"Timestamp outside the tolerance zone.*15 s in the future"
    ):
        verify_signature(PAYLOAD, header(timestamp=NOW + 15), SECRET, NOW, tolerance=10)


@pytest.mark.parametrize("offset", [-300, -1, 0, 1, 300])
def test_timestamps_within_the_default_tolerance_pass_both_ways(offset: int) -> None:
    verify_signature(PAYLOAD, header(timestamp=NOW + offset), SECRET, NOW)


def test_a_valid_signature_among_several_is_enough() -> None:
    verify_signature(PAYLOAD, header() + ",v1=bad_signature", SECRET, NOW, tolerance=10)
    verify_signature(PAYLOAD, f"t={NOW},v1=bad_signature,v1={sign()}", SECRET, NOW)
    # While a rolled secret's old value is live, Stripe signs with both.
    old = sign(secret="whsec_old")
    rolled = f"t={NOW},v1={old},v1={sign()},v0=ignored"
    verify_signature(PAYLOAD, rolled, SECRET, NOW)
    verify_signature(PAYLOAD, rolled, "whsec_old", NOW)


def test_a_mutated_body_does_not_verify() -> None:
    mutated = PAYLOAD.replace(b"rdr_123", b"rdr_124")
    with pytest.raises(SignatureError, match="No signatures found matching"):
        verify_signature(mutated, header(), SECRET, NOW)


def test_a_resigned_timestamp_does_not_verify() -> None:
    forged = header().replace(f"t={NOW}", f"t={NOW + 5}")
    with pytest.raises(SignatureError, match="No signatures found matching"):
        verify_signature(PAYLOAD, forged, SECRET, NOW)


def test_the_same_json_serialised_again_does_not_verify() -> None:
    # Parsing and re-serialising changes the bytes (whitespace here): verify the raw body.
    reserialised = json.dumps(json.loads(PAYLOAD)).encode()
    assert json.loads(reserialised) == json.loads(PAYLOAD) and reserialised != PAYLOAD
    with pytest.raises(SignatureError, match="No signatures found matching"):
        verify_signature(reserialised, header(), SECRET, NOW)
    compact = json.dumps(json.loads(PAYLOAD), separators=(",", ":")).encode()
    with pytest.raises(SignatureError):
        verify_signature(compact, header(), SECRET, NOW)


def test_spaces_around_header_elements_are_tolerated() -> None:
    verify_signature(PAYLOAD, f"t={NOW}, v1={sign()}", SECRET, NOW)


def test_a_body_that_is_not_utf8_is_signed_as_bytes() -> None:
    payload = b"\xff\xfe binary"
    verify_signature(payload, header(payload=payload), SECRET, NOW)


def test_the_tolerance_cannot_be_switched_off() -> None:
    with pytest.raises(ValueError, match="positive"):
        verify_signature(PAYLOAD, header(timestamp=12345), SECRET, NOW, tolerance=0)


def test_signature_header_signs_as_stripe_does() -> None:
    assert signature_header(PAYLOAD, SECRET, NOW) == header()
    verify_signature(PAYLOAD, signature_header(PAYLOAD, SECRET, NOW), SECRET, NOW)
