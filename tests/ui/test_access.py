"""Deny by default: every handler declares who may call it, and the list is reviewed here."""

from __future__ import annotations

import pytest

from cbe_app.auth.roles import Permission
from cbe_app.ui.guard import FRAMEWORK_HANDLERS, PUBLIC, SIGNED_IN
from tests.ui.handlers import Handler, registered_handlers

# Handlers anyone may call without signing in. Adding one is a security decision: review it.
REVIEWED_PUBLIC = {"go", "open@login", "switch_language"}


@pytest.fixture(scope="module")
def handlers() -> list[Handler]:
    return registered_handlers()


def test_every_handler_of_ours_declares_its_access(handlers: list[Handler]) -> None:
    ours = [h for h in handlers if h.ours]
    assert len(ours) >= 10
    valid = {p.value for p in Permission} | {PUBLIC, SIGNED_IN}
    undeclared = [h.event for h in ours if h.access not in valid]
    assert not undeclared, f"handlers without a declared access: {undeclared}"


def test_public_handlers_are_the_reviewed_few(handlers: list[Handler]) -> None:
    public = {
        f"{h.function}@login" if "login" in h.module else h.function
        for h in handlers
        if h.access == PUBLIC
    }
    assert public == REVIEWED_PUBLIC


def test_only_named_framework_events_pass_and_setvar_never_does(handlers: list[Handler]) -> None:
    framework = {h.function for h in handlers if h.framework}
    assert framework <= FRAMEWORK_HANDLERS
    setters = [h for h in handlers if h.function == "setvar"]
    assert setters, "Reflex registers setvar on every state; the gate must refuse it"
    assert all(not h.framework and h.access is None for h in setters)
    leftovers = [
        h.event for h in handlers if not h.ours and not h.framework and h.function != "setvar"
    ]
    assert not leftovers, (
        f"Reflex handlers the gate would refuse (check they are unused): {leftovers}"
    )
