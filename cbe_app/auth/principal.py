"""The signed-in user as the rest of the app sees them: an immutable value, resolved per event."""

from __future__ import annotations

from dataclasses import dataclass, field

from cbe_app.auth.roles import Permission, Role, permissions_of


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting, and what they may do."""

    user_id: int
    email: str
    full_name: str
    roles: frozenset[Role]
    locale: str
    session_id: int | None = None
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "permissions", permissions_of(self.roles))

    def can(self, permission: Permission) -> bool:
        """True when one of the user's roles grants the permission."""
        return permission in self.permissions
