"""The connectors' HTTP client against a scripted transport: retries, pacing, idempotency."""

from __future__ import annotations

import httpx
import pytest

from cbe_app.hub.providers.http import (
    ProviderAuthError,
    ProviderClient,
    ProviderError,
    RateLimit,
    RetryPolicy,
    retry_after_seconds,
)


def scripted(
    *answers: httpx.Response | Exception,
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handle), seen


def client(transport: httpx.MockTransport, sleeps: list[float], **kwargs: object) -> ProviderClient:
    return ProviderClient(
        "https://api.example",
        provider="test",
        transport=transport,
        sleep=sleeps.append,
        retry=RetryPolicy(attempts=4, base_seconds=0.1),
        **kwargs,
    )  # type: ignore[arg-type]


def test_429_and_5xx_are_retried_waiting_at_least_retry_after() -> None:
    transport, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(503),
        httpx.Response(200, json={"ok": True}),
    )
    sleeps: list[float] = []
    assert client(transport, sleeps).json("GET", "/orders") == {"ok": True}
    assert len(seen) == 3
    assert sleeps[0] >= 3.0 and 0 <= sleeps[1] <= 0.2


def test_a_create_keeps_its_idempotency_key_on_every_retry() -> None:
    transport, seen = scripted(
        httpx.ConnectTimeout("slow"), httpx.Response(502), httpx.Response(201, json={})
    )
    client(transport, []).request("POST", "/shipments", json={"a": 1}, idempotency_key="ship-42")
    assert [r.headers["Idempotency-Key"] for r in seen] == ["ship-42"] * 3
    assert seen[0].content == b'{"a":1}'


def test_refused_credentials_are_not_retried() -> None:
    transport, seen = scripted(httpx.Response(401, text="bad token"))
    with pytest.raises(ProviderAuthError, match="refused the credentials"):
        client(transport, []).request("GET", "/orders")
    assert len(seen) == 1


def test_a_client_error_is_final_and_says_what_the_provider_said() -> None:
    transport, _ = scripted(httpx.Response(400, text="InvalidInput: CreatedAfter"))
    with pytest.raises(ProviderError) as caught:
        client(transport, []).request("GET", "/orders")
    assert not caught.value.retryable and "InvalidInput" in str(caught.value)


def test_giving_up_after_the_last_attempt_is_retryable_later() -> None:
    transport, seen = scripted(*[httpx.Response(503)] * 4)
    with pytest.raises(ProviderError) as caught:
        client(transport, []).request("GET", "/orders")
    assert caught.value.retryable and len(seen) == 4


class PacedClients:
    """Clients paced at two requests a second (a burst of two) on a fake clock."""

    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, list[float]()

    def sleep(self, seconds: float) -> None:  # time passes while the client waits
        self.sleeps.append(seconds)
        self.now += seconds

    def client(self, answers: int) -> ProviderClient:
        return ProviderClient(
            "https://api.example",
            provider="test",
            transport=scripted(*[httpx.Response(200, json={})] * answers)[0],
            sleep=self.sleep,
            rate=RateLimit(per_second=2.0, burst=2),
            clock=lambda: self.now,
        )


def test_requests_are_paced_by_the_accounts_rate_limit() -> None:
    clients = PacedClients()
    paced = clients.client(4)
    for _ in range(4):
        paced.request("GET", "/orders")
    assert clients.sleeps == [0.5, 0.5]  # a burst of two, then two per second


def test_retry_after_may_be_seconds_or_a_date() -> None:
    assert retry_after_seconds("2", 0) == 2.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == 10.0
    assert retry_after_seconds("soon", 0) is None


def test_a_client_that_takes_over_paces_on_from_the_first() -> None:
    # The sync's read-ahead helper opens its own client: it must not start with a full bucket.
    clients = PacedClients()
    first = clients.client(2)
    first.request("GET", "/orders")
    first.request("GET", "/orders")
    second = clients.client(1)
    second.adopt_pacing(first)
    second.request("GET", "/orders")
    assert clients.sleeps == [0.5]  # the burst was spent by the first client
