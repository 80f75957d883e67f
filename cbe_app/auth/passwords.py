"""Password hashing with argon2id (argon2-cffi's recommended parameters) and the password policy."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cbe_app.core.i18n import N_

MIN_LENGTH = 10
MAX_LENGTH = 256


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    # Verifying against this when the e-mail is unknown makes both paths take the same time,
    # so response times do not tell an attacker which addresses have accounts.
    return _hasher().hash("not-a-real-password-but-the-same-cost")


def hash_password(password: str) -> str:
    """The argon2id hash to store."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends the full hashing cost."""
    try:
        return _hasher().verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the stored hash uses weaker parameters than today's."""
    return _hasher().check_needs_rehash(stored_hash)


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable (a message id), or None when it is."""
    if len(password) < MIN_LENGTH:
        return N_("Use at least 10 characters.")
    if len(password) > MAX_LENGTH:
        return N_("Use at most 256 characters.")
    if password.strip() == "" or len(set(password)) < 4:
        return N_("This password is too easy to guess.")
    return None
