"""`kpi`: a KPI of the library as JSON (see docs/kpis.md); `inventory record`: stock history."""

from __future__ import annotations

import json
from datetime import datetime

import click

from cbe_app.cli import cli
from cbe_app.cli.hub import _HubCommand
from cbe_app.config import get_settings
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.reports.service import record_inventory_now, run_kpi

_DAY = click.DateTime(formats=["%Y-%m-%d"])


@cli.command("kpi", cls=_HubCommand)
@click.argument("name")
@click.option("--by", "by", default=None, help="A field (country, channel…) or day/week/month.")
@click.option("--from", "start", type=_DAY, default=None, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", type=_DAY, default=None, help="Last day (included), YYYY-MM-DD.")
def kpi(name: str, by: str | None, start: datetime | None, end: datetime | None) -> None:
    """Print KPI NAME (gmv, gmv_net, orders, aov, refund_rate…) in the base currency.

    Prints {"kpi", "currency", "rows": [{<by>: value, "value": "decimal string"}]}: one row
    without --by. Without --from/--to, all time.
    """
    if start and end and start > end:
        raise click.ClickException("--from must not be after --to")
    with session_scope() as session:
        result = run_kpi(
            session,
            name.strip().lower(),
            by=by.strip().lower() if by else None,
            start=start.date() if start else None,
            end=end.date() if end else None,
            now=utcnow(),
            base_currency=get_settings().base_currency,
        )
    click.echo(json.dumps(result, ensure_ascii=False))


@cli.group("inventory")
def inventory() -> None:
    """Stock history and product sales, for inventory turnover."""


@inventory.command("record", cls=_HubCommand)
@click.option("--every-day", is_flag=True, help="Sum the sales of every day, not just recent ones.")
def record(every_day: bool) -> None:
    """Keep today's stock levels as today's stock and sum product sales again.

    Prints {"stock_rows", "sales_rows", "not_valued": {SKU: reason}}. Beat does this every
    hour (recent days) and every night (every day).
    """
    result = record_inventory_now(utcnow(), get_settings().base_currency, every_day=every_day)
    click.echo(json.dumps(result, ensure_ascii=False))
