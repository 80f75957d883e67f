"""What dashboards and reports have in common as things people share and change.

Admins and builders open every one; others open those shared with one of their roles. A
builder's change is validated as a whole, stored as the definition's next version and
audited; a copy gets a key of its own made from its title.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError
from sqlmodel import Session

from cbe_app.auth import audit
from cbe_app.auth.principal import Principal
from cbe_app.auth.roles import Permission, Role
from cbe_app.core.definitions import Definition
from cbe_app.core.errors import ValidationFailed
from cbe_app.packs.service import save_definition

D = TypeVar("D", bound=Definition)


class Shared(Protocol):
    """A definition shared by role."""

    @property
    def shared_with(self) -> list[Role]: ...


def may_open(principal: Principal, definition: Shared) -> bool:
    """Admins and builders open everything; others what is shared with one of their roles."""
    if Role.ADMIN in principal.roles or principal.can(Permission.USE_BUILDERS):
        return True
    return bool(principal.roles & set(definition.shared_with))


def free_key(title: str, fallback: str, taken: set[str]) -> str:
    """A key made from the title (else `fallback`), numbered until no one has it."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    slug = "_".join(words)[:50]
    wanted = slug if slug[:1].isalpha() else fallback
    found, n = wanted, 2
    while found in taken:
        found, n = f"{wanted}_{n}", n + 1
    return found


def store(
    session: Session,
    changed: D,
    *,
    principal: Principal,
    now: datetime,
    action: str,
    problem: str,
    check: Callable[[D], None] | None = None,
    **details: Any,
) -> D:
    """Validate the changed definition as a whole (and with `check`), store its next version
    and audit it.

    Raises:
        ValidationFailed: what is wrong with it, by path, under the message `problem`.
    """
    try:
        checked = type(changed).model_validate(changed.model_dump())
    except ValidationError as exc:
        problems = {
            ".".join(str(p) for p in e["loc"]) or "definition": e["msg"] for e in exc.errors()
        }
        raise ValidationFailed(problems, problem) from None
    if check is not None:
        check(checked)
    row = save_definition(session, checked, now=now, actor_id=principal.user_id)
    audit.record(
        session,
        action=action,
        entity="definition",
        entity_id=row.id or 0,
        actor_id=principal.user_id,
        at=now,
        **{checked.kind: checked.key},
        **details,
    )
    return checked
