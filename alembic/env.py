"""Alembic environment: the app's own engine and the whole model metadata."""

from __future__ import annotations

from alembic import context
from cbe_app.db import get_engine
from cbe_app.models import metadata


def run_migrations() -> None:
    """Run migrations online against the configured database."""
    engine = get_engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            # SQLite cannot ALTER most things; batch mode copies the table instead.
            render_as_batch=engine.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
