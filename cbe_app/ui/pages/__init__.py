"""Every page of the app, registered on the rx.App by `register`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from cbe_app.auth.roles import AREA_PERMISSIONS
from cbe_app.core.i18n import N_
from cbe_app.ui.components.shell import page_shell
from cbe_app.ui.guard import public
from cbe_app.ui.i18n import T_var
from cbe_app.ui.pages.admin_jobs import JobsState, jobs_content
from cbe_app.ui.pages.admin_users import AdminUsersState, users_content
from cbe_app.ui.pages.area import AreaState, area_content, local
from cbe_app.ui.pages.customers import (
    Customer360State,
    CustomersState,
    customer_360_content,
    customers_content,
)
from cbe_app.ui.pages.dashboards import (
    BoardState,
    DashboardsState,
    board_content,
    dashboards_content,
)
from cbe_app.ui.pages.datahub.accounts import AccountsState, accounts_content
from cbe_app.ui.pages.datahub.file_import import FileImportState, file_import_content
from cbe_app.ui.pages.datahub.quarantine import QuarantineState, quarantine_content
from cbe_app.ui.pages.datahub.runs import RunsState, runs_content
from cbe_app.ui.pages.datahub.status_maps import StatusMapsState, status_maps_content
from cbe_app.ui.pages.login import LoginState, login_page
from cbe_app.ui.pages.order_360 import Order360State, order_360_content
from cbe_app.ui.pages.orders import OrdersState, orders_content
from cbe_app.ui.pages.reports import ReportsState, ReportState, report_content, reports_content
from cbe_app.ui.session import SessionState

AREA_TITLES = {
    "dashboards": "Dashboards",
    "reports": "Reports",
    "orders": "Orders",
    "inventory": "Inventory",
    "purchasing": "Purchasing",
    "customers": "Customers",
    "service": "Service desk",
    "finance": "Finance",
    "builders": "Builders",
    "datahub": "Data hub",
    "admin": "Admin",
}


class HomeState(rx.State):
    """The root address leads to the dashboards (the sign-in page if not signed in)."""

    @rx.event
    @public
    async def go(self) -> rx.event.EventSpec:
        """Send the browser on."""
        return rx.redirect("/dashboards")


def _area_page(key: str) -> rx.Component:
    return page_shell(area_content(), local(AreaState.title))


# Areas with their own screens; the others show their app definition's empty state.
def _screens() -> list[tuple[str, str, Callable[[], rx.Component], Any, str]]:
    """(route, title, body, load handler, heading msgid) of every dedicated screen."""
    return [
        ("/dashboards", "Dashboards", dashboards_content, DashboardsState.load, "Dashboards"),
        ("/dashboards/[key]", "Dashboard", board_content, BoardState.load, "Dashboards"),
        ("/reports", "Reports", reports_content, ReportsState.load, "Reports"),
        ("/reports/[key]", "Report", report_content, ReportState.load, "Reports"),
        ("/orders", "Orders", orders_content, OrdersState.load, "Orders"),
        ("/orders/[order_id]", "Order", order_360_content, Order360State.load, "Order 360"),
        ("/customers", "Customers", customers_content, CustomersState.load, "Customers"),
        (
            "/customers/[customer_id]",
            "Customer",
            customer_360_content,
            Customer360State.load,
            "Customer 360",
        ),
        ("/datahub", "Data hub", accounts_content, AccountsState.load, "Data hub"),
        ("/datahub/runs", "Sync history", runs_content, RunsState.load, "Data hub"),
        ("/datahub/quarantine", "Quarantine", quarantine_content, QuarantineState.load, "Data hub"),
        (
            "/datahub/status-maps",
            "Status maps",
            status_maps_content,
            StatusMapsState.load,
            "Data hub",
        ),
        (
            "/datahub/import",
            "Import file",
            file_import_content,
            FileImportState.load,
            "Data hub",
        ),
        ("/admin", "Admin", users_content, AdminUsersState.load, "Admin"),
        ("/admin/users", "Users", users_content, AdminUsersState.load, "Admin"),
        ("/admin/jobs", "Jobs", jobs_content, JobsState.load, "Admin"),
    ]


# Headings are msgids; listed so the extractor finds them.
_HEADINGS = (
    N_("Order 360"),
    N_("Customer 360"),
    N_("Data hub"),
    N_("Admin"),
    N_("Dashboards"),
    N_("Reports"),
)


def register(app: rx.App) -> None:
    """Add every route to the app, each loading the signed-in user first."""
    app.add_page(login_page, route="/login", title="Sign in · cbe", on_load=LoginState.open)
    app.add_page(rx.fragment, route="/", title="cbe", on_load=HomeState.go)
    screens = _screens()
    dedicated = {route.strip("/") for route, *_ in screens}
    for key in AREA_PERMISSIONS:
        if key in dedicated:
            continue
        app.add_page(
            lambda key=key: _area_page(key),
            route=f"/{key}",
            title=f"{AREA_TITLES[key]} · cbe",
            on_load=[SessionState.load, AreaState.open(key)],
        )
    for route, title, body, load, heading in screens:
        app.add_page(
            lambda body=body, heading=heading: page_shell(body(), T_var(rx.Var.create(heading))),
            route=route,
            title=f"{title} · cbe",
            on_load=[SessionState.load, load],
        )
