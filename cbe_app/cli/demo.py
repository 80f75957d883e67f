"""`demo …`: the demo business."""

from __future__ import annotations

from datetime import date

import click

from cbe_app.bootstrap import create_demo_users, load_demo_data
from cbe_app.cli import cli
from cbe_app.config import get_settings
from cbe_app.dbtypes import utcnow
from cbe_app.demo.service import DemoParams
from cbe_app.jobs.runner import Step


@cli.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option(
    "--orders",
    default=50_000,
    show_default=True,
    type=click.IntRange(0, 10_000_000),
    help="How many orders to generate.",
)
@click.option("--seed", default=7, show_default=True, type=int, help="Same seed, same data.")
@click.option(
    "--end", "end", default=None, help="Last day of the 18 months (YYYY-MM-DD; default today)."
)
def load(orders: int, seed: int, end: str | None) -> None:
    """Generate the demo business and load it; loading again changes nothing."""
    try:
        last_day = date.fromisoformat(end) if end else utcnow().date()
    except ValueError:
        raise click.BadParameter(
            f"{end!r} is not a date like 2026-11-24", param_hint="--end"
        ) from None
    users = create_demo_users(utcnow())

    def show(step: Step) -> None:
        if step.total:
            click.echo(f"\r  {step.done:>9,} / {step.total:,} orders", nl=step.finished)

    count = load_demo_data(
        DemoParams(orders, seed, last_day), get_settings().base_currency, utcnow, show
    )
    click.echo(
        f"Demo data loaded: {count:,} orders" + (f", {users} demo users" if users else "") + "."
    )
