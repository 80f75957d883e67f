import pytest

from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import AREA_PERMISSIONS, Permission, Role, parse_roles, permissions_of


def test_admin_has_every_permission() -> None:
    assert permissions_of([Role.ADMIN]) == frozenset(Permission)


def test_only_admins_manage_users_and_jobs() -> None:
    for role in Role:
        granted = permissions_of([role])
        assert (Permission.MANAGE_USERS in granted) == (role is Role.ADMIN)
        assert (Permission.RUN_JOBS in granted) == (role is Role.ADMIN)


def test_every_role_sees_dashboards_and_every_area_has_a_permission() -> None:
    assert all(Permission.VIEW_DASHBOARDS in permissions_of([r]) for r in Role)
    assert all(Permission.VIEW_REPORTS in permissions_of([r]) for r in Role)
    assert set(AREA_PERMISSIONS) == {
        "dashboards",
        "reports",
        "orders",
        "inventory",
        "purchasing",
        "customers",
        "service",
        "finance",
        "builders",
        "datahub",
        "admin",
    }


def test_roles_combine_and_unknown_roles_grant_nothing() -> None:
    both = permissions_of(["warehouse", "finance"])
    assert Permission.VIEW_FINANCE in both and Permission.VIEW_INVENTORY in both
    assert permissions_of(["root", "superuser"]) == frozenset()


def test_parse_roles_names_the_bad_one() -> None:
    assert parse_roles(["Finance ", "admin", "admin"]) == [Role.ADMIN, Role.FINANCE]
    with pytest.raises(ValueError, match="'boss'"):
        parse_roles(["admin", "boss"])


def test_a_principal_can_what_its_roles_grant() -> None:
    operator = Principal(1, "o@x.example", "O", frozenset({Role.OPERATOR}), "en")
    assert operator.can(Permission.VIEW_ORDERS)
    assert not operator.can(Permission.MANAGE_USERS)
