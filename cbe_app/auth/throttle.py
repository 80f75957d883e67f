"""Sign-in throttling: how long an account or a client address must wait after failures.

Pure policy: given the recent failures, it answers with a wait in seconds. Counting both per
account and per network address stops guessing one password across many accounts as well
as many passwords against one account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures are tolerated within the window, per account and per address."""

    window: timedelta = timedelta(minutes=15)
    max_failures_per_account: int = 5
    max_failures_per_address: int = 30


DEFAULT_POLICY = ThrottlePolicy()


def _wait(failures: Sequence[datetime], limit: int, window: timedelta, now: datetime) -> int:
    recent = sorted(at for at in failures if now - at < window)
    if len(recent) < limit:
        return 0
    # Locked until the oldest of the last `limit` failures leaves the window.
    unlock_at = recent[-limit] + window
    return max(1, int((unlock_at - now).total_seconds() + 0.999))


def seconds_to_wait(
    account_failures: Sequence[datetime],
    address_failures: Sequence[datetime],
    now: datetime,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> int:
    """Seconds before another attempt is allowed (0 = allowed now)."""
    return max(
        _wait(account_failures, policy.max_failures_per_account, policy.window, now),
        _wait(address_failures, policy.max_failures_per_address, policy.window, now),
    )
