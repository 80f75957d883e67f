from datetime import UTC, datetime, timedelta

from cbe_app.auth.throttle import ThrottlePolicy, seconds_to_wait

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(
    window=timedelta(minutes=15), max_failures_per_account=5, max_failures_per_address=30
)


def ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_below_the_limit_is_allowed() -> None:
    assert seconds_to_wait(ago(1, 2, 3, 4), [], NOW, POLICY) == 0


def test_fifth_failure_locks_until_the_oldest_leaves_the_window() -> None:
    wait = seconds_to_wait(ago(1, 2, 3, 4, 10), [], NOW, POLICY)
    assert wait == 5 * 60  # the failure 10 minutes ago leaves the 15-minute window in 5 minutes


def test_failures_outside_the_window_do_not_count() -> None:
    assert seconds_to_wait(ago(1, 2, 3, 16, 20, 30), [], NOW, POLICY) == 0


def test_many_accounts_from_one_address_are_throttled_too() -> None:
    assert seconds_to_wait([], ago(*[i / 3 for i in range(30)]), NOW, POLICY) > 0
    assert seconds_to_wait([], ago(*[i / 3 for i in range(29)]), NOW, POLICY) == 0
