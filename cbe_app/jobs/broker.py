"""A start-up check of the Redis that carries the jobs: misconfiguration loses work silently.

Celery's Redis transport keeps queued and unacknowledged messages as ordinary keys; a Redis
that evicts keys under memory pressure drops jobs without a trace. The check fails fast with
what to change. Persistence is only advised: without it a Redis restart loses queued jobs,
which beat's stalled-job re-send repairs for jobs already in the job table.
"""

from __future__ import annotations

import logging

import redis

from cbe_app.core.errors import UserError
from cbe_app.core.i18n import N_

log = logging.getLogger(__name__)


class BrokerMisconfigured(UserError):
    """The job broker would lose work."""

    message_id = N_(
        "Redis evicts keys under memory pressure (maxmemory-policy {policy}), so queued jobs "
        "could vanish. Set maxmemory-policy to noeviction."
    )


def check_broker(client: redis.Redis) -> None:
    """Raise `BrokerMisconfigured` when Redis may evict keys; warn when it keeps nothing on disk.

    Managed services often disable CONFIG; then nothing can be checked and nothing is raised.
    """
    config: dict[str, str] = {}
    try:
        for name in ("maxmemory-policy", "appendonly", "save"):
            config.update(client.config_get(name))  # type: ignore[arg-type]
    except redis.ResponseError:
        log.info("Redis does not allow CONFIG GET; broker settings not checked")
        return
    policy = config.get("maxmemory-policy", "noeviction")
    if policy != "noeviction":
        raise BrokerMisconfigured(policy=policy)
    if config.get("appendonly") == "no" and not config.get("save"):
        log.warning("Redis keeps nothing on disk: a Redis restart loses queued jobs")
