"""Sending work to the workers by task name (the app never imports the task modules)."""

from __future__ import annotations

import functools
import os

from celery import Celery

from cbe_app.config import get_settings
from cbe_app.jobs.celery_config import celery_settings


@functools.cache
def _producer(pid: int) -> Celery:
    producer = Celery("cbe-producer")
    producer.conf.update(celery_settings(get_settings()))
    return producer


def dispatch(task: str, *args: object, countdown: float | None = None) -> None:
    """Queue `task` with JSON-serialisable arguments (normally ids). Call after commit."""
    _producer(os.getpid()).send_task(task, args=list(args), countdown=countdown)
