"""The Reflex app: pages, the access gate, live updates and the HTTP endpoints. Nothing else."""

from __future__ import annotations

import reflex as rx

from cbe_app.api.app import routes, with_security_headers
from cbe_app.ui import live
from cbe_app.ui.guard import AccessGate
from cbe_app.ui.pages import register

app = rx.App(api_transformer=[routes(), with_security_headers()], stylesheets=["/dashboard.css"])
app.add_middleware(AccessGate())
app.register_lifespan_task(live.listen)
register(app)
