"""Who is asking: the peer address (proxy-aware only when configured) and the request origin."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from cbe_app.config import get_settings


def client_ip(conn: HTTPConnection) -> str:
    """The client's address, from `X-Forwarded-For` only behind the configured trusted proxies.

    Trusting that header by default would let anyone dodge sign-in throttling by sending a
    new address with every guess.
    """
    peer = conn.client.host if conn.client else "unknown"
    hops = get_settings().trusted_proxy_hops
    if hops:
        forwarded = [
            p.strip() for p in conn.headers.get("x-forwarded-for", "").split(",") if p.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return peer


def origin_allowed(conn: HTTPConnection) -> bool:
    """False for a state-changing request sent by a page on another site.

    Browsers send `Origin` on cross-site form posts; requests without it (curl, old
    browsers) are same-site or not a browser, and the cookie is SameSite=Lax anyway.
    """
    origin = conn.headers.get("origin")
    return origin is None or origin.rstrip("/") in get_settings().allowed_origins
