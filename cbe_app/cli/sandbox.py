"""`sandbox`: serve every provider's emulator with the demo business."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from cbe_app.cli import cli
from cbe_app.dbtypes import utcnow
from cbe_app.hub.sandbox.control import SandboxControl
from cbe_app.hub.sandbox.data import SandboxData
from cbe_app.hub.sandbox.server import serve


@cli.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=3001, show_default=True, type=click.IntRange(1, 65535))
@click.option("--orders", default=50_000, show_default=True, type=click.IntRange(0, 10_000_000))
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--rate", type=float, default=None, help="Requests per second per credential (429 above)."
)
@click.option(
    "--fail-every", default=0, type=click.IntRange(0), help="Answer every Nth request with 503."
)
@click.option(
    "--only-channel", default=None, help="Serve every order through this channel (benchmarks)."
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"]),
    default=None,
    help="Serve the business as it is at this moment (default: now).",
)
def sandbox(
    host: str,
    port: int,
    orders: int,
    seed: int,
    rate: float | None,
    fail_every: int,
    only_channel: str | None,
    as_of: datetime | None,
) -> None:
    """Serve the provider sandboxes (the demo business, as each provider's API would)."""
    now = as_of.astimezone(UTC) if as_of else utcnow()
    data = SandboxData.demo(orders=orders, seed=seed, now=now, only_channel=only_channel)
    click.echo(f"Provider sandboxes on http://{host}:{port}/<provider> ({orders:,} demo orders)")
    serve(data, SandboxControl(requests_per_second=rate, fail_every=fail_every), host, port)
