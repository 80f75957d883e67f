"""Events fired straight over the websocket: the server, not the page, decides who gets data."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import websocket
from playwright.sync_api import Page, WebSocketRoute, expect

from cbe_app.demo.users import DEMO_PASSWORD, DEMO_USERS
from tests.e2e.conftest import BASE, PORT, signed_in
from tests.ui.handlers import registered_handlers

STATE = "reflex___state____state"
USERS_LOAD = f"{STATE}.cbe_app___ui___pages___admin_users____admin_users_state.load"
SESSION_STATE = f"{STATE}.cbe_app___ui___session____session_state"


def event_frame(name: str, path: str = "/dashboards", payload: dict | None = None) -> str:
    body = {
        "name": name,
        "payload": payload or {},
        "router_data": {"pathname": path, "query": {}, "asPath": path},
    }
    return "42/_event," + json.dumps(["event", body])


class Relay:
    """Sits on the page's event websocket: records what the server sends, can inject frames."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.server: WebSocketRoute | None = None

    def __call__(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        self.server = server

        def from_server(message: str | bytes) -> None:
            self.received.append(message if isinstance(message, str) else message.decode())
            ws.send(message)

        server.on_message(from_server)
        ws.on_message(server.send)

    def inject(self, frame: str) -> None:
        assert self.server is not None, "the page has not opened its websocket yet"
        self.server.send(frame)


def test_an_operator_firing_an_admin_event_gets_no_data(page: Page) -> None:
    relay = Relay()
    page.route_web_socket(re.compile(r"/_event"), relay)
    signed_in(page, "operator")
    relay.received.clear()
    relay.inject(event_frame(USERS_LOAD))
    page.wait_for_timeout(1500)
    traffic = "\n".join(relay.received)
    for user in DEMO_USERS:
        assert user.email not in traffic, "user data reached a non-admin"
    assert "users_rx_state_" not in traffic
    assert '"denied_rx_state_":"admin.users"' in traffic  # the refusal, and nothing else
    expect(page.get_by_test_id("access-denied")).to_be_visible()


def test_the_same_event_from_an_admin_returns_the_users(page: Page) -> None:
    relay = Relay()
    page.route_web_socket(re.compile(r"/_event"), relay)
    signed_in(page, "admin")
    relay.received.clear()
    relay.inject(event_frame(USERS_LOAD))
    page.wait_for_timeout(1500)
    assert "operator@demo.cbe.example" in "\n".join(relay.received)


def test_setting_state_by_name_is_refused(page: Page) -> None:
    relay = Relay()
    page.route_web_socket(re.compile(r"/_event"), relay)
    signed_in(page, "operator")
    relay.received.clear()
    forged = {"var_name": "role_labels", "value": ["Administrator"]}
    relay.inject(event_frame(f"{SESSION_STATE}.setvar", payload=forged))
    page.wait_for_timeout(1000)
    assert "Administrator" not in "\n".join(relay.received)


def _handshake(origin: str) -> int:
    url = f"ws://localhost:{PORT}/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}"
    try:
        ws = websocket.create_connection(url, origin=origin, timeout=5)
    except websocket.WebSocketBadStatusException as refused:
        return refused.status_code
    ws.close()
    return 101


def test_the_event_websocket_refuses_other_origins() -> None:
    assert _handshake(BASE) == 101
    assert _handshake("https://evil.example") in (400, 403)


def _cookie_for(role: str) -> str:
    response = httpx.post(
        f"{BASE}/auth/login",
        data={"email": f"{role}@demo.cbe.example", "password": DEMO_PASSWORD},
        timeout=10,
    )
    return f"cbe_session={response.cookies['cbe_session']}"


@pytest.fixture(scope="module")
def cookies(app_server: object) -> dict[str, str]:
    return {user.roles[0]: _cookie_for(user.roles[0]) for user in DEMO_USERS}


def _send(cookie: str | None, name: str, payload: dict) -> list[str]:
    """Connect as a browser would (token in the query, cookie in the handshake); fire one event."""
    url = f"ws://localhost:{PORT}/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}"
    ws = websocket.create_connection(url, origin=BASE, cookie=cookie, timeout=5)
    received: list[str] = []
    try:
        ws.recv()  # engine.io open packet
        ws.send("40/_event,")
        received.append(ws.recv())
        ws.send(event_frame(name, payload=payload))
        ws.settimeout(2)  # the answer comes at once
        while True:
            try:
                frame = ws.recv()
            except websocket.WebSocketTimeoutException:
                break
            if frame == "2":
                ws.send("3")
                continue
            received.append(frame)
            ws.settimeout(0.25)  # the answer is in: wait a little for any more, not long
    finally:
        ws.close()
    return received


def guarded_handlers() -> list[tuple[str, str]]:
    """(event name, permission) of every handler that requires a permission."""
    return sorted(
        (h.event, h.access)
        for h in registered_handlers()
        if h.access is not None and h.access not in ("public", "signed_in")
    )


PAYLOADS: dict[str, Callable[[], dict]] = {
    "create": lambda: {"form": {"email": "not-an-email"}},
    "start_demo_load": lambda: {"form": {"orders": "not-a-number"}},
}


def test_every_permission_is_enforced_for_every_role_over_the_websocket(
    cookies: dict[str, str],
) -> None:
    from cbe_app.auth.roles import Permission, permissions_of

    calls = [
        (name, access, role, cookie)
        for name, access in guarded_handlers()
        for role, cookie in [*cookies.items(), (None, None)]
    ]

    def fire(call: tuple[str, str, str | None, str | None]) -> str:
        name, _, _, cookie = call
        return "\n".join(_send(cookie, name, PAYLOADS.get(name.rsplit(".", 1)[1], dict)()))

    # Each call is its own connection and session; several at once keep the test short.
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(fire, calls))
    checked = 0
    for (name, access, role, _), traffic in zip(calls, answers, strict=True):
        handler = name.rsplit(".", 1)[1]
        if role is None:
            assert "/login?next=" in traffic, f"{handler} without a session should go to sign-in"
            continue
        allowed = Permission(access) in permissions_of([role])
        refused = f'"denied_rx_state_":"{access}"' in traffic
        assert refused != allowed, f"{role} calling {handler}: allowed={allowed} refused={refused}"
        checked += 1
    assert checked >= 6 * 6
