"""A tap in front of the real sandbox: hold one orders request, or alter orders on the wire.

The sandbox apps render the demo business faithfully; a reliability test sometimes needs the
provider to be slow at one precise moment (so a worker can be killed while it waits for a
page) or to send one record the hub has never seen. The tap does that in front of the real
app, served over real HTTP on a free port, without changing the sandbox.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cbe_app.hub.sandbox.server import RunningSandbox

Order = dict[str, Any]


class OrdersTap:
    """ASGI middleware on the `…/orders.json` listing requests of a sandbox.

    Args:
        app: the sandbox app (`build_app(data, control)`).
        hold: the number (1 = first) of the listing request to keep waiting until `release()`;
            `held` is set once it has arrived. 0 holds nothing.
        alter: called on every order of every listing page before it is sent.

    `app` may be replaced while serving: the provider's records changed (sandboxes render
    each record once, so changed data needs a new app).
    """

    def __init__(
        self, app: ASGIApp, *, hold: int = 0, alter: Callable[[Order], None] | None = None
    ) -> None:
        self.app, self.hold, self.alter = app, hold, alter
        self.requests = 0
        self.held, self.released = threading.Event(), threading.Event()

    def release(self) -> None:
        """Let the held request be answered."""
        self.released.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).endswith("/orders.json"):
            await self.app(scope, receive, send)
            return
        self.requests += 1  # one event loop: no lock needed
        if self.requests == self.hold:
            self.held.set()
            while not self.released.is_set():
                await asyncio.sleep(0.01)
        await self.app(scope, receive, send if self.alter is None else self._altering(send))

    def _altering(self, send: Send) -> Send:
        start: Message = {}
        chunks: list[bytes] = []

        async def altered(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if start["status"] == 200 and self.alter is not None:
                page = orjson.loads(body)
                for order in page.get("orders", []):
                    self.alter(order)
                body = orjson.dumps(page)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", b"%d" % len(body))]})
            await send({"type": "http.response.body", "body": body})

        return altered


def serve(app: ASGIApp) -> RunningSandbox:
    """Serve `app` on 127.0.0.1 on a free port from a daemon thread (stop it when done)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # see sandbox.server
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        raise RuntimeError("the sandbox did not start")
    return RunningSandbox(f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread)
