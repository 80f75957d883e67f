"""Running the sandbox: as its own process (`python -m cbe_app sandbox`) or in a thread (tests)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from cbe_app.hub.sandbox.app import build_app
from cbe_app.hub.sandbox.control import SandboxControl
from cbe_app.hub.sandbox.data import SandboxData


def _server(app: Starlette) -> uvicorn.Server:
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    return uvicorn.Server(config)


def _listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket with Nagle off, inherited by every accepted connection.

    The protocol must be named: with protocol 0 asyncio does not set TCP_NODELAY on the
    connections, and each small answer then waits ~40 ms for the client's delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


def serve(data: SandboxData, control: SandboxControl, host: str, port: int) -> None:
    """Serve until interrupted."""
    _server(build_app(data, control)).run(sockets=[_listening_socket(host, port)])


@dataclass
class RunningSandbox:
    """A sandbox served from a background thread on a free port."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(10)


def start_in_thread(data: SandboxData, control: SandboxControl | None = None) -> RunningSandbox:
    """Serve on 127.0.0.1 on a free port in a daemon thread; returns once it accepts requests."""
    sock = _listening_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = _server(build_app(data, control))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        raise RuntimeError("the sandbox did not start")
    return RunningSandbox(f"http://127.0.0.1:{port}", server, thread)
