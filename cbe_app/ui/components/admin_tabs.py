"""The tabs of the Admin area."""

from __future__ import annotations

import reflex as rx

from cbe_app.ui.i18n import T

_TABS = (("users", "/admin/users", "users"), ("jobs", "/admin/jobs", "list-checks"))


def admin_tabs(active: str) -> rx.Component:
    """Links to the Admin pages, the current one highlighted."""
    labels = {"users": T("Users"), "jobs": T("Jobs")}
    return rx.hstack(
        *[
            rx.link(
                rx.button(
                    rx.icon(icon, size=15),
                    labels[key],
                    variant="solid" if key == active else "soft",
                    color_scheme=None if key == active else "gray",
                    size="2",
                ),
                href=href,
                data_testid=f"admin-tab-{key}",
            )
            for key, href, icon in _TABS
        ],
        spacing="2",
    )
