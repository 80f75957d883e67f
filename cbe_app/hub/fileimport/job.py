"""Loading a whole file in the background: a job that imports a thousand orders per step.

The first step reads the file, renames its columns, groups its rows by order (the rows of an
order need not be next to each other in the sheet) and writes them to a spool beside the
upload, one order per line. Each later step ingests the next orders from the spool and commits
them with the spool position, so a worker killed anywhere resumes after the last committed
order and nothing is imported twice. The import is a sync run of the file-import account:
the sync history shows its progress and counts, and the quarantine its rejected rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select
from sqlmodel import Session, col

from cbe_app.core.i18n import N_
from cbe_app.db import session_scope
from cbe_app.hub.accounts import Account
from cbe_app.hub.connect import file_import_account
from cbe_app.hub.fileimport.table import Row, read_table
from cbe_app.hub.ingest.page import ingest_page
from cbe_app.hub.ingest.rules import ingest_context
from cbe_app.hub.providers.csvfile.mapper import PROVIDER, apply_mapping, map_rows
from cbe_app.hub.runs import SyncRun
from cbe_app.hub.sync import complete_run, count_page, new_run, run_counts
from cbe_app.jobs.runner import JobFailed, JobView, Step, StepFn
from cbe_app.jobs.service import enqueue

IMPORT_TASK = "cbe.hub.import_file"
IMPORT_TITLE = N_("Import file")
ORDERS_PER_STEP = 1000


def start_file_import(
    path: Path, filename: str, mapping: Mapping[str, str], now: datetime, user_id: int | None
) -> int:
    """Queue the import of an uploaded file with its column mapping; returns the job id.

    The mapping is remembered on the import account, so the next file from the same tool
    starts with the same choices.
    """
    with session_scope() as session:
        account = file_import_account(session, PROVIDER, now)
        account.settings = {**account.settings, "columns": dict(mapping)}
        run = new_run(session, account, "file", now)
        params = {
            "account_id": account.id,
            "run_id": run.id,
            "path": str(path),
            "filename": filename,
            "mapping": dict(mapping),
        }
        run_id = run.id
    job_id = enqueue(
        IMPORT_TASK, IMPORT_TITLE, params, now=now, user_id=user_id, dedupe_key=f"import:{run_id}"
    )
    with session_scope() as session:
        stored = session.get(SyncRun, run_id)
        if stored is not None:
            stored.job_id = job_id
    return job_id


def _spool_path(upload: Path) -> Path:
    return upload.with_name(upload.name + ".spool")


def write_spool(upload: Path, mapping: Mapping[str, str]) -> int:
    """Group the file's rows by order into the spool; returns how many orders it holds.

    Rows without an order number each stay a record of their own, so that they reach the
    quarantine with their reason instead of vanishing.
    """
    rows = apply_mapping(read_table(upload).rows, mapping)
    groups: dict[str, list[Row]] = {}
    for row in rows:
        key = str(row.get("external_id") or "").strip() or f"\0row {row['_row']}"
        groups.setdefault(key, []).append(row)
    spool = _spool_path(upload)
    partial = spool.with_name(spool.name + ".partial")
    with partial.open("wb") as out:
        for group in groups.values():
            out.write(orjson.dumps(group, default=str) + b"\n")
    partial.replace(spool)  # whole or not at all: a killed first step simply writes it again
    return len(groups)


def read_spool(upload: Path, position: int, orders: int) -> tuple[list[list[Row]], int, bool]:
    """The next `orders` orders (each its rows) from byte `position`; the position after them,
    and whether the spool is used up."""
    spool = _spool_path(upload)
    if not spool.exists():
        raise JobFailed(f"The file being imported is gone ({upload.name}); upload it again")
    with spool.open("rb") as handle:
        handle.seek(position)
        groups = [
            orjson.loads(line) for _, line in zip(range(orders), _lines(handle), strict=False)
        ]
        after = handle.tell()
        finished = not handle.readline()
    return groups, after, finished


def _lines(handle: Any) -> Iterator[bytes]:
    while line := handle.readline():
        yield line


def _remove(upload: Path) -> None:
    for path in (upload, _spool_path(upload)):
        path.unlink(missing_ok=True)


def import_step(base_currency: str) -> StepFn:
    """The job step of a file import (see the module docstring)."""

    def step(session: Session, job: JobView, now: datetime) -> Step:
        run = session.get(SyncRun, int(job.params["run_id"]))
        account = session.get(Account, int(job.params["account_id"]))
        if run is None or account is None:
            raise JobFailed("The import's account or sync run no longer exists")
        upload = Path(job.params["path"])
        if "position" not in job.cursor:
            total = write_spool(upload, job.params["mapping"])
            return Step({"position": 0, "done": 0, "total": total}, 0, total, N_("Importing"))
        total = int(job.cursor["total"])
        groups, after, finished = read_spool(upload, int(job.cursor["position"]), ORDERS_PER_STEP)
        ctx = ingest_context(session, account, base_currency, now)
        count_page(run, ingest_page(session, map_rows([r for g in groups for r in g]), ctx))
        if finished:
            complete_run(account, run, None, now)
            _remove(upload)
        done = int(job.cursor["done"]) + len(groups)
        return Step(
            cursor={"position": after, "done": done, "total": total},
            done=done,
            total=total,
            message=N_("Imported") if finished else N_("Importing"),
            finished=finished,
            result=run_counts(run),
        )

    return step


def last_mapping(session: Session) -> dict[str, str]:
    """The column choices of the previous import (empty before the first)."""
    account = session.scalar(select(Account).where(col(Account.code) == f"import-{PROVIDER}"))
    return dict(account.settings.get("columns", {})) if account is not None else {}
