"""Errors a user can cause, typed so every shell can show them as a clear message.

Each error carries a message id (an English sentence with `{placeholders}`) and its
parameters; the UI translates the message into the reader's language, the CLI prints the
English text. Nothing a user does should surface as a stack trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class UserError(Exception):
    """Base of every error a person can cause and fix."""

    message_id: str = "Something went wrong."

    def __init__(self, message_id: str | None = None, **params: Any) -> None:
        self.message_id = message_id or self.message_id
        self.params = params
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The English message with its parameters filled in."""
        return self.message_id.format(**self.params) if self.params else self.message_id


class ValidationFailed(UserError):
    """Input was rejected; `field_errors` holds every problem at once, by field name."""

    message_id = "Please correct the highlighted fields."

    def __init__(
        self,
        field_errors: Mapping[str, str] | None = None,
        message_id: str | None = None,
        **params: Any,
    ) -> None:
        self.field_errors = dict(field_errors or {})
        super().__init__(message_id, **params)

    @property
    def text(self) -> str:
        """The summary followed by each field's problem, for one-line shells like the CLI."""
        summary = super().text
        if not self.field_errors:
            return summary
        details = "; ".join(f"{name}: {problem}" for name, problem in self.field_errors.items())
        return f"{summary} {details}"


class PermissionDenied(UserError):
    """The signed-in user may not do this."""

    message_id = "You don't have permission to do that."


class NotSignedIn(UserError):
    """No valid session: the user must sign in (again)."""

    message_id = "Your session has ended. Please sign in again."


class NotFound(UserError):
    """The thing asked for does not exist (or is not visible to this user)."""

    message_id = "{what} was not found."


class Conflict(UserError):
    """The change collides with the current state (a duplicate, or someone else's change)."""

    message_id = "This conflicts with a change made by someone else. Reload and try again."
