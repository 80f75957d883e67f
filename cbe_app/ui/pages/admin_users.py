"""Admin › Users: who can sign in, with which roles; create a user."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, TypedDict

import reflex as rx

from cbe_app.auth.roles import ROLE_LABELS, Permission, Role
from cbe_app.auth.service import create_user, list_users
from cbe_app.core.errors import Conflict, ValidationFailed
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.ui.components.admin_tabs import admin_tabs
from cbe_app.ui.components.records import intro_bar, table_card
from cbe_app.ui.guard import current_principal, guarded
from cbe_app.ui.i18n import T, T_var


class UserRow(TypedDict):
    """A user as the table shows them."""

    id: int
    email: str
    name: str
    roles: list[str]
    active: bool
    last_seen: str


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else ""


def _rows() -> list[UserRow]:
    with session_scope() as session:
        users = list_users(session)
    return [
        UserRow(
            id=u.id,
            email=u.email,
            name=u.full_name,
            roles=[ROLE_LABELS[Role(r)] for r in u.roles],
            active=u.is_active,
            last_seen=_when(u.last_seen_at),
        )
        for u in users
    ]


def _create(form: dict[str, Any], actor_id: int) -> str:
    roles = [r.value for r in Role if form.get(f"role_{r.value}") in ("on", True, "true")]
    with session_scope() as session:
        user = create_user(
            session,
            email=str(form.get("email", "")),
            password=str(form.get("password", "")),
            full_name=str(form.get("name", "")),
            roles=roles,
            now=utcnow(),
            actor_id=actor_id,
        )
        return user.email


class AdminUsersState(rx.State):
    """The users table and the new-user dialog."""

    users: list[UserRow] = []
    dialog_open: bool = False
    field_errors: dict[str, str] = {}

    @rx.event
    @guarded(Permission.MANAGE_USERS)
    async def load(self) -> None:
        """Fill the table."""
        self.users = await asyncio.to_thread(_rows)

    @rx.event
    @guarded(Permission.MANAGE_USERS)
    async def open_dialog(self) -> None:
        """Open an empty new-user form."""
        self.field_errors, self.dialog_open = {}, True

    @rx.event
    @guarded(Permission.MANAGE_USERS)
    async def close_dialog(self) -> None:
        """Close the form without creating anything."""
        self.dialog_open = False

    @rx.event
    @guarded(Permission.MANAGE_USERS)
    async def create(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        """Create the user; every problem with the input is shown at once, by field."""
        self.field_errors = {}
        try:
            email = await asyncio.to_thread(_create, form, current_principal().user_id)
        except ValidationFailed as exc:
            self.field_errors = exc.field_errors
            return None
        except Conflict as exc:
            self.field_errors = {"email": exc.message_id}
            return None
        self.dialog_open = False
        self.users = await asyncio.to_thread(_rows)
        return rx.toast.success(email)


def _error(field: str) -> rx.Component:
    message = AdminUsersState.field_errors.get(field, "")
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


def _new_user_form() -> rx.Component:
    roles = rx.flex(
        *[
            rx.checkbox(T(ROLE_LABELS[r]), name=f"role_{r.value}", data_testid=f"role-{r.value}")
            for r in Role
        ],
        gap="12px",
        wrap="wrap",
    )
    return rx.form(
        rx.vstack(
            _field(T("E-mail"), "email", type="email", data_testid="new-email"),
            _field(T("Full name"), "name", data_testid="new-name"),
            _field(T("Password"), "password", type="password", data_testid="new-password"),
            rx.vstack(
                rx.text(T("Roles"), size="2", weight="medium"), roles, _error("roles"), spacing="2"
            ),
            rx.hstack(
                rx.button(
                    T("Cancel"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=AdminUsersState.close_dialog,
                ),
                rx.button(T("Create user"), type="submit", data_testid="create-user"),
                justify="end",
                width="100%",
            ),
            spacing="4",
        ),
        on_submit=AdminUsersState.create,
        # The server checks everything and reports every problem at once, in the UI language.
        no_validate=True,
    )


def _new_user_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T("New user")),
            rx.dialog.description(
                T("They can sign in as soon as you create them."), size="2", margin_bottom="12px"
            ),
            _new_user_form(),
            max_width="480px",
        ),
        open=AdminUsersState.dialog_open,
    )


def _row(user: UserRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(user["name"], weight="medium"),
                rx.text(user["email"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.foreach(user["roles"], lambda r: rx.badge(T_var(r.to(str)), variant="soft")),
                spacing="1",
                wrap="wrap",
            )
        ),
        rx.table.cell(
            rx.cond(
                user["active"],
                rx.badge(T("Active"), color_scheme="green"),
                rx.badge(T("Disabled"), color_scheme="gray"),
            )
        ),
        rx.table.cell(rx.text(user["last_seen"], size="2", color_scheme="gray")),
        data_testid="user-row",
    )


def users_content() -> rx.Component:
    """The body of Admin › Users."""
    return rx.vstack(
        admin_tabs("users"),
        intro_bar(
            T("People who can sign in, and what their roles let them do."),
            rx.button(
                rx.icon("user-plus", size=16),
                T("New user"),
                on_click=AdminUsersState.open_dialog,
                data_testid="new-user",
            ),
        ),
        table_card(
            [T("User"), T("Roles"), T("Status"), T("Last seen")],
            rx.table.body(rx.foreach(AdminUsersState.users, _row)),
        ),
        _new_user_dialog(),
        spacing="4",
        width="100%",
    )
