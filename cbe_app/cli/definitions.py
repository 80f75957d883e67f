"""`definitions`: export a definition to a YAML file, import one, list what there is."""

from __future__ import annotations

from pathlib import Path

import click

from cbe_app.auth import audit
from cbe_app.cli import cli
from cbe_app.cli.hub import _HubCommand
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.packs.service import definitions_in_effect
from cbe_app.packs.spec import KINDS
from cbe_app.packs.transfer import definition_in_effect, export_text, import_text


@cli.group("definitions")
def definitions() -> None:
    """Builders' definitions (dashboards, KPIs, status maps…) as files."""


@definitions.command("list", cls=_HubCommand)
@click.argument("kind", required=False)
def list_definitions(kind: str | None) -> None:
    """Every definition as KIND KEY (of one KIND when given)."""
    kinds = [kind] if kind else sorted(KINDS)
    with session_scope() as session:
        for name in kinds:
            if name not in KINDS:
                raise click.ClickException(
                    f"There is no kind {name!r}. Kinds: {', '.join(sorted(KINDS))}."
                )
            for key in sorted(definitions_in_effect(session, KINDS[name])):
                click.echo(f"{name} {key}")


@definitions.command("export", cls=_HubCommand)
@click.argument("kind")
@click.argument("key")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of printing.",
)
def export(kind: str, key: str, output: Path | None) -> None:
    """Print (or write) definition KIND KEY as YAML."""
    with session_scope() as session:
        text = export_text(definition_in_effect(session, kind, key))
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {kind} {key} to {output}")


@definitions.command("import", cls=_HubCommand)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file(file: Path) -> None:
    """Store the definition in FILE as its next version."""
    text = file.read_text(encoding="utf-8")
    now = utcnow()
    with session_scope() as session:
        definition, version = import_text(session, text, now=now, actor_id=None)
        audit.record(
            session,
            action="definition.imported",
            entity="definition",
            entity_id=f"{definition.kind}:{definition.key}",
            source="cli",
            at=now,
            file=file.name,
        )
    click.echo(f"Imported {definition.kind} {definition.key} as version {version}")
