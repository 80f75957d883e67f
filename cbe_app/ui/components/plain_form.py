"""An HTML form the browser submits itself (Reflex's own form always stays in the page).

Sign-in and sign-out must be real form posts: the server answers with the HttpOnly session
cookie (or clears it) and a redirect, which a websocket event cannot do.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML


class PlainForm(BaseHTML):
    """`<form action=… method=post>` without Reflex's submit interception."""

    tag = "form"

    action: rx.Var[str]
    method: rx.Var[str]
