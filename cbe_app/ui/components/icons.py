"""Icons of the shell's areas (lucide names), chosen by area key at run time."""

from __future__ import annotations

import reflex as rx

AREA_ICONS: dict[str, str] = {
    "dashboards": "layout-dashboard",
    "reports": "table-2",
    "orders": "shopping-cart",
    "inventory": "boxes",
    "purchasing": "clipboard-list",
    "customers": "users",
    "service": "life-buoy",
    "finance": "receipt",
    "builders": "blocks",
    "datahub": "database-zap",
    "admin": "shield-check",
}


def area_icon(key: rx.Var[str] | str, size: int = 18) -> rx.Component:
    """The icon of an area; `rx.icon` needs a literal name, so match on the key."""
    return rx.match(
        key,
        *[(area, rx.icon(name, size=size)) for area, name in AREA_ICONS.items()],
        rx.icon("circle", size=size),
    )
