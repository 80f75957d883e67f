"""How times and amounts read on screen."""

from __future__ import annotations

from datetime import datetime


def when(moment: datetime | None) -> str:
    """A UTC time as people read it in a table ('' when there is none)."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def progress_figures(done: int, total: int, finished: bool = False) -> tuple[int, str]:
    """(percent, "done / total") of a job; percent is -1 while the total is unknown (some
    providers never say how many records a sync will bring)."""
    if finished:
        return 100, f"{done:,} / {total:,}" if total else f"{done:,}"
    if total:
        return min(100, done * 100 // total), f"{done:,} / {total:,}"
    return -1, f"{done:,}" if done else ""
