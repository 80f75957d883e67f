"""4PX open-platform request signing, exactly as 4PX documents it.

Every call is `POST /router/api/service?method=…&app_key=…&v=…&timestamp=…&format=json&sign=…`
with the business data as a compact JSON body. The sign is the lowercase hex MD5 of: the
public parameters except `sign`, `access_token` and `language`, sorted by name, each name
followed directly by its value (no `=` or `&`), then the body, then the app secret. 4PX's own
example: app_key 16081f05-…, method ds.xms.order.create, timestamp 1532592413187, v 1.0 and
body `{"aa":"bb"}` sign the text
`app_key16081f05-…formatjsonmethodds.xms.order.createtimestamp1532592413187v1.0{"aa":"bb"}<secret>`.
Client and sandbox share this module; the test checks it against that documented text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

FORMAT = "json"
UNSIGNED = frozenset({"sign", "access_token", "language"})
REQUIRED = ("app_key", "format", "method", "timestamp", "v", "sign")


def sign_text(params: Mapping[str, str], body: bytes, app_secret: str) -> bytes:
    """The text 4PX signs: sorted name+value pairs, then the body, then the secret."""
    pairs = "".join(f"{name}{params[name]}" for name in sorted(params) if name not in UNSIGNED)
    return pairs.encode() + body + app_secret.encode()


def sign(params: Mapping[str, str], body: bytes, app_secret: str) -> str:
    """The 32-character lowercase MD5 sign of a request."""
    # MD5 is what 4PX's gateway checks; it authenticates the request, it protects no secret.
    return hashlib.md5(sign_text(params, body, app_secret)).hexdigest()  # noqa: S324


def signed_params(
    method: str, version: str, *, app_key: str, app_secret: str, body: bytes, timestamp_ms: int
) -> dict[str, str]:
    """The public query parameters of one call, `sign` included."""
    params = {
        "method": method,
        "app_key": app_key,
        "v": version,
        "timestamp": str(timestamp_ms),
        "format": FORMAT,
    }
    params["sign"] = sign(params, body, app_secret)
    return params
