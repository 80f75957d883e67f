"""Account credentials encrypted at rest (Fernet: AES-128-CBC with HMAC, from `cryptography`).

The key is `CBE_SECRET_KEY` when set (every machine of a multi-machine install needs the same),
otherwise a key generated on first use in the data folder, readable only by its owner.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from cbe_app.config import get_settings


@functools.cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def _key() -> str:
    configured = os.environ.get("CBE_SECRET_KEY")
    if configured:
        return configured
    path = get_settings().data_dir / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


def seal(credentials: dict[str, Any]) -> str:
    """The credentials as stored: encrypted JSON ('' when there are none)."""
    if not credentials:
        return ""
    return _fernet(_key()).encrypt(json.dumps(credentials, sort_keys=True).encode()).decode()


def unseal(stored: str) -> dict[str, Any]:
    """The credentials back; raises ValueError when the key cannot read them."""
    if not stored:
        return {}
    try:
        return dict(json.loads(_fernet(_key()).decrypt(stored.encode())))
    except InvalidToken:
        raise ValueError("The stored credentials cannot be read with this CBE_SECRET_KEY") from None
