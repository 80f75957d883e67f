"""An SP-API session: Login with Amazon access tokens and one usage plan per operation.

Every SP-API call carries a short-lived LWA access token in `x-amz-access-token`. The session
exchanges the account's refresh token for one (`POST /auth/o2/token`,
grant_type=refresh_token, with the app's client id and secret) when it opens, again shortly
before the token's `expires_in` runs out, and once more when a call is refused with 401/403
(a token revoked or expired early), retrying that call. LWA answers a wrong client with 401
`invalid_client` and a wrong or revoked refresh token with 400 `invalid_grant`; both are
credential problems a person must fix, so both raise `ProviderAuthError`.

Amazon limits each operation separately (a token bucket per operation and selling partner),
so the session keeps one `RateLimit` per operation and paces each call by its own plan. It
also tells how long the next call of an operation would wait, so that a sync step can stop
before a long wait instead of sleeping through it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from cbe_app.hub.providers.amazon.common import PROVIDER
from cbe_app.hub.providers.http import ProviderAuthError, ProviderClient, ProviderError, RateLimit

LWA_PRODUCTION = "https://api.amazon.com/auth/o2/token"
LWA_PATH = "/auth/o2/token"
TOKEN_MARGIN = 60.0  # seconds before the stated expiry at which a token counts as expired
DEFAULT_TOKEN_SECONDS = 3600.0  # LWA access tokens last an hour


def lwa_url(base_url: str, settings: Mapping[str, Any]) -> str:
    """Where to get access tokens: the `lwa_url` setting, else Amazon's LWA endpoint for the
    SP-API hosts (sellingpartnerapi-*.amazon.com), else the base URL's own (the sandbox)."""
    configured = str(settings.get("lwa_url") or "").strip()
    if configured:
        return configured
    host = urlsplit(base_url).hostname or ""
    if host == "amazon.com" or host.endswith(".amazon.com"):
        return LWA_PRODUCTION
    return base_url.rstrip("/") + LWA_PATH


class SpApiSession(ProviderClient):
    """A `ProviderClient` that keeps an LWA token fresh and paces each operation by its plan."""

    def __init__(
        self,
        base_url: str,
        *,
        token_url: str,
        credentials: Mapping[str, Any],
        plans: Mapping[str, RateLimit | None],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url,
            provider=PROVIDER,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "cbe_app/1.0 (Language=Python)"},
        )
        self.token_url = token_url
        self.plans = dict(plans)
        self._grant = {
            "grant_type": "refresh_token",
            "refresh_token": str(credentials.get("refresh_token", "")),
            "client_id": str(credentials.get("client_id", "")),
            "client_secret": str(credentials.get("client_secret", "")),
        }
        self._expires_at = 0.0
        self.tokens_fetched = 0

    def adopt_pacing(self, other: ProviderClient) -> None:
        """Pace each operation on from where `other` left off (see `ProviderClient`)."""
        super().adopt_pacing(other)
        if isinstance(other, SpApiSession):
            self.plans = other.plans

    def authenticate(self) -> None:
        """Exchange the refresh token for a new access token.

        Raises:
            ProviderAuthError: when LWA refuses the client or the refresh token.
        """
        self.rate = None  # LWA is not an SP-API operation: no usage plan applies
        try:
            body = self.json("POST", self.token_url, data=self._grant)
        except ProviderAuthError:
            raise
        except ProviderError as exc:
            if exc.status == 400:  # invalid_grant: the refresh token is wrong or revoked
                detail = str(exc).partition(": ")[2]
                raise ProviderAuthError(
                    f"{PROVIDER} refused the credentials (400): {detail}", status=400
                ) from exc
            raise
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ProviderError(f"{PROVIDER}: the LWA token response has no access_token")
        self.set_header("x-amz-access-token", token)
        lifetime = float(body.get("expires_in") or DEFAULT_TOKEN_SECONDS)
        self._expires_at = self._clock() + max(lifetime - TOKEN_MARGIN, 0.0)
        self.tokens_fetched += 1

    def call(self, operation: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET one SP-API operation, paced by its usage plan; returns the JSON body."""
        if self._clock() >= self._expires_at:
            self.authenticate()
        self.rate = self.plans.get(operation)
        try:
            return self.json("GET", path, params=params)
        except ProviderAuthError:
            # A token Amazon stopped accepting before its time: one new token, one more try.
            self.authenticate()
            self.rate = self.plans.get(operation)
            return self.json("GET", path, params=params)

    def seconds_until(self, operation: str) -> float:
        """How long the next call of `operation` would wait for its usage plan (0 if none)."""
        plan = self.plans.get(operation)
        return copy.copy(plan).wait_time(self._clock()) if plan else 0.0

    def now(self) -> float:
        """The session's clock (monotonic seconds; injectable for tests)."""
        return self._clock()

    def pause(self, seconds: float) -> None:
        """Sleep with the session's sleep (injectable for tests)."""
        if seconds > 0:
            self._sleep(seconds)
