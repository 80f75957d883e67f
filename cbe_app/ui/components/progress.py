"""A job's progress bar: how far it is when the total is known, a moving bar when it is not."""

from __future__ import annotations

import reflex as rx


def progress_bar(percent: rx.Var[int], width: str = "140px") -> rx.Component:
    """`percent` from 0 to 100, or -1 for an unknown total."""
    return rx.cond(
        percent >= 0,
        rx.progress(value=percent, max=100, width=width),
        rx.progress(width=width),  # indeterminate: shows life, not a made-up share
    )
