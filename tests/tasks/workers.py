"""Real Celery worker processes for the reliability tests, and waiting on real conditions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cbe_app.config import PROJECT_ROOT
from cbe_app.db import session_scope
from cbe_app.jobs.models import Job


class Worker:
    """A Celery worker process group (`tasks.celery_app`, one pool process) with its own log.

    It inherits this process's environment, so it uses the test's database and Redis.
    """

    def __init__(self, name: str, log_dir: Path) -> None:
        self.log = log_dir / f"{name}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tasks.celery_app",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=dict(os.environ),
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        """Return once the worker consumes from the queue; fail with its log if it died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log.read_text(errors="replace"):
                return
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.2)
        raise AssertionError(f"worker not ready:\n{self.log.read_text()}")

    def kill_hard(self) -> None:
        """SIGKILL the worker and its pool: nothing gets to clean up or acknowledge."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Warm shutdown, or SIGKILL when it does not come."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill_hard()


def job_state(job_id: int) -> Job:
    """The job row as committed now."""
    with session_scope() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll `condition` until it holds; returns the seconds it took, fails after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
