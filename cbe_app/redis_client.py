"""Redis connections for this process (the configured server or the embedded one)."""

from __future__ import annotations

import functools
import os

import redis
import redis.asyncio as aioredis

from cbe_app.config import get_settings


@functools.cache
def _client(pid: int, url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30
    )


def get_redis() -> redis.Redis:
    """A synchronous client (one pool per process; pools must not cross a fork)."""
    return _client(os.getpid(), get_settings().resolved_redis_url)


def new_async_redis() -> aioredis.Redis:
    """A new asyncio client, for the app server's long-lived subscriptions."""
    return aioredis.Redis.from_url(get_settings().resolved_redis_url, health_check_interval=30)
