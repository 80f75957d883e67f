"""`GET /exports/{job_id}`: a finished report export, downloaded by the person who made it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from cbe_app.auth.cookies import SESSION_COOKIE
from cbe_app.auth.service import resolve_session
from cbe_app.core.errors import NotFound
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.reports.export_job import finished_export

_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}


def _lookup(token: str | None, job_id: int) -> tuple[bool, tuple[Path, str] | None]:
    """Whether the person is signed in, and the file and its name if it is theirs."""
    with session_scope() as session:
        principal = resolve_session(session, token, utcnow())
        if principal is None:
            return False, None
        try:
            return True, finished_export(session, job_id, principal)
        except NotFound:
            return True, None


async def download(request: Request) -> Response:
    """Send the file as an attachment; 401 signed out, 404 for anything not theirs."""
    raw = request.path_params.get("job_id", "")
    if not str(raw).isdigit() or len(str(raw)) > 12:
        return Response("Not found.", status_code=404)
    signed_in, found = await asyncio.to_thread(
        _lookup, request.cookies.get(SESSION_COOKIE), int(raw)
    )
    if not signed_in:
        return Response("Sign in to download this export.", status_code=401)
    if found is None:
        return Response("Not found.", status_code=404)
    path, filename = found
    return FileResponse(
        path,
        media_type=_TYPES.get(path.suffix, "application/octet-stream"),
        filename=filename,  # Starlette writes an RFC 5987 filename* for non-ASCII names
        headers={"Cache-Control": "no-store"},
    )
