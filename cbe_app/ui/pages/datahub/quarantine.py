"""Data hub › Quarantine: records that could not be accepted, why, and Retry."""

from __future__ import annotations

import asyncio
import json
from typing import TypedDict

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.config import get_settings
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub import views
from cbe_app.hub.manage import dismiss_held, retry_held
from cbe_app.hub.providers.registry import PROVIDERS
from cbe_app.ui.components.datahub_tabs import datahub_tabs
from cbe_app.ui.components.formatting import when
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.i18n import T, T_var

_RAW_LIMIT = 4000  # characters of the raw payload shown (the whole of it is kept)


class HeldView(TypedDict):
    """A quarantined record row."""

    id: int
    account: str
    provider: str
    kind: str
    external_id: str
    reason: str
    attempts: int
    seen: str
    raw: str


def _rows() -> list[HeldView]:
    with session_scope() as session:
        items = views.quarantine(session)
    return [
        HeldView(
            id=q.id,
            account=q.account,
            provider=PROVIDERS[q.provider].title if q.provider in PROVIDERS else q.provider,
            kind=q.kind,
            external_id=q.external_id or "—",
            reason=q.reason,
            attempts=q.attempts,
            seen=when(q.last_seen_at),
            raw=json.dumps(q.raw, indent=2, ensure_ascii=False, default=str)[:_RAW_LIMIT],
        )
        for q in items
    ]


def _retry(item_id: int, actor_id: int) -> str:
    with session_scope() as session:
        return retry_held(session, item_id, get_settings().base_currency, utcnow(), actor_id).status


def _dismiss(item_id: int, actor_id: int) -> None:
    with session_scope() as session:
        dismiss_held(session, item_id, utcnow(), actor_id)


class QuarantineState(rx.State):
    """The open quarantine."""

    items: list[HeldView] = []
    outcome: str = ""

    @rx.event
    @guarded(Permission.VIEW_DATAHUB)
    async def load(self) -> None:
        """Fill the list."""
        self.items, self.outcome = await asyncio.to_thread(_rows), ""

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def retry(self, item_id: int) -> None:
        """Map and write the record again (after its mapping was fixed)."""
        status = await asyncio.to_thread(_retry, int(item_id), current_principal().user_id)
        self.outcome = "accepted" if status == "resolved" else "still_held"
        self.items = await asyncio.to_thread(_rows)

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def dismiss(self, item_id: int) -> None:
        """Hide a record that will never be accepted (it stays on record)."""
        await asyncio.to_thread(_dismiss, int(item_id), current_principal().user_id)
        self.items = await asyncio.to_thread(_rows)


def _item(item: HeldView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(T_var(item["kind"]), variant="soft"),
                rx.text(item["provider"], weight="medium"),
                rx.text(item["external_id"], font_family="var(--code-font-family)", size="2"),
                rx.spacer(),
                rx.text(item["seen"], size="1", color_scheme="gray"),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.callout(
                item["reason"],
                icon="triangle-alert",
                color_scheme="orange",
                size="1",
                width="100%",
                data_testid="held-reason",
            ),
            rx.el.details(
                rx.el.summary(T("Raw payload")),
                rx.code_block(item["raw"], language="json", wrap_long_lines=True, font_size="12px"),
            ),
            rx.hstack(
                rx.text(
                    T("Attempts"), ": ", item["attempts"].to(str), size="1", color_scheme="gray"
                ),
                rx.spacer(),
                rx.button(
                    T("Dismiss"),
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=QuarantineState.dismiss(item["id"]),
                ),
                rx.button(
                    rx.icon("rotate-ccw", size=14),
                    T("Retry"),
                    size="1",
                    on_click=QuarantineState.retry(item["id"]),
                    data_testid="retry",
                ),
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="held-record",
    )


def quarantine_content() -> rx.Component:
    """The body of Data hub › Quarantine."""
    return rx.vstack(
        datahub_tabs("quarantine"),
        rx.text(
            T(
                "Records the hub could not accept are kept here with the reason. "
                "Fix the cause (for example a status mapping), then Retry."
            ),
            color_scheme="gray",
        ),
        rx.cond(
            QuarantineState.outcome == "accepted",
            rx.callout(T("The record was accepted."), icon="circle-check", color_scheme="green"),
        ),
        rx.cond(
            QuarantineState.outcome == "still_held",
            rx.callout(
                T("The record is still held; its reason is updated."),
                icon="info",
                color_scheme="orange",
            ),
        ),
        rx.foreach(QuarantineState.items, _item),
        rx.cond(
            QuarantineState.items.length() == 0,
            rx.card(
                rx.hstack(
                    rx.icon("shield-check", color="var(--green-9)"),
                    rx.text(T("Nothing in quarantine.")),
                    align="center",
                ),
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )
