"""The Celery application of the workers and of beat.

Start a worker with `celery -A tasks.celery_app worker`; `python -m cbe_app run` does it
for you. Settings come from `cbe_app.jobs.celery_config` so the app server's dispatcher and
the workers can never disagree about the broker or the reliability settings.
"""

from __future__ import annotations

import logging

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

from cbe_app.config import get_settings
from cbe_app.jobs.celery_config import celery_settings

app = Celery("cbe")
app.conf.update(celery_settings(get_settings()))
app.conf.include = ["tasks.demo", "tasks.hub", "tasks.maintenance", "tasks.reports"]
app.conf.beat_schedule = {
    "purge-expired-sessions": {
        "task": "cbe.auth.purge_sessions",
        "schedule": crontab(minute=17),
    },
    "sync-due-accounts": {
        "task": "cbe.hub.sync_due",
        "schedule": 60.0,
    },
    # Readers add the log to the sums, so this only keeps the log short: dashboards stay fast.
    "compact-rollups": {
        "task": "cbe.reports.compact",
        "schedule": 30.0,
    },
    # The day's last record is its end-of-day stock; recent sales are summed again for late
    # cancellations and returns, and every day's once a night.
    "record-inventory": {
        "task": "cbe.reports.record_inventory",
        "schedule": crontab(minute=5),
    },
    "resum-sales-every-day": {
        "task": "cbe.reports.queue_resum_sales",
        "schedule": crontab(hour=2, minute=35),
    },
    "queue-report-deliveries": {
        "task": "cbe.reports.queue_deliveries",
        "schedule": 60.0,
    },
    "remove-old-exports": {
        "task": "cbe.reports.remove_old_exports",
        "schedule": crontab(minute=41),
    },
    "redispatch-stalled-jobs": {
        "task": "cbe.jobs.redispatch_stalled",
        "schedule": 60.0,
    },
}


@setup_logging.connect
def _logging(**_: object) -> None:
    """Plain one-line logs on stderr, the same format as the app server's."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
