"""Cookie names and the rules for where a sign-in may send the browser next."""

from __future__ import annotations

SESSION_COOKIE = "cbe_session"
LANGUAGE_COOKIE = "cbe_lang"


def read_cookie(header: str | None, name: str) -> str | None:
    """One cookie's value from a `Cookie` request header (None when absent or empty).

    Parsed by hand rather than with `http.cookies`, which drops *every* cookie when one of
    them (possibly set by another app on the same host) is malformed.
    """
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip().strip('"') or None
    return None


def safe_next(target: str | None, default: str = "/") -> str:
    """A path on this site to continue to after signing in; anything else becomes `default`.

    Only local absolute paths are accepted, so a crafted link cannot send a user who just
    signed in to another site (`//evil.example`, `https://…`, `/\\evil`).
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch in target for ch in "\r\n\t") or target.startswith("/auth/"):
        return default
    return target
