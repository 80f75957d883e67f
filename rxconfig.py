"""Reflex configuration: values come from `cbe_app.config`, nothing is decided here."""

import os

import reflex as rx

from cbe_app.config import PROJECT_ROOT, get_settings

settings = get_settings()
_local_bun = PROJECT_ROOT / ".tools" / "node_modules" / ".bin" / "bun"

# Production mode serves the frontend and the backend on one port, so both URLs are the app's.
config = rx.Config(
    app_name="cbe_app",
    db_url=settings.resolved_database_url,
    redis_url=settings.resolved_redis_url,
    frontend_port=settings.port,
    backend_port=int(os.environ.get("CBE_BACKEND_PORT", settings.port)),
    api_url=os.environ.get("CBE_API_URL", settings.app_url),
    deploy_url=settings.app_url,
    cors_allowed_origins=settings.allowed_origins,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    **({"bun_path": _local_bun} if _local_bun.exists() else {}),
)
