"""`db …`: the schema."""

from __future__ import annotations

import click

from cbe_app.bootstrap import upgrade_database
from cbe_app.cli import cli
from cbe_app.config import get_settings


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration (alembic upgrade head)."""
    upgrade_database()
    click.echo(f"Database is up to date ({_safe_url()}).")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().resolved_database_url).render_as_string(hide_password=True)
