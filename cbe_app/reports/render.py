"""Writing a spooled report into a workbook or PDF, in a process of its own.

openpyxl writes some twenty thousand cells a second and WeasyPrint lays out about a page a
second: a large workbook or PDF takes minutes, while a task must end within seconds (a
message held longer is handed to another worker). So the export job starts this renderer
as a separate process, outside the worker, and its later steps only look whether the file
is there. The file appears whole or not at all (written beside it, then renamed); a failure
leaves `<file>.error` with the reason.

Run as `python -m cbe_app.reports.render ORDER.json`; the order is written by the job.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from cbe_app.config import PROJECT_ROOT
from cbe_app.reports.exports import ExportColumn, ExportTable, write_pdf, write_xlsx

_NUMBERS = frozenset({"money", "number", "percent", "ratio"})


@dataclass(frozen=True, slots=True)
class RenderOrder:
    """What to write: the spool to read, the file to make, and what the table says."""

    spool: str
    out: str
    format: str  # "xlsx" or "pdf"
    limit: int
    title: str
    subtitle: list[str]
    columns: list[list[str]]  # [key, label, type]
    currency: str
    locale: str

    def save(self, path: Path) -> None:
        """Write the order where the renderer will read it."""
        path.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> RenderOrder:
        """Read an order."""
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def error_path(out: Path) -> Path:
    """Where a failed render says why."""
    return out.with_name(out.name + ".error")


def revive(row: dict[str, Any], types: dict[str, str]) -> dict[str, Any]:
    """A spooled line with its values as the writers take them (Decimal, datetime, date)."""
    for key, value in row.items():
        if value is None:
            continue
        kind = types.get(key)
        if kind in _NUMBERS:
            row[key] = Decimal(value)
        elif kind == "time":
            row[key] = datetime.fromisoformat(value)
        elif kind == "date":
            row[key] = date.fromisoformat(value[:10])
    return row


def _lines(spool: Path, types: dict[str, str]) -> Iterator[dict[str, Any]]:
    with spool.open("rb") as handle:
        for line in handle:
            yield revive(orjson.loads(line), types)


def render(order: RenderOrder) -> None:
    """Write the file the order asks for (whole, or not at all)."""
    columns = tuple(ExportColumn(*column) for column in order.columns)
    types = {c.key: c.type for c in columns}
    table = ExportTable(
        order.title,
        tuple(order.subtitle),
        columns,
        _lines(Path(order.spool), types),
        order.currency,
        order.locale,
    )
    out = Path(order.out)
    partial = out.with_name(f"{out.name}.{os.getpid()}.partial")  # two renders never mix
    writer = write_xlsx if order.format == "xlsx" else write_pdf
    with partial.open("wb") as handle:
        writer(table, handle, limit=order.limit)
    partial.replace(out)


def start(order_path: Path, log: Path) -> int:
    """Start the renderer for an order, detached from this process; returns its pid."""
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "cbe_app.reports.render", str(order_path)],
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a worker stopped or killed does not take it along
        )
    return process.pid


def running(pid: int) -> bool:
    """Whether the renderer `pid` is still at work (a finished child is reaped here)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass  # started by another worker process: look it up instead
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state != "Z" and b"cbe_app.reports.render" in cmdline


def main() -> None:
    """Entry point: render the order named on the command line."""
    order_path = Path(sys.argv[1])
    order = RenderOrder.load(order_path)
    try:
        render(order)
    except Exception as exc:
        error_path(Path(order.out)).write_text(f"{type(exc).__name__}: {exc}", encoding="utf-8")
        raise SystemExit(1) from exc


if __name__ == "__main__":
    main()
