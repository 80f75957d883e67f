"""The sandbox server: every provider's emulator under `/<provider>` of one Starlette app.

Each provider package may have a `sandbox.py` exposing `routes(data, control)`; the server
mounts what exists. `python -m cbe_app sandbox` runs it; `make run` starts it beside the app
and points the demo accounts at it.
"""

from __future__ import annotations

import importlib
import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from cbe_app.hub.providers.registry import PROVIDERS
from cbe_app.hub.sandbox.control import SandboxControl, json_response
from cbe_app.hub.sandbox.data import SandboxData

log = logging.getLogger(__name__)


def _mounts(data: SandboxData, control: SandboxControl) -> list[BaseRoute]:
    mounts: list[BaseRoute] = []
    for info in PROVIDERS.values():
        name = f"cbe_app.hub.providers.{info.package}.sandbox"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a broken import inside a sandbox must not hide it silently
                raise
            continue
        mounts.append(Mount(f"/{info.name}", routes=module.routes(data, control)))
    return mounts


def build_app(data: SandboxData, control: SandboxControl | None = None) -> Starlette:
    """The sandbox server for a generated business."""
    control = control or SandboxControl()
    mounted = _mounts(data, control)

    async def index(_request: Request) -> Response:
        return json_response(
            {
                "sandbox": "cbe_app",
                "providers": [m.path.strip("/") for m in mounted if isinstance(m, Mount)],
            }
        )

    return Starlette(routes=[Route("/", index), *mounted])
