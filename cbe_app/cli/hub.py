"""`normalize`, `import` and `sync`: the data hub from the command line.

Every mistake an operator can make (an unknown provider, a missing or unreadable file, a
payload of another shape, an unknown account, a provider refusing a sync) ends as one line on
stderr and a non-zero exit code. Records that cannot be accepted are never dropped silently:
`normalize` names each one and why on stderr; `import` and `sync` quarantine them, and
`import` names them too. See docs/canonical-records.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cbe_app.cli import cli
from cbe_app.config import get_settings
from cbe_app.dbtypes import utcnow
from cbe_app.hub.imports import import_file, normalise_file
from cbe_app.hub.providers.http import ProviderError
from cbe_app.hub.providers.registry import PROVIDERS
from cbe_app.hub.sync import sync_now
from cbe_app.jobs.runner import JobFailed
from cbe_app.reports.service import compact_rollups

_PROVIDER = click.Choice(sorted(PROVIDERS), case_sensitive=False)
_FILE = click.Path(path_type=Path, dir_okay=False)
_SHOWN = 50  # quarantined records named after an import; the rest are counted


class _UsageLine(click.ClickException):
    """A usage mistake as one line (click would add the usage text before it)."""

    exit_code = 2


class _HubCommand(click.Command):
    """A command whose wrong or missing options are one line too, with the help to read."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            where = f"{parent.command_path} {info_name}" if parent else info_name
            message = " ".join(exc.format_message().split()).rstrip(".")
            raise _UsageLine(f"{message}. See '{where} --help'.") from None


def _one_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@cli.command("normalize", cls=_HubCommand)
@click.option("--provider", required=True, type=_PROVIDER, help="Whose format the file is in.")
@click.argument("file", type=_FILE)
def normalize(provider: str, file: Path) -> None:
    """Print FILE's records as a JSON array of canonical records; touches no database.

    FILE is one response body as the provider's API returns it (or a CSV/XLSX file: orders
    for `csv`, an ad platform's export for `adspend`). A record that cannot be made canonical
    is left out and named on stderr with the reason; the exit code stays 0, as `import` would
    quarantine it.
    """
    out = normalise_file(provider, file, get_settings().base_currency, utcnow())
    click.echo(json.dumps(out.records, indent=2, ensure_ascii=False))
    for problem in out.problems:
        click.echo(f"not normalised: {problem}", err=True)
    if not out.records and not out.problems:
        click.echo(
            f"note: {file} holds no records (an empty page, or a notification that only "
            "names a record: the sync reads that record itself)",
            err=True,
        )


@cli.command("import", cls=_HubCommand)
@click.option("--provider", required=True, type=_PROVIDER, help="Whose format the file is in.")
@click.argument("file", type=_FILE)
def import_(provider: str, file: Path) -> None:
    """Load FILE through the sync's upsert path and print what it did; again changes nothing.

    Records that cannot be accepted are quarantined with the reason (Data hub › Quarantine)
    and named on stderr.
    """
    problems: list[str] = []
    summary = import_file(provider, file, get_settings().base_currency, utcnow(), problems=problems)
    click.echo(json.dumps(summary.as_dict()))
    for problem in problems[:_SHOWN]:
        click.echo(f"quarantined: {problem}", err=True)
    if summary.quarantined > min(len(problems), _SHOWN):
        click.echo(
            f"{summary.quarantined} record(s) quarantined in all: see Data hub › Quarantine",
            err=True,
        )


@cli.command("sync", cls=_HubCommand)
@click.option("--account", "account", required=True, help="The account's id or code.")
def sync(account: str) -> None:
    """Run one sync of an account now, in this process, and print what it did."""
    try:
        counts = sync_now(account, get_settings().base_currency, utcnow)
    except (JobFailed, ProviderError) as exc:  # the provider's answer, not a bug of ours
        raise click.ClickException(f"The sync of {account} failed: {_one_line(exc)}") from None
    compact_rollups()  # as a worker's sync does next: customer cohorts count from a compaction
    click.echo(json.dumps(counts))
