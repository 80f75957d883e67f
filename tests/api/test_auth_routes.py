from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from cbe_app.api.app import routes, with_security_headers
from cbe_app.auth.models import AuthSession
from cbe_app.auth.service import create_user, resolve_session
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from tests.conftest import Backend

PASSWORD = "a-long-enough-password"
ORIGIN = "http://localhost:3000"


@pytest.fixture
def client(backend: Backend) -> TestClient:
    with session_scope() as session:
        create_user(
            session,
            email="ann@shop.example",
            password=PASSWORD,
            roles=["finance"],
            locale="zh_CN",
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
    app = with_security_headers()(routes())
    return TestClient(app, base_url=ORIGIN, follow_redirects=False)


def post_login(client: TestClient, password: str = PASSWORD, **extra: str):
    data = {"email": "Ann@Shop.example", "password": password, "next": "/finance", **extra}
    return client.post("/auth/login", data=data, headers={"origin": ORIGIN})


def sessions() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(AuthSession)) or 0)


def test_sign_in_sets_an_httponly_session_cookie_and_continues(client: TestClient) -> None:
    response = post_login(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/finance"
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("cbe_session="))
    assert (
        "HttpOnly" in session_cookie
        and "SameSite=lax" in session_cookie
        and "Path=/" in session_cookie
    )
    language_cookie = next(c for c in cookies if c.startswith("cbe_lang="))
    assert "cbe_lang=zh_CN" in language_cookie and "HttpOnly" not in language_cookie
    token = session_cookie.split(";")[0].split("=", 1)[1]
    with session_scope() as session:
        who = resolve_session(session, token, utcnow())
    assert who is not None and who.email == "ann@shop.example"


def test_wrong_password_goes_back_with_a_reason_and_no_session(client: TestClient) -> None:
    response = post_login(client, password="not-the-password")
    location = urlsplit(response.headers["location"])
    assert response.status_code == 303 and location.path == "/login"
    query = parse_qs(location.query)
    assert query["error"] == ["invalid"] and query["next"] == ["/finance"]
    assert "set-cookie" not in response.headers
    assert sessions() == 0


def test_throttled_sign_in_says_how_long_to_wait(client: TestClient) -> None:
    for _ in range(5):
        post_login(client, password="guessing-again")
    query = parse_qs(urlsplit(post_login(client).headers["location"]).query)
    assert query["error"] == ["throttled"]
    assert 1 <= int(query["minutes"][0]) <= 15
    assert sessions() == 0


def test_spoofed_forwarded_for_does_not_escape_throttling(client: TestClient) -> None:
    for n in range(5):
        client.post(
            "/auth/login",
            headers={"origin": ORIGIN, "x-forwarded-for": f"203.0.113.{n}"},
            data={"email": "ann@shop.example", "password": "guessing-again"},
        )
    response = client.post(
        "/auth/login",
        headers={"origin": ORIGIN, "x-forwarded-for": "198.51.100.7"},
        data={"email": "ann@shop.example", "password": PASSWORD},
    )
    assert "error=throttled" in response.headers["location"]


def test_cross_site_sign_in_is_refused(client: TestClient) -> None:
    response = client.post(
        "/auth/login",
        headers={"origin": "https://evil.example"},
        data={"email": "ann@shop.example", "password": PASSWORD},
    )
    assert response.status_code == 403
    assert sessions() == 0


def test_open_redirects_are_not_followed(client: TestClient) -> None:
    assert post_login(client, next="//evil.example/x").headers["location"] == "/"
    assert post_login(client, next="https://evil.example").headers["location"] == "/"


def test_sign_out_revokes_the_session_on_the_server(client: TestClient) -> None:
    token = post_login(client).cookies["cbe_session"]
    response = client.post(
        "/auth/logout", headers={"origin": ORIGIN, "cookie": f"cbe_session={token}"}
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert any(
        c.startswith('cbe_session=""') or "Max-Age=0" in c
        for c in response.headers.get_list("set-cookie")
    )
    with session_scope() as session:
        assert resolve_session(session, token, utcnow()) is None


def test_health_reports_database_and_redis(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for response in (client.get("/healthz"), post_login(client, password="wrong-one-here")):
        headers = response.headers
        assert "object-src 'none'" in headers["content-security-policy"]
        assert "frame-ancestors 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
