"""The operator's command line. Every failure is one clear line and a non-zero exit code."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click
from alembic.util.exc import CommandError as AlembicError
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from cbe_app.core.errors import UserError


class _Group(click.Group):
    """Turns every error into one line on stderr: operators get a message, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except UserError as exc:
            raise click.ClickException(exc.text) from None
        except PydanticValidationError as exc:
            problems = _settings_problems(exc)
            raise click.ClickException(f"Invalid configuration: {problems}") from None
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise click.ClickException(f"Cannot use the database: {reason}") from None
        except SQLAlchemyError as exc:
            raise click.ClickException(
                f"Database error: {type(exc).__name__}: {exc}".splitlines()[0]
            ) from None
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(
                f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
            ) from None
        except AlembicError as exc:
            raise click.ClickException(
                f"Database migration failed: {exc}".splitlines()[0]
            ) from None
        except Exception as exc:
            if os.environ.get("CBE_DEBUG"):
                raise
            first_line = (str(exc).strip().splitlines() or [""])[0]
            raise click.ClickException(
                f"Unexpected {type(exc).__name__}: {first_line} (set CBE_DEBUG=1 for details)"
            ) from None


def _settings_problems(exc: PydanticValidationError) -> str:
    """Each bad setting as `NAME: reason`, on one line."""
    problems = []
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"])
        reason = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{name}: {reason}")
    return "; ".join(problems)


@click.group(cls=_Group)
def cli() -> None:
    """cbe_app: the no-code platform for cross-border e-commerce sellers."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    """Entry point of `python -m cbe_app`."""
    from cbe_app.cli import (  # noqa: F401 - registers
        db,
        definitions,
        demo,
        hub,
        reports,
        run,
        sandbox,
        users,
    )

    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
