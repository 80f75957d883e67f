"""Data hub › Accounts: connected providers, their sync health, Sync now, and Connect."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, TypedDict

import reflex as rx

from cbe_app.auth.roles import Permission
from cbe_app.changes import Change
from cbe_app.core.errors import Conflict, UserError, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.hub import views
from cbe_app.hub.connect import connect_account
from cbe_app.hub.providers.registry import PROVIDERS
from cbe_app.hub.sync import start_sync
from cbe_app.ui import live
from cbe_app.ui.components.datahub_tabs import datahub_tabs
from cbe_app.ui.components.formatting import progress_figures, when
from cbe_app.ui.components.progress import progress_bar
from cbe_app.ui.components.records import intro_bar, table_card
from cbe_app.ui.guard import current_principal, guarded, resolve_principal
from cbe_app.ui.i18n import T, T_var

CONNECTABLE = [p for p in PROVIDERS.values() if p.pulls]


class AccountView(TypedDict):
    """An account row."""

    id: int
    name: str
    code: str
    provider: str
    kind: str
    last_synced: str
    status: str
    error: str
    running: bool
    percent: int
    progress: str
    held: int
    pulls: bool  # synced from an API; False: fed by uploaded files


def _rows() -> list[AccountView]:
    with session_scope() as session:
        rows = views.accounts(session)
    return [
        AccountView(
            id=a.id,
            name=a.name,
            code=a.code,
            provider=PROVIDERS[a.provider].title,
            kind=a.kind,
            last_synced=when(a.last_synced_at),
            status=a.last_status,
            error=a.last_error,
            running=a.running_job is not None,
            percent=figures[0],
            progress=figures[1],
            held=a.open_quarantine,
            pulls=PROVIDERS[a.provider].pulls,
        )
        for a in rows
        for figures in [progress_figures(a.progress_done, a.progress_total)]
    ]


def _connect(form: dict[str, Any], actor_id: int) -> None:
    provider = str(form.get("provider", ""))
    info = PROVIDERS.get(provider)
    credentials = {
        name: str(form.get(f"cred_{name}", "")).strip()
        for name in (info.credentials if info else ())
    }
    settings = {"requests_per_second": str(form.get("requests_per_second", ""))}
    with session_scope() as session:
        connect_account(
            session,
            code=str(form.get("code", "")).strip(),
            name=str(form.get("name", "")),
            provider_name=provider,
            base_url=str(form.get("base_url", "")).strip(),
            credentials={k: v for k, v in credentials.items() if v},
            now=utcnow(),
            actor_id=actor_id,
            settings=settings,
        )


class AccountsState(rx.State):
    """The accounts table, the connect dialog and Sync now."""

    accounts: list[AccountView] = []
    dialog_open: bool = False
    provider: str = ""
    field_errors: dict[str, str] = {}

    @rx.var
    def credential_fields(self) -> list[str]:
        """The secrets the chosen provider needs."""
        info = PROVIDERS.get(self.provider)
        return list(info.credentials) if info else []

    @rx.var
    def suggested_address(self) -> str:
        """The provider's production API address."""
        info = PROVIDERS.get(self.provider)
        return info.address if info else ""

    @rx.event
    @guarded(Permission.VIEW_DATAHUB)
    async def load(self) -> None:
        """Fill the table and follow sync progress while the page is open."""
        self.accounts = await asyncio.to_thread(_rows)
        live.watch("jobs", self.router.session.client_token, AccountsState)

    async def _on_change(self, change: Change) -> bool:
        principal = await resolve_principal(self)
        if principal is None or not principal.can(Permission.VIEW_DATAHUB):
            self.accounts = []
            return False
        self.accounts = await asyncio.to_thread(_rows)
        return True

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def sync_now(self, account_id: int) -> None:
        """Queue a sync of one account; the row shows its progress as it goes."""
        user_id = current_principal().user_id
        # A file-import account has nothing to sync (no button offers it; a forged event may).
        with contextlib.suppress(UserError):
            await asyncio.to_thread(start_sync, int(account_id), "manual", utcnow(), user_id)
        self.accounts = await asyncio.to_thread(_rows)

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def open_dialog(self) -> None:
        """Open an empty connect form."""
        self.field_errors, self.provider, self.dialog_open = {}, CONNECTABLE[0].name, True

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def close_dialog(self) -> None:
        """Close the connect form."""
        self.dialog_open = False

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def choose_provider(self, provider: str) -> None:
        """Show the chosen provider's credential fields."""
        self.provider = provider if provider in PROVIDERS else ""

    @rx.event
    @guarded(Permission.MANAGE_DATAHUB)
    async def connect(self, form: dict[str, Any]) -> None:
        """Create the account; every problem is shown at once, by field."""
        self.field_errors = {}
        try:
            await asyncio.to_thread(
                _connect, {**form, "provider": self.provider}, current_principal().user_id
            )
        except ValidationFailed as exc:
            self.field_errors = exc.field_errors
            return
        except Conflict as exc:
            self.field_errors = {"code": exc.message_id}
            return
        self.dialog_open = False
        self.accounts = await asyncio.to_thread(_rows)


_STATUS = {
    "succeeded": ("green", N_("Synced")),
    "failed": ("red", N_("Failed")),
    "running": ("blue", N_("Syncing")),
    "never": ("gray", N_("Never synced")),
}


def _status(row: AccountView) -> rx.Component:
    return rx.cond(
        row["running"],
        rx.vstack(
            progress_bar(row["percent"]),
            rx.text(
                T("Syncing"),
                rx.cond(row["progress"] != "", " · " + row["progress"], ""),
                size="1",
                color_scheme="gray",
            ),
            spacing="1",
            data_testid="sync-progress",
        ),
        rx.match(
            row["status"],
            *[(k, rx.badge(T(label), color_scheme=c)) for k, (c, label) in _STATUS.items()],  # type: ignore[arg-type]
            rx.badge(row["status"]),
        ),
    )


def _row(row: AccountView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row["name"], weight="medium"),
                rx.text(row["provider"], " · ", row["code"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.badge(T_var(row["kind"]), variant="soft")),
        rx.table.cell(_status(row), data_testid="account-status"),
        rx.table.cell(rx.text(row["last_synced"], size="2", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                row["held"] > 0,
                rx.link(
                    rx.badge(row["held"].to(str), color_scheme="orange"), href="/datahub/quarantine"
                ),
                rx.text("0", size="2"),
            )
        ),
        rx.table.cell(
            rx.cond(
                row["pulls"],
                rx.button(
                    rx.icon("refresh-cw", size=14),
                    T("Sync now"),
                    size="1",
                    variant="soft",
                    on_click=AccountsState.sync_now(row["id"]),
                    disabled=row["running"],
                    data_testid="sync-now",
                ),
                rx.link(
                    rx.button(
                        rx.icon("upload", size=14), T("Import file"), size="1", variant="soft"
                    ),
                    href="/datahub/import",
                ),
            )
        ),
        rx.table.cell(
            rx.cond(row["error"] != "", rx.text(row["error"], size="1", color_scheme="red"))
        ),
        data_testid="account-row",
    )


def _error(field: str) -> rx.Component:
    message = AccountsState.field_errors.get(field, "")
    return rx.cond(
        message != "",
        rx.text(T_var(message.to(str)), size="1", color_scheme="red", data_testid=f"error-{field}"),
    )


def _field(label: rx.Var[str], name: str, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(name=name, width="100%", **props),
        _error(name),
        spacing="1",
        width="100%",
    )


def _connect_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.vstack(
                rx.text(T("Provider"), size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(width="100%", data_testid="connect-provider"),
                    rx.select.content(
                        *[rx.select.item(p.title, value=p.name) for p in CONNECTABLE]
                    ),
                    value=AccountsState.provider,
                    on_change=AccountsState.choose_provider,
                ),
                _error("provider"),
                spacing="1",
                width="100%",
            ),
            _field(T("Name"), "name", data_testid="connect-name"),
            _field(T("Code"), "code", placeholder="amazon-us", data_testid="connect-code"),
            _field(
                T("API address"),
                "base_url",
                placeholder=AccountsState.suggested_address,
                data_testid="connect-url",
            ),
            rx.foreach(
                AccountsState.credential_fields,
                lambda name: _field(
                    T_var(name),
                    "cred_" + name,
                    type="password",
                    auto_complete="off",
                    data_testid="connect-cred-" + name,
                ),
            ),
            _field(
                T("Requests per second (optional)"),
                "requests_per_second",
                placeholder=T("Empty: the provider's published limit; 0: none"),
                data_testid="connect-pace",
            ),
            rx.hstack(
                rx.button(
                    T("Cancel"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=AccountsState.close_dialog,
                ),
                rx.button(T("Connect"), type="submit", data_testid="connect-submit"),
                justify="end",
                width="100%",
            ),
            spacing="3",
        ),
        on_submit=AccountsState.connect,
        no_validate=True,
    )


def accounts_content() -> rx.Component:
    """The body of Data hub › Accounts."""
    return rx.vstack(
        datahub_tabs("accounts"),
        intro_bar(
            T("Channels, carriers and payment providers the hub syncs."),
            rx.button(
                rx.icon("plug", size=16),
                T("Connect account"),
                on_click=AccountsState.open_dialog,
                data_testid="connect-account",
            ),
        ),
        table_card(
            [T("Account"), T("Kind"), T("Status"), T("Last sync"), T("Quarantined"), "", ""],
            rx.table.body(rx.foreach(AccountsState.accounts, _row)),
        ),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(T("Connect account")), _connect_form(), max_width="520px"
            ),
            open=AccountsState.dialog_open,
        ),
        spacing="4",
        width="100%",
    )
