"""The Starlette app mounted in front of Reflex (through Reflex's `api_transformer`)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp

from cbe_app.api.auth_routes import login, logout
from cbe_app.api.exports import download
from cbe_app.api.headers import SecurityHeaders
from cbe_app.api.health import health
from cbe_app.api.webhooks import webhook
from cbe_app.config import get_settings


def routes() -> Starlette:
    """Our endpoints; Reflex mounts its own app beneath them."""
    return Starlette(
        routes=[
            Route("/auth/login", login, methods=["POST"]),
            Route("/auth/logout", logout, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
            Route("/webhooks/{provider}/{account}", webhook, methods=["POST"]),
            Route("/exports/{job_id}", download, methods=["GET"]),
        ]
    )


def with_security_headers() -> Callable[[ASGIApp], ASGIApp]:
    """Wraps the whole ASGI app (ours and Reflex's) in the security headers."""
    https = get_settings().secure_cookies
    return lambda app: SecurityHeaders(app, https=https)
