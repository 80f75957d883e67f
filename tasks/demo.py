"""Demo data tasks."""

from __future__ import annotations

from celery import Task

from cbe_app.config import get_settings
from cbe_app.demo.service import LOAD_TASK, demo_step
from tasks.celery_app import app
from tasks.runner import run_job_task


@app.task(name=LOAD_TASK, bind=True)
def load(self: Task, job_id: int) -> str:
    """Load (or finish loading) the demo business for a job."""
    return run_job_task(self, job_id, demo_step(get_settings().base_currency))
