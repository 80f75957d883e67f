"""`users …`: accounts."""

from __future__ import annotations

import click

from cbe_app.auth.roles import Role
from cbe_app.auth.service import create_user, list_users
from cbe_app.cli import cli
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow

_ROLE_HELP = "Role: " + ", ".join(r.value for r in Role) + ". Repeat or separate with commas."


@cli.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--email", required=True, help="The sign-in e-mail address.")
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--role", "roles", multiple=True, required=True, help=_ROLE_HELP)
@click.option("--name", default="", help="Full name shown in the app.")
@click.option("--language", default="en", type=click.Choice(["en", "zh_CN"]), show_default=True)
def create(email: str, password: str, roles: tuple[str, ...], name: str, language: str) -> None:
    """Create a user who can sign in at once."""
    role_names = [part for value in roles for part in value.split(",")]
    with session_scope() as session:
        user = create_user(
            session,
            email=email,
            password=password,
            roles=role_names,
            full_name=name,
            locale=language,
            now=utcnow(),
            source="cli",
        )
    click.echo(f"Created user {user.email} (id {user.id}) with role(s) {', '.join(role_names)}.")


@users.command("list")
def list_() -> None:
    """List users with their roles."""
    with session_scope() as session:
        rows = list_users(session)
    for u in rows:
        state = "active" if u.is_active else "disabled"
        click.echo(f"{u.id:>4}  {u.email:<40} {','.join(u.roles):<28} {state}")
