"""Housekeeping on a schedule."""

from __future__ import annotations

from cbe_app.auth.service import purge_expired
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.jobs.service import redispatch_stalled
from tasks.celery_app import app


@app.task(name="cbe.auth.purge_sessions")
def purge_sessions() -> int:
    """Delete sessions that can no longer be used and old sign-in attempts."""
    with session_scope() as session:
        return purge_expired(session, utcnow())


@app.task(name="cbe.jobs.redispatch_stalled")
def redispatch() -> int:
    """Re-send jobs whose message was lost (their runner makes duplicates harmless)."""
    return redispatch_stalled(utcnow())
