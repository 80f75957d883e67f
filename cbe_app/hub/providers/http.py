"""The HTTP client every connector uses: timeouts, retries, rate limits and idempotency keys.

One `ProviderClient` per account and sync. It retries 429 and 5xx responses and network
errors with exponential backoff and full jitter, waiting at least what `Retry-After` asks; it
paces requests with a token bucket for the account's rate limit; and it sends an idempotency
key on requests that create something, reusing the same key on every retry, so a retried
create never creates twice. The clock and the sleep are injectable for tests.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class ProviderError(Exception):
    """A provider call failed; `retryable` says whether trying again later can help."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class ProviderAuthError(ProviderError):
    """The provider refused the credentials: a person must fix the account."""


@dataclass
class RateLimit:
    """A token bucket: `per_second` requests on average, bursts of up to `burst`."""

    per_second: float
    burst: int = 1
    _tokens: float = field(default=-1.0, init=False)
    _at: float = field(default=0.0, init=False)

    def wait_time(self, now: float) -> float:
        """Seconds to wait before the next request may go (and take its token)."""
        if self._tokens < 0:
            self._tokens, self._at = float(self.burst), now
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.per_second)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        wait = (1 - self._tokens) / self.per_second
        self._tokens = 0.0
        self._at = now + wait
        return wait


@dataclass
class RetryPolicy:
    """How often and how long to retry."""

    attempts: int = 5
    base_seconds: float = 0.5
    cap_seconds: float = 30.0

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Full-jitter exponential backoff, never shorter than the provider's Retry-After."""
        jittered = random.uniform(0, min(self.cap_seconds, self.base_seconds * 2**attempt))  # noqa: S311
        return max(jittered, min(retry_after or 0.0, self.cap_seconds * 4))


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds: it may be a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


class ProviderClient:
    """HTTP to one provider account (see the module docstring)."""

    def __init__(
        self,
        base_url: str,
        *,
        provider: str,
        rate: RateLimit | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_header: str = "Idempotency-Key",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.rate = rate
        self.retry = retry or RetryPolicy()
        self.idempotency_header = idempotency_header
        self._sleep, self._clock = sleep, clock
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=DEFAULT_TIMEOUT,
            headers=dict(headers or {}),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def adopt_pacing(self, other: ProviderClient) -> None:
        """Pace on from where `other` (a client of the same account) left off.

        A sync's read-ahead helper takes over from the step's client: with fresh rate buckets
        the pair could exceed the account's limit right after the handover.
        """
        self.rate = other.rate

    def __enter__(self) -> ProviderClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def set_header(self, name: str, value: str) -> None:
        """Set a header for all later requests (e.g. a refreshed access token)."""
        self._http.headers[name] = value

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """Send a request, retrying what is worth retrying; returns a 2xx response or raises."""
        extra = dict(headers or {})
        if idempotency_key:
            extra[self.idempotency_header] = idempotency_key
        body = orjson.dumps(json) if json is not None else None
        if body is not None:
            extra.setdefault("Content-Type", "application/json")
        for attempt in range(self.retry.attempts):
            self._pace()
            try:
                response = self._http.request(
                    method, path, params=params, content=body, data=data, headers=extra
                )
            except httpx.TransportError as exc:
                if attempt + 1 == self.retry.attempts:
                    raise ProviderError(
                        f"{self.provider}: {type(exc).__name__}: {exc}", retryable=True
                    ) from exc
                self._sleep(self.retry.backoff(attempt, None))
                continue
            if response.status_code < 400:
                return response
            self._raise_unless_retryable(response, attempt)
            wait = retry_after_seconds(response.headers.get("Retry-After"), time.time())
            self._sleep(self.retry.backoff(attempt, wait))
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """`request` and parse the body as JSON."""
        response = self.request(method, path, **kwargs)
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise ProviderError(f"{self.provider}: the response to {path} is not JSON") from exc

    def _pace(self) -> None:
        if self.rate is not None:
            wait = self.rate.wait_time(self._clock())
            if wait > 0:
                self._sleep(wait)

    def _raise_unless_retryable(self, response: httpx.Response, attempt: int) -> None:
        status = response.status_code
        detail = response.text[:300].strip()
        if status in (401, 403):
            raise ProviderAuthError(
                f"{self.provider} refused the credentials ({status}): {detail}", status=status
            )
        if status not in RETRYABLE:
            raise ProviderError(f"{self.provider} answered {status}: {detail}", status=status)
        if attempt + 1 == self.retry.attempts:
            raise ProviderError(
                f"{self.provider} answered {status} {self.retry.attempts} times: {detail}",
                status=status,
                retryable=True,
            )
