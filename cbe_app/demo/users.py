"""The demo sign-ins created on first start (shown in the README and on the sign-in page)."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "cbe-demo-2026"  # noqa: S105 - published on purpose: demo sign-ins only


@dataclass(frozen=True, slots=True)
class DemoUser:
    """One demo account."""

    email: str
    full_name: str
    roles: tuple[str, ...]


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin@demo.cbe.example", "Alex Admin", ("admin",)),
    DemoUser("builder@demo.cbe.example", "Bo Builder", ("builder",)),
    DemoUser("operator@demo.cbe.example", "Olivia Operator", ("operator",)),
    DemoUser("warehouse@demo.cbe.example", "Wang Wei", ("warehouse",)),
    DemoUser("finance@demo.cbe.example", "Fiona Finance", ("finance",)),
    DemoUser("executive@demo.cbe.example", "Eddie Executive", ("executive",)),
)
