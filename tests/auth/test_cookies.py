import pytest

from cbe_app.auth.cookies import read_cookie, safe_next


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/orders", "/orders"),
        ("/admin/jobs?x=1", "/admin/jobs?x=1"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/orders\r\nSet-Cookie: x=1", "/"),
        ("/auth/logout", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next_only_allows_local_paths(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_read_cookie() -> None:
    assert read_cookie("a=1; cbe_session=tok; b=2", "cbe_session") == "tok"
    assert read_cookie("a=1", "cbe_session") is None
    assert read_cookie(None, "cbe_session") is None
    # A malformed cookie from another app on the same host must not hide ours.
    assert read_cookie('bad="x; cbe_session=tok', "cbe_session") == "tok"
