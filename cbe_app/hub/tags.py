"""Customer tags: labels people put on customers (`US-high-value-repeat`), for reports.

A tag is one word of letters (any script), digits and `- _ .`, up to 60 characters; spaces a
person types become dashes. Reports group and filter orders and customers by tag (a customer
with two tags counts under each). Rules will tag customers too (`source`), beside people.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from cbe_app.auth import audit
from cbe_app.core.errors import NotFound, ValidationFailed
from cbe_app.core.i18n import N_
from cbe_app.hub.orders import Customer, CustomerTag

MAX_TAGS = 20  # per customer: tags are for grouping, not for notes
_SPACES = re.compile(r"\s+")
_ALLOWED = re.compile(r"^[\w.-]{1,60}$")  # \w: letters and digits of any script, and _


def tag_text(text: str) -> str:
    """The tag a person typed, tidied: trimmed, spaces as dashes.

    Raises:
        ValidationFailed: empty, too long, or with characters a tag does not hold.
    """
    tag = _SPACES.sub("-", text.strip())
    if not _ALLOWED.fullmatch(tag):
        raise ValidationFailed(
            {"tag": tag[:80]},
            N_("A tag is one word of up to 60 letters, digits, dashes, dots or underscores."),
        )
    return tag


def tags_of(session: Session, customer_id: int) -> list[str]:
    """The customer's tags, in alphabetical order."""
    query = select(col(CustomerTag.tag)).where(col(CustomerTag.customer_id) == customer_id)
    return sorted(session.scalars(query).all(), key=str.lower)


def add_tag(
    session: Session, customer_id: int, text: str, *, actor_id: int | None, now: datetime
) -> str:
    """Tag a customer (tagging twice changes nothing); returns the tag as stored.

    Raises:
        NotFound: there is no such customer.
        ValidationFailed: the tag cannot be a tag, or the customer has all the tags allowed.
    """
    if session.get(Customer, customer_id) is None:
        raise NotFound(what="Customer")
    tag = tag_text(text)
    if tag in tags_of(session, customer_id):
        return tag
    count = session.scalar(select(func.count()).where(col(CustomerTag.customer_id) == customer_id))
    if (count or 0) >= MAX_TAGS:
        raise ValidationFailed(
            {"tag": tag}, N_("A customer has at most {limit} tags."), limit=str(MAX_TAGS)
        )
    session.add(CustomerTag(customer_id=customer_id, tag=tag, created_by=actor_id, created_at=now))
    audit.record(
        session,
        action="customer.tagged",
        entity="customer",
        entity_id=customer_id,
        actor_id=actor_id,
        at=now,
        tag=tag,
    )
    return tag


def remove_tag(
    session: Session, customer_id: int, tag: str, *, actor_id: int | None, now: datetime
) -> None:
    """Take a tag off a customer (nothing happens if it is not there)."""
    removed = session.execute(
        delete(CustomerTag).where(
            col(CustomerTag.customer_id) == customer_id, col(CustomerTag.tag) == tag
        )
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        audit.record(
            session,
            action="customer.untagged",
            entity="customer",
            entity_id=customer_id,
            actor_id=actor_id,
            at=now,
            tag=tag,
        )
