"""One customer across channels: matched on e-mail, then phone, then the channel's buyer id.

Set-based like the rest of the ingest: a page's buyers are looked up and created with a few
statements, whatever the page size.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, bindparam, select
from sqlmodel import Session

from cbe_app.db_bulk import bulk_write, select_rows
from cbe_app.hub.ingest.context import IngestContext
from cbe_app.hub.normalise import Order
from cbe_app.hub.orders import Customer, CustomerIdentity

CUSTOMERS: Table = Customer.__table__  # type: ignore[attr-defined]
IDENTITIES: Table = CustomerIdentity.__table__  # type: ignore[attr-defined]

# Expanding parameters: each lookup compiles once, whatever the page's ids.
_BY_EMAIL = select(CUSTOMERS.c.email, CUSTOMERS.c.id).where(
    CUSTOMERS.c.email.in_(bindparam("emails", expanding=True))
)
_BY_PHONE = select(CUSTOMERS.c.phone, CUSTOMERS.c.id).where(
    CUSTOMERS.c.phone.in_(bindparam("phones", expanding=True))
)
_BY_REF = select(IDENTITIES.c.external_ref, IDENTITIES.c.customer_id).where(
    IDENTITIES.c.provider == bindparam("provider"),
    IDENTITIES.c.account_id == bindparam("account_id"),
    IDENTITIES.c.external_ref.in_(bindparam("refs", expanding=True)),
)


def _by_email(session: Session, orders: Sequence[Order], ctx: IngestContext) -> dict[str, int]:
    wanted = {o.customer_email: o for o in orders if o.customer_email}
    if not wanted:
        return {}
    rows = [
        {
            "email": email,
            "name": o.customer_name[:200],
            "phone": o.customer_phone,
            "country": o.country,
            "created_at": ctx.now,
        }
        for email, o in wanted.items()
    ]
    bulk_write(session, CUSTOMERS, rows, keys=["email"])
    return dict(select_rows(session, _BY_EMAIL, {"emails": list(wanted)}))


def _by_phone(session: Session, orders: Sequence[Order], ctx: IngestContext) -> dict[str, int]:
    wanted = {o.customer_phone: o for o in orders if not o.customer_email and o.customer_phone}
    if not wanted:
        return {}
    found: dict[str, int] = dict(select_rows(session, _BY_PHONE, {"phones": list(wanted)}))
    for phone, order in wanted.items():
        if phone not in found:
            found[phone] = _new_customer(session, order, ctx)
    return found


def _by_identity(session: Session, orders: Sequence[Order], ctx: IngestContext) -> dict[str, int]:
    account = ctx.account
    refs = {o.customer_ref for o in orders if o.customer_ref}
    if not refs:
        return {}
    params = {"provider": account.provider, "account_id": account.id, "refs": list(refs)}
    return dict(select_rows(session, _BY_REF, params))


def _new_customer(session: Session, order: Order, ctx: IngestContext) -> int:
    row = {
        "email": None,
        "name": order.customer_name[:200],
        "phone": order.customer_phone,
        "country": order.country,
        "created_at": ctx.now,
    }
    return int(session.execute(CUSTOMERS.insert().returning(CUSTOMERS.c.id), row).scalar_one())


def resolve_customers(
    session: Session, orders: Sequence[Order], ctx: IngestContext
) -> dict[str, int | None]:
    """The customer id of each order (by external id); creates customers it has not seen."""
    emails = _by_email(session, orders, ctx)
    phones = _by_phone(session, orders, ctx)
    known = _by_identity(session, orders, ctx)
    result: dict[str, int | None] = {}
    links = []
    for order in orders:
        customer = (
            emails.get(order.customer_email or "")
            or phones.get(order.customer_phone)
            or known.get(order.customer_ref)
        )
        if customer is None and order.customer_ref:
            customer = known[order.customer_ref] = _new_customer(session, order, ctx)
        result[order.external_id] = customer
        if customer is not None and order.customer_ref:
            links.append(
                {
                    "customer_id": customer,
                    "provider": ctx.account.provider,
                    "account_id": ctx.account.id,
                    "external_ref": order.customer_ref[:128],
                }
            )
    bulk_write(session, IDENTITIES, links, keys=["provider", "account_id", "external_ref"])
    return result
