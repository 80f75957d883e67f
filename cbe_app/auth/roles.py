"""Roles, areas and permissions: who may do what, as plain data.

Access is denied unless a role grants the permission. Every event handler and endpoint names
the permission it needs; this table is the single place that says which roles have it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from cbe_app.core.i18n import N_


class Role(StrEnum):
    """A job a person does; a user may hold several."""

    ADMIN = "admin"
    BUILDER = "builder"
    OPERATOR = "operator"
    WAREHOUSE = "warehouse"
    FINANCE = "finance"
    EXECUTIVE = "executive"


ROLE_LABELS: Mapping[Role, str] = MappingProxyType(
    {
        Role.ADMIN: N_("Administrator"),
        Role.BUILDER: N_("Builder"),
        Role.OPERATOR: N_("Operator"),
        Role.WAREHOUSE: N_("Warehouse"),
        Role.FINANCE: N_("Finance"),
        Role.EXECUTIVE: N_("Executive"),
    }
)


class Permission(StrEnum):
    """Something a handler or endpoint does; named `<area>.<verb>`."""

    USE_APP = "app.use"  # any signed-in user: own profile, language, sign out
    VIEW_DASHBOARDS = "dashboards.view"
    VIEW_REPORTS = "reports.view"  # the reports shared with one's roles
    VIEW_ORDERS = "orders.view"
    VIEW_INVENTORY = "inventory.view"
    VIEW_PURCHASING = "purchasing.view"
    VIEW_CUSTOMERS = "customers.view"
    TAG_CUSTOMERS = "customers.tag"  # put labels on customers, which reports group by
    VIEW_SERVICE = "service.view"
    VIEW_FINANCE = "finance.view"
    USE_BUILDERS = "builders.use"
    VIEW_DATAHUB = "datahub.view"
    MANAGE_DATAHUB = "datahub.manage"
    VIEW_ADMIN = "admin.view"
    MANAGE_USERS = "admin.users"
    VIEW_JOBS = "admin.jobs.view"
    RUN_JOBS = "admin.jobs.run"


_P = Permission
_EVERYONE = frozenset({_P.USE_APP, _P.VIEW_DASHBOARDS, _P.VIEW_REPORTS})

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = MappingProxyType(
    {
        Role.ADMIN: frozenset(Permission),
        Role.BUILDER: _EVERYONE
        | {
            _P.VIEW_ORDERS,
            _P.VIEW_INVENTORY,
            _P.VIEW_PURCHASING,
            _P.VIEW_CUSTOMERS,
            _P.TAG_CUSTOMERS,
            _P.VIEW_SERVICE,
            _P.USE_BUILDERS,
            _P.VIEW_DATAHUB,
            _P.MANAGE_DATAHUB,
        },
        Role.OPERATOR: _EVERYONE
        | {_P.VIEW_ORDERS, _P.VIEW_INVENTORY, _P.VIEW_CUSTOMERS, _P.TAG_CUSTOMERS, _P.VIEW_SERVICE},
        Role.WAREHOUSE: _EVERYONE | {_P.VIEW_ORDERS, _P.VIEW_INVENTORY, _P.VIEW_PURCHASING},
        Role.FINANCE: _EVERYONE
        | {_P.VIEW_ORDERS, _P.VIEW_PURCHASING, _P.VIEW_CUSTOMERS, _P.VIEW_FINANCE},
        Role.EXECUTIVE: _EVERYONE
        | {_P.VIEW_ORDERS, _P.VIEW_INVENTORY, _P.VIEW_CUSTOMERS, _P.VIEW_FINANCE},
    }
)


# What each area of the shell requires to open (its page, and every handler behind it).
AREA_PERMISSIONS: Mapping[str, Permission] = MappingProxyType(
    {
        "dashboards": Permission.VIEW_DASHBOARDS,
        "reports": Permission.VIEW_REPORTS,
        "orders": Permission.VIEW_ORDERS,
        "inventory": Permission.VIEW_INVENTORY,
        "purchasing": Permission.VIEW_PURCHASING,
        "customers": Permission.VIEW_CUSTOMERS,
        "service": Permission.VIEW_SERVICE,
        "finance": Permission.VIEW_FINANCE,
        "builders": Permission.USE_BUILDERS,
        "datahub": Permission.VIEW_DATAHUB,
        "admin": Permission.VIEW_ADMIN,
    }
)


def permissions_of(roles: Iterable[Role | str]) -> frozenset[Permission]:
    """Every permission the roles grant together; unknown role names grant nothing."""
    granted: set[Permission] = set()
    for role in roles:
        try:
            granted |= ROLE_PERMISSIONS[Role(role)]
        except ValueError:
            continue
    return frozenset(granted)


def parse_roles(names: Iterable[str]) -> list[Role]:
    """Role names as typed by an operator, checked; raises ValueError naming the bad one."""
    roles: list[Role] = []
    for name in names:
        cleaned = name.strip().lower()
        if not cleaned:
            continue
        try:
            roles.append(Role(cleaned))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise ValueError(f"Unknown role {name!r}; choose from {allowed}") from None
    return sorted(set(roles), key=list(Role).index)
