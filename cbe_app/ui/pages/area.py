"""An area of the shell before its screens exist: what it is for, what will be there, and the data
the hub already holds for it. Texts come from the area's app definition in the solution pack.
"""

from __future__ import annotations

import asyncio
from typing import TypedDict

import reflex as rx

from cbe_app.auth.roles import AREA_PERMISSIONS
from cbe_app.core.i18n import N_
from cbe_app.db import session_scope
from cbe_app.hub.service import hub_counts, units_on_hand
from cbe_app.ui.components.icons import area_icon
from cbe_app.ui.guard import current_principal, deny, guarded
from cbe_app.ui.i18n import LocaleState, T, T_var
from cbe_app.ui.session import area_apps

# Which of the hub's counts each area shows, with its label.
AREA_FACTS: dict[str, tuple[tuple[str, str], ...]] = {
    "dashboards": (
        ("orders", N_("Orders")),
        ("customers", N_("Customers")),
        ("channels", N_("Sales channels")),
    ),
    "orders": (
        ("orders", N_("Orders")),
        ("shipments", N_("Shipments")),
        ("channels", N_("Sales channels")),
    ),
    "inventory": (
        ("products", N_("SKUs")),
        ("warehouses", N_("Warehouses")),
        ("units", N_("Units on hand")),
    ),
    "purchasing": (("suppliers", N_("Suppliers")), ("products", N_("SKUs"))),
    "customers": (("customers", N_("Customers")), ("orders", N_("Orders"))),
    "finance": (("orders", N_("Orders")), ("channels", N_("Sales channels"))),
    "datahub": (
        ("channels", N_("Sales channels")),
        ("carriers", N_("Carriers")),
        ("orders", N_("Orders")),
    ),
}


class Text2(TypedDict):
    """A text in both languages."""

    en: str
    zh: str


class Fact(TypedDict):
    """A labelled number."""

    label: str
    value: str


def _both(en: str, zh: str) -> Text2:
    return Text2(en=en, zh=zh or en)


def _facts(key: str) -> list[Fact]:
    wanted = AREA_FACTS.get(key, ())
    if not wanted:
        return []
    with session_scope() as session:
        counts = hub_counts(session)
        if any(name == "units" for name, _ in wanted):
            counts["units"] = units_on_hand(session)
    return [Fact(label=label, value=f"{counts.get(name, 0):,}") for name, label in wanted]


class AreaState(rx.State):
    """The area page being shown."""

    key: str = ""
    title: Text2 = _both("", "")
    summary: Text2 = _both("", "")
    empty_title: Text2 = _both("", "")
    empty_body: Text2 = _both("", "")
    upcoming: list[Text2] = []
    facts: list[Fact] = []

    @rx.event
    @guarded()
    async def open(self, key: str) -> None:
        """Show an area, if the user's roles include it; otherwise show nothing of it."""
        self.facts, self.upcoming = [], []
        app = (await area_apps()).get(key)
        permission = AREA_PERMISSIONS.get(key)
        if app is None or permission is None:
            return
        self.key = key
        # The area's name is shown even to someone refused: it is a menu label, not data.
        self.title = _both(app.title.en, app.title.zh_CN)
        if not current_principal().can(permission):
            await deny(self, permission)
            return
        self.summary = _both(app.summary.en, app.summary.zh_CN)
        self.empty_title = _both(app.empty_title.en, app.empty_title.zh_CN)
        self.empty_body = _both(app.empty_body.en, app.empty_body.zh_CN)
        self.upcoming = [_both(u.en, u.zh_CN) for u in app.upcoming]
        self.facts = await asyncio.to_thread(_facts, key)


def local(text: Text2 | rx.Var[Text2]) -> rx.Var[str]:
    """The text in the UI language."""
    return rx.cond(LocaleState.is_zh, text["zh"], text["en"]).to(str)  # type: ignore[index]


def _fact(fact: Fact) -> rx.Component:
    return rx.card(
        rx.text(T_var(fact["label"]), size="2", color_scheme="gray"),
        rx.text(fact["value"], size="6", weight="bold", data_testid="fact-value"),
        min_width="150px",
        flex="1",
    )


def _upcoming(item: Text2) -> rx.Component:
    return rx.hstack(
        rx.icon("circle-dashed", size=16, color="var(--accent-9)", flex_shrink="0"),
        rx.text(local(item), size="2"),
        align="center",
        spacing="2",
    )


def area_content() -> rx.Component:
    """The body of an area page."""
    return rx.vstack(
        rx.text(
            local(AreaState.summary), size="3", color_scheme="gray", data_testid="area-summary"
        ),
        rx.cond(
            AreaState.facts.length() > 0,
            rx.vstack(
                rx.text(T("Already in your data hub"), size="2", weight="medium"),
                rx.flex(rx.foreach(AreaState.facts, _fact), gap="12px", wrap="wrap", width="100%"),
                width="100%",
                spacing="2",
            ),
        ),
        rx.card(
            rx.vstack(
                rx.center(
                    area_icon(AreaState.key, size=26),
                    width="56px",
                    height="56px",
                    border_radius="14px",
                    background="var(--accent-3)",
                    color="var(--accent-11)",
                ),
                rx.heading(local(AreaState.empty_title), size="5", data_testid="empty-title"),
                rx.text(
                    local(AreaState.empty_body), size="3", color_scheme="gray", max_width="640px"
                ),
                rx.cond(
                    AreaState.upcoming.length() > 0,
                    rx.vstack(
                        rx.text(
                            T("What will be here"), size="2", weight="medium", padding_top="8px"
                        ),
                        rx.foreach(AreaState.upcoming, _upcoming),
                        spacing="2",
                    ),
                ),
                spacing="3",
                padding="20px",
            ),
            width="100%",
            data_testid="empty-state",
        ),
        spacing="5",
        width="100%",
    )
