"""`run` and `setup`: start everything on one machine, or only prepare it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from types import FrameType

import click
import httpx

from cbe_app import embedded_redis
from cbe_app.bootstrap import StartReport, prepare
from cbe_app.cli import cli
from cbe_app.config import PROJECT_ROOT, Settings, get_settings
from cbe_app.dbtypes import utcnow
from cbe_app.jobs.runner import Step


def _report(report: StartReport) -> None:
    pack = report.pack
    click.echo(
        f"Pack {pack.pack} {pack.version}: {len(pack.created)} new, {len(pack.updated)} updated, "
        f"{len(pack.unchanged)} unchanged, {len(pack.kept)} kept as edited."
    )
    if report.demo_users:
        click.echo(f"Created {report.demo_users} demo users (see README).")
    if report.demo_orders:
        click.echo(f"Demo synced from the provider sandboxes: {report.demo_orders:,} orders.")


def _progress(account: str, step: Step) -> None:
    if step.total or step.finished:
        click.echo(
            f"\r  syncing {account:<12} {step.done:>7,} / {max(step.total, step.done):,}",
            nl=step.finished,
        )


def _start_sandbox(settings: Settings, as_of: datetime) -> subprocess.Popen[bytes] | None:
    """The demo's provider sandboxes, when the demo is on; waits until they answer.

    They serve the business as it is at `as_of`, the same moment the first start's demo
    sync takes as "now", so the labels the hub records are the parcels the carriers know.
    """
    if not settings.demo:
        return None
    command = [
        sys.executable,
        "-m",
        "cbe_app",
        "sandbox",
        "--port",
        str(settings.sandbox_port),
        "--orders",
        str(settings.demo_orders),
        "--as-of",
        as_of.isoformat(),
    ]
    sandbox = subprocess.Popen(command, cwd=PROJECT_ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(settings.sandbox_url, timeout=1).status_code == 200:
                return sandbox
        except httpx.HTTPError:
            pass
        if sandbox.poll() is not None:
            break
        time.sleep(0.2)
    _stop({"sandbox": sandbox})
    raise click.ClickException(
        f"The provider sandboxes did not start on port {settings.sandbox_port}."
    )


@cli.command("setup")
def setup() -> None:
    """Upgrade the database, load the solution pack, and on first start the demo."""
    settings = get_settings()
    children: dict[str, subprocess.Popen[bytes]] = {}
    if settings.embedded_redis and (server := embedded_redis.start(settings.data_dir)) is not None:
        children["redis"] = server
    try:
        as_of = utcnow()
        if (sandbox := _start_sandbox(settings, as_of)) is not None:
            children["sandbox"] = sandbox
        _report(prepare(settings, utcnow, as_of, _progress))
    finally:
        redis_server = children.pop("redis", None)
        _stop(children)
        if redis_server is not None:
            _stop({"redis": redis_server})


def _commands(settings: Settings) -> dict[str, list[str]]:
    python = sys.executable
    reflex = [python, "-m", "reflex", "run", "--env", "prod", "--single-port", "--loglevel", "info"]
    celery = [python, "-m", "celery", "-A", "tasks.celery_app"]
    return {
        "app": reflex,
        "worker": [
            *celery,
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(settings.workers),
            "--hostname",
            f"worker-{os.getpid()}@%h",
        ],
        "beat": [
            *celery,
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(settings.data_dir / "celerybeat-schedule"),
        ],
    }


def _stop(children: dict[str, subprocess.Popen[bytes]], grace: float = 15.0) -> None:
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children.values():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


@cli.command("run")
@click.option("--skip-setup", is_flag=True, help="Do not upgrade, load the pack or the demo first.")
def run(skip_setup: bool) -> None:
    """Run the app, a worker and beat (and the embedded Redis) until Ctrl-C."""
    settings = get_settings()
    children: dict[str, subprocess.Popen[bytes]] = {}
    server = embedded_redis.start(settings.data_dir) if settings.embedded_redis else None
    if server is not None:
        children["redis"] = server
    stopping = False

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    try:
        as_of = utcnow()
        if (sandbox := _start_sandbox(settings, as_of)) is not None:
            children["sandbox"] = sandbox
        if not skip_setup:  # Ctrl-C here interrupts the setup at once (its steps are idempotent)
            _report(prepare(settings, utcnow, as_of, _progress))
        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        env = {
            **os.environ,
            "REDIS_URL": settings.resolved_redis_url,
            "GRANIAN_WORKERS": str(settings.app_workers),
        }
        for name, command in _commands(settings).items():
            children[name] = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, start_new_session=True
            )
        click.echo(f"cbe_app is starting at {settings.app_url}  (Ctrl-C stops everything)")
        while not stopping:
            ended = [name for name, child in children.items() if child.poll() is not None]
            if ended:
                raise click.ClickException(
                    f"{', '.join(ended)} stopped unexpectedly; shutting down."
                )
            time.sleep(0.5)
    finally:
        redis_server = children.pop("redis", None)
        _stop(children)
        if redis_server is not None:
            _stop({"redis": redis_server})
        click.echo("Stopped.")
