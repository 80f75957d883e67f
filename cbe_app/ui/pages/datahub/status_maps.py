"""Data hub › Status maps: how each provider's statuses read in the hub's one vocabulary."""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.core.errors import ValidationFailed
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub.accounts import AccountKind
from cbe_app.hub.canonical import VOCABULARIES
from cbe_app.hub.manage import save_status_map, status_map_of
from cbe_app.hub.providers.registry import PROVIDERS
from cbe_app.ui.components.datahub_tabs import datahub_tabs
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.i18n import T, T_var

# Providers whose records carry statuses (ad spend has none to map).
MAPPED = [p for p in PROVIDERS.values() if p.kind is not AccountKind.MARKETING]
KINDS = ("order", "payment", "shipment")


class MapRow(TypedDict):
    """One provider status and what it means."""

    key: str
    status: str


def _rows(provider: str, kind: str) -> list[MapRow]:
    with session_scope() as session:
        definition = status_map_of(session, provider)
    table: dict[str, Any] = getattr(definition, kind)
    return [MapRow(key=k, status=str(getattr(v, "value", v))) for k, v in sorted(table.items())]


def _save(provider: str, kind: str, rows: list[MapRow], actor_id: int) -> None:
    with session_scope() as session:
        save_status_map(
            session,
            provider,
            kind,
            {r["key"]: r["status"] for r in rows},
            now=utcnow(),
            actor_id=actor_id,
        )


class StatusMapsState(rx.State):
    """The map being edited."""

    provider: str = "shopify"
    kind: str = "order"
    rows: list[MapRow] = []
    saved: bool = False
    error: str = ""

    @rx.var
    def choices(self) -> list[str]:
        """The canonical statuses of the kind being edited."""
        return [s.value for s in VOCABULARIES[self.kind]]

    @rx.event
    @guarded(Permission.VIEW_DATAHUB)
    async def load(self) -> None:
        """Show the current provider's map."""
        await self._read()

    async def _read(self) -> None:
        self.saved, self.error = False, ""
        try:
            self.rows = await asyncio.to_thread(_rows, self.provider, self.kind)
        except Exception:  # noqa: BLE001 - a provider without a map shows an empty table
            self.rows = []

    @rx.event
    @guarded(Permission.VIEW_DATAHUB)
    async def choose_provider(self, provider: str) -> None:
        """Edit another provider's map."""
        self.provider = provider if provider in PROVIDERS else self.provider
        await self._read()

    @rx.event
    @guarded(Permission.VIEW_DATAHUB)
    async def choose_kind(self, kind: str | list[str]) -> None:
        """Edit the map of another record kind (the control sends a list when multiple)."""
        chosen = kind if isinstance(kind, str) else next(iter(kind), "")
        self.kind = chosen if chosen in KINDS else self.kind
        await self._read()

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def set_status(self, index: int, status: str) -> None:
        """Change what one provider status means."""
        if 0 <= index < len(self.rows) and status in self.choices:
            self.rows[index]["status"] = status
            self.saved = False

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def add_row(self, form: dict[str, Any]) -> None:
        """Add a provider status (for example one named by a quarantined record)."""
        key, status = str(form.get("key", "")).strip(), str(form.get("status", ""))
        if key and status in self.choices:
            self.rows = [r for r in self.rows if r["key"].lower() != key.lower()] + [
                MapRow(key=key, status=status)
            ]
            self.saved = False

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def save(self) -> None:
        """Store the map as a new version (the pack will not overwrite it)."""
        try:
            await asyncio.to_thread(
                _save, self.provider, self.kind, list(self.rows), current_principal().user_id
            )
        except ValidationFailed as exc:
            self.error = next(iter(exc.field_errors.values()), exc.message_id)
            return
        self.saved, self.error = True, ""


def _row(row: MapRow, index: rx.Var[int]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row["key"])),
        rx.table.cell(rx.icon("arrow-right", size=14, color="var(--gray-9)")),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(width="220px"),
                rx.select.content(
                    rx.foreach(StatusMapsState.choices, lambda c: rx.select.item(T_var(c), value=c))
                ),
                value=row["status"],
                on_change=lambda value: StatusMapsState.set_status(index, value),
            )
        ),
        data_testid="map-row",
    )


def _kind_labels() -> list[tuple[str, rx.Var[str]]]:
    return [("order", T("Orders")), ("payment", T("Payments")), ("shipment", T("Shipments"))]


def _picker() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(data_testid="map-provider"),
            rx.select.content(*[rx.select.item(p.title, value=p.name) for p in MAPPED]),
            value=StatusMapsState.provider,
            on_change=StatusMapsState.choose_provider,
        ),
        rx.segmented_control.root(
            *[rx.segmented_control.item(label, value=k) for k, label in _kind_labels()],
            value=StatusMapsState.kind,
            on_change=StatusMapsState.choose_kind,
        ),
        spacing="3",
        wrap="wrap",
    )


def _add_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="key", placeholder=T("Provider status"), data_testid="new-status-key"),
            rx.el.select(
                rx.foreach(StatusMapsState.choices, lambda c: rx.el.option(T_var(c), value=c)),
                name="status",
                data_testid="new-status-value",
                style={
                    "padding": "6px",
                    "borderRadius": "6px",
                    "border": "1px solid var(--gray-6)",
                },
            ),
            rx.button(
                rx.icon("plus", size=14),
                T("Add"),
                type="submit",
                variant="soft",
                data_testid="add-status",
            ),
            spacing="2",
            wrap="wrap",
        ),
        on_submit=StatusMapsState.add_row,
    )


def status_maps_content() -> rx.Component:
    """The body of Data hub › Status maps."""
    return rx.vstack(
        datahub_tabs("status-maps"),
        rx.text(
            T(
                "Each provider's statuses, in the hub's one vocabulary. "
                "A status no map knows sends its record to quarantine until it is added here."
            ),
            color_scheme="gray",
        ),
        _picker(),
        rx.card(
            rx.table.root(rx.table.body(rx.foreach(StatusMapsState.rows, _row)), width="100%"),
            width="100%",
        ),
        _add_form(),
        rx.hstack(
            rx.button(
                rx.icon("save", size=15),
                T("Save"),
                on_click=StatusMapsState.save,
                data_testid="save-map",
            ),
            rx.cond(
                StatusMapsState.saved,
                rx.text(
                    T("Saved as a new version."), color_scheme="green", data_testid="map-saved"
                ),
            ),
            rx.cond(
                StatusMapsState.error != "",
                rx.text(T_var(StatusMapsState.error), color_scheme="red"),
            ),
            align="center",
            spacing="3",
        ),
        spacing="4",
        width="100%",
    )
