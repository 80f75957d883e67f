"""`GET /healthz`: is the app able to reach its database and Redis?"""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from cbe_app.db import get_engine
from cbe_app.redis_client import get_redis


def _check() -> dict[str, str]:
    result = {}
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        result["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the health probe
        result["database"] = f"error: {type(exc).__name__}"
    try:
        get_redis().ping()
        result["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001 - as above
        result["redis"] = f"error: {type(exc).__name__}"
    return result


async def health(_request: Request) -> JSONResponse:
    """200 with each dependency's state when all are reachable, 503 otherwise."""
    checks = await asyncio.to_thread(_check)
    healthy = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status_code=200 if healthy else 503
    )
