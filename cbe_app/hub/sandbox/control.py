"""What a sandbox enforces like the real provider: credentials, rate limits and failures.

Rate limits answer 429 with `Retry-After`, as the providers do; `fail_every` makes every Nth
request a 503, so tests can watch clients retry. Demo credentials are fixed and public: the
demo's accounts use them, and a wrong one gets the provider's 401.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

DEMO_CREDENTIALS: dict[str, dict[str, str]] = {
    "amazon": {
        "client_id": "amzn1.application-oa2-client.demo",
        "client_secret": "demo-lwa-secret",
        "refresh_token": "Atzr|demo-refresh-token",
        "marketplace_id": "ATVPDKIKX0DER",
    },
    "shopify": {
        "access_token": "shpat_demo_0123456789abcdef",
        "webhook_secret": "demo-shopify-webhook-secret",
    },
    "ebay": {
        "client_id": "demo-ebay-app",
        "client_secret": "demo-ebay-secret",
        "refresh_token": "v^1.1#demo",
    },
    "walmart": {"client_id": "demo-walmart-client", "client_secret": "demo-walmart-secret"},
    "woocommerce": {"consumer_key": "ck_demo0123456789", "consumer_secret": "cs_demo0123456789"},
    "fedex": {"client_id": "demo-fedex-key", "client_secret": "demo-fedex-secret"},
    "dhl": {
        "username": "demo-dhl-user",
        "password": "demo-dhl-password",
        "account_number": "123456789",
    },
    "4px": {"app_key": "demo-4px-key", "app_secret": "demo-4px-secret"},
    "paypal": {"client_id": "demo-paypal-client", "client_secret": "demo-paypal-secret"},
    "stripe": {"secret_key": "sk_test_demo0123456789", "webhook_secret": "whsec_demo0123456789"},
}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response encoded with orjson (sandboxes serve large pages fast)."""
    return Response(
        orjson.dumps(body), status_code=status, headers=headers, media_type="application/json"
    )


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class SandboxControl:
    """Limits and failure injection shared by every provider sandbox of one server."""

    requests_per_second: float | None = None  # per credential; None = unlimited
    burst: int = 10
    fail_every: int = 0  # every Nth request answers 503 (0 = never)
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    tokens: dict[str, str] = field(default_factory=dict)  # issued access token -> provider

    def refuse(self, key: str) -> Response | None:
        """A 503 or 429 to send instead of the answer, or None to answer normally."""
        with self._lock:
            count = next(self._counter) + 1
            if self.fail_every and count % self.fail_every == 0:
                return json_response(
                    {"error": "service temporarily unavailable"}, 503, {"Retry-After": "0"}
                )
            if self.requests_per_second is None:
                return None
            now = self.clock()
            bucket = self._buckets.setdefault(key, _Bucket(float(self.burst), now))
            bucket.tokens = min(
                self.burst, bucket.tokens + (now - bucket.at) * self.requests_per_second
            )
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return None
            wait = math.ceil((1 - bucket.tokens) / self.requests_per_second)
        return json_response(
            {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota."}]},
            429,
            {"Retry-After": str(wait)},
        )

    def issue_token(self, provider: str) -> str:
        """A new access token for a provider's OAuth flow."""
        token = f"{provider}-demo-token-{next(self._counter)}"
        self.tokens[token] = provider
        return token

    def token_valid(self, provider: str, token: str | None) -> bool:
        """True for a token this sandbox issued for the provider."""
        return token is not None and self.tokens.get(token) == provider


def bearer(request: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header."""
    value = request.headers.get("authorization", "")
    return value[7:].strip() if value.lower().startswith("bearer ") else None


def unauthorized(message: str = "Access to requested resource is denied.") -> Response:
    """The 401 providers send for missing or wrong credentials."""
    return json_response({"errors": [{"code": "Unauthorized", "message": message}]}, 401)
