"""Celery settings shared by the workers and by the app server that dispatches jobs.

The three settings that together keep work from being lost (see
docs/reliability.md): late acknowledgement, rejection when a worker process dies, and a
visibility timeout short enough that a message held by a killed worker comes back within
seconds. Every task must finish within the visibility timeout, which is why long jobs run
in steps and continue themselves (`cbe_app.jobs.runner`).
"""

from __future__ import annotations

from typing import Any

from cbe_app.config import Settings

VISIBILITY_TIMEOUT = 20  # seconds a delivered-but-unacknowledged message stays reserved
HARD_TIME_LIMIT = 15  # < VISIBILITY_TIMEOUT, so a running task is never handed out twice
SOFT_TIME_LIMIT = 12


def celery_settings(settings: Settings) -> dict[str, Any]:
    """The Celery configuration for these settings."""
    transport = {
        "visibility_timeout": VISIBILITY_TIMEOUT,
        # kombu sweeps unacked messages back to the queue only every 100 s by default.
        "unacked_restore_interval": 2,
        "unacked_restore_throttle": 1,
        "socket_timeout": 10,
    }
    return {
        "broker_url": settings.celery_broker_url,
        "broker_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "result_backend": None,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_time_limit": HARD_TIME_LIMIT,
        "task_soft_time_limit": SOFT_TIME_LIMIT,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "timezone": "UTC",
        "enable_utc": True,
        "task_default_queue": "cbe",
        "worker_hijack_root_logger": False,
    }
