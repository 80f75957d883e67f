"""`POST /auth/login` and `POST /auth/logout`: the only places a session cookie is set or cleared.

Sign-in is a plain HTML form post, so the password never passes through app state and the
session token reaches the browser only as an HttpOnly cookie. The websocket handshake that
follows carries the cookie, and every event re-checks it on the server.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cbe_app.api.client import client_ip, origin_allowed
from cbe_app.auth.cookies import LANGUAGE_COOKIE, SESSION_COOKIE, read_cookie, safe_next
from cbe_app.auth.service import InvalidCredentials, LoginThrottled, authenticate, revoke_session
from cbe_app.config import get_settings
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow

_MAX_FIELD = 512


def _back_to_login(error: str, email: str, target: str, **extra: str) -> RedirectResponse:
    query = urlencode({"error": error, "email": email[:254], "next": target, **extra})
    return RedirectResponse(f"/login?{query}", status_code=303)


def _sign_in(email: str, password: str, ip: str, agent: str) -> tuple[str, str]:
    with session_scope() as session:
        principal, token = authenticate(
            session,
            email=email,
            password=password,
            ip=ip,
            user_agent=agent,
            now=utcnow(),
            session_hours=get_settings().session_hours,
        )
    return token, principal.locale


async def login(request: Request) -> Response:
    """Check the form; on success set the session cookie and continue to `next`."""
    if not origin_allowed(request):
        return Response("Cross-site sign-in refused.", status_code=403)
    form = await request.form()
    email = str(form.get("email", ""))[:_MAX_FIELD]
    password = str(form.get("password", ""))[:_MAX_FIELD]
    target = safe_next(str(form.get("next", "")))
    try:
        token, locale = await asyncio.to_thread(
            _sign_in, email, password, client_ip(request), request.headers.get("user-agent", "")
        )
    except LoginThrottled as exc:
        return _back_to_login("throttled", email, target, minutes=str(exc.params["minutes"]))
    except InvalidCredentials:
        return _back_to_login("invalid", email, target)
    settings = get_settings()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )
    # The language cookie is for the page, not a credential: readable by the app's script.
    response.set_cookie(
        LANGUAGE_COOKIE,
        locale,
        max_age=365 * 24 * 3600,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )
    return response


def _sign_out(token: str | None) -> None:
    with session_scope() as session:
        revoke_session(session, token, utcnow())


async def logout(request: Request) -> Response:
    """End the session on the server and drop the cookie."""
    if not origin_allowed(request):
        return Response("Cross-site sign-out refused.", status_code=403)
    await asyncio.to_thread(_sign_out, read_cookie(request.headers.get("cookie"), SESSION_COOKIE))
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=get_settings().secure_cookies,
        httponly=True,
        samesite="lax",
    )
    return response
