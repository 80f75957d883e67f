"""The tabs of the Data hub area."""

from __future__ import annotations

import reflex as rx

from cbe_app.ui.i18n import T

_TABS = (
    ("accounts", "/datahub", "plug"),
    ("runs", "/datahub/runs", "history"),
    ("quarantine", "/datahub/quarantine", "shield-alert"),
    ("status-maps", "/datahub/status-maps", "arrow-right-left"),
    ("import", "/datahub/import", "file-up"),
)


def datahub_tabs(active: str) -> rx.Component:
    """Links to the Data hub pages, the current one highlighted."""
    labels = {
        "accounts": T("Accounts"),
        "runs": T("Sync history"),
        "quarantine": T("Quarantine"),
        "status-maps": T("Status maps"),
        "import": T("Import file"),
    }
    return rx.hstack(
        *[
            rx.link(
                rx.button(
                    rx.icon(icon, size=15),
                    labels[key],
                    size="2",
                    variant="solid" if key == active else "soft",
                    color_scheme=None if key == active else "gray",
                ),
                href=href,
                data_testid=f"datahub-tab-{key}",
            )
            for key, href, icon in _TABS
        ],
        spacing="2",
        wrap="wrap",
    )
