from cbe_app.auth.passwords import hash_password, password_problem, verify_password


def test_hash_is_argon2id_and_verifies() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "wrong horse battery")


def test_unknown_user_never_verifies() -> None:
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")


def test_policy() -> None:
    assert password_problem("short") == "Use at least 10 characters."
    assert password_problem("aaaaaaaaaaaa") == "This password is too easy to guess."
    assert password_problem("x" * 300) == "Use at most 256 characters."
    assert password_problem("cbe-demo-2026") is None
