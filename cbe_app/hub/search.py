"""Finding orders and customers by a fragment of an id, a name or an e-mail, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from cbe_app.core.money import from_minor
from cbe_app.hub.catalog import Channel
from cbe_app.hub.orders import Customer, SalesOrder

PAGE_SIZE = 50


def _contains(text: str) -> str:
    """A LIKE pattern for "contains this text": `%` and `_` typed by a person are literal
    (eBay ids have underscores; "_" alone matched every order)."""
    plain = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{plain}%"


@dataclass(frozen=True, slots=True)
class OrderRow:
    """An order in a list."""

    id: int
    external_id: str
    channel: str
    placed_at: datetime
    status: str
    payment_status: str
    total: str
    country: str
    email: str


def find_orders(
    session: Session, text: str = "", page: int = 0, customer_id: int | None = None
) -> tuple[list[OrderRow], int]:
    """Orders matching an id or e-mail fragment, newest first, a page at a time; and the count."""
    query = (
        select(SalesOrder, col(Channel.name), col(Customer.email))
        .join(Channel, col(Channel.id) == col(SalesOrder.channel_id))
        .outerjoin(Customer, col(Customer.id) == col(SalesOrder.customer_id))
    )
    if text.strip():
        like = _contains(text)
        # Ids are lowered too: PostgreSQL's LIKE is case-sensitive (SQLite's is not), so
        # "sh-1001" found "SH-1001" on one backend only.
        query = query.where(
            or_(
                func.lower(col(SalesOrder.external_id)).like(like, escape="\\"),
                func.lower(col(Customer.email)).like(like, escape="\\"),
            )
        )
    if customer_id is not None:
        query = query.where(col(SalesOrder.customer_id) == customer_id)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.execute(
        query.order_by(col(SalesOrder.placed_at).desc()).offset(page * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return [
        OrderRow(
            o.id or 0,
            o.external_id,
            name,
            o.placed_at,
            o.status,
            o.payment_status,
            f"{from_minor(o.total_minor, o.currency)} {o.currency}",
            o.country,
            email or "",
        )
        for o, name, email in rows
    ], total


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """A customer in a list."""

    id: int
    name: str
    email: str
    country: str
    orders: int


def find_customers(session: Session, text: str = "") -> list[CustomerRow]:
    """The newest customers matching a name or e-mail fragment, with their order counts.

    Counting only the page's customers keeps the list quick however many orders there are.
    """
    query = select(Customer).order_by(col(Customer.id).desc()).limit(PAGE_SIZE)
    if text.strip():
        like = _contains(text)
        query = query.where(
            or_(
                func.lower(col(Customer.email)).like(like, escape="\\"),
                func.lower(col(Customer.name)).like(like, escape="\\"),
            )
        )
    customers = session.scalars(query).all()
    counts = dict(
        session.execute(
            select(col(SalesOrder.customer_id), func.count())
            .where(col(SalesOrder.customer_id).in_([c.id for c in customers]))
            .group_by(col(SalesOrder.customer_id))
        ).all()
    )
    return [
        CustomerRow(c.id or 0, c.name, c.email or "", c.country, int(counts.get(c.id, 0)))
        for c in customers
    ]
