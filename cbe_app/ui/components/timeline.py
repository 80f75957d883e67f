"""A 360° timeline: orders, parcels and payments from every source, oldest first."""

from __future__ import annotations

from typing import TypedDict

import reflex as rx

from cbe_app.hub.providers.registry import PROVIDERS
from cbe_app.hub.timeline import Moment
from cbe_app.ui.components.formatting import when
from cbe_app.ui.i18n import T_var


class MomentView(TypedDict):
    """A timeline entry as the page shows it."""

    at: str
    source: str
    kind: str
    status: str
    title: str
    detail: str
    ref: str
    amount: str


def moment_view(moment: Moment) -> MomentView:
    """A moment for the page."""
    source = PROVIDERS[moment.source].title if moment.source in PROVIDERS else moment.source
    return MomentView(
        at=when(moment.at),
        source=source,
        kind=moment.kind,
        status=moment.status,
        title=moment.title,
        detail=moment.detail,
        ref=moment.ref,
        amount=moment.amount,
    )


def _icon(kind: rx.Var[str]) -> rx.Component:
    return rx.match(
        kind,
        ("shipment", rx.icon("truck", size=16)),
        ("payment", rx.icon("credit-card", size=16)),
        rx.icon("shopping-cart", size=16),
    )


def _entry(moment: MomentView) -> rx.Component:
    return rx.hstack(
        rx.center(
            _icon(moment["kind"]),
            width="32px",
            height="32px",
            border_radius="50%",
            flex_shrink="0",
            background="var(--accent-3)",
            color="var(--accent-11)",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(T_var(moment["title"]), " ", moment["amount"], weight="medium", size="2"),
                rx.cond(  # "Placed" needs no badge saying so
                    moment["status"] != moment["title"],
                    rx.badge(T_var(moment["status"]), variant="soft", size="1"),
                ),
                rx.badge(moment["source"], variant="outline", size="1", color_scheme="gray"),
                spacing="2",
                wrap="wrap",
                align="center",
            ),
            rx.text(moment["at"], " · ", moment["ref"], size="1", color_scheme="gray"),
            rx.cond(
                moment["detail"] != "", rx.text(moment["detail"], size="1", color_scheme="gray")
            ),
            spacing="1",
        ),
        align="start",
        spacing="3",
        padding_y="8px",
        border_bottom="1px solid var(--gray-4)",
        width="100%",
        data_testid="timeline-entry",
    )


def timeline(moments: rx.Var[list[MomentView]]) -> rx.Component:
    """The entries, oldest first, in a card."""
    return rx.card(rx.vstack(rx.foreach(moments, _entry), spacing="0", width="100%"), width="100%")
