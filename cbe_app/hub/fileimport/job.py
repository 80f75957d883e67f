"""Loading a whole file in the background: a job that imports a thousand records per step.

The first step reads the file, renames its columns, groups its rows by record (the rows of an
order need not be next to each other in the sheet; a row of ad spend is a record of its own)
and writes them to a spool beside the upload, one record per line. Each later step ingests the
next records from the spool and commits them with the spool position, so a worker killed
anywhere resumes after the last committed record and nothing is imported twice. The import is a
sync run of the format's file-import account: the sync history shows its progress and counts,
and the quarantine its rejected rows.
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
from cbe_app.hub.fileimport.formats import ORDERS, ImportFormat, group_rows, import_format, rename
from cbe_app.hub.fileimport.table import Row, read_table
from cbe_app.hub.ingest.page import ingest_page
from cbe_app.hub.ingest.rules import ingest_context
from cbe_app.hub.runs import SyncRun
from cbe_app.hub.sync import complete_run, count_page, new_run, run_counts
from cbe_app.jobs.runner import JobFailed, JobView, Step, StepFn
from cbe_app.jobs.service import enqueue

IMPORT_TASK = "cbe.hub.import_file"
IMPORT_TITLE = N_("Import file")
ORDERS_PER_STEP = 1000  # records (orders, or rows of ad spend) per step


def start_file_import(
    path: Path,
    filename: str,
    mapping: Mapping[str, str],
    now: datetime,
    user_id: int | None,
    *,
    fmt: ImportFormat = ORDERS,
    constants: Mapping[str, str] | None = None,
) -> int:
    """Queue the import of an uploaded file with its column mapping (and the values typed for
    the whole file); returns the job id.

    The choices are remembered on the format's import account, so the next file from the same
    tool starts with them.
    """
    fixed = dict(constants or {})
    with session_scope() as session:
        account = file_import_account(session, fmt.provider, now)
        account.settings = {**account.settings, "columns": dict(mapping), "constants": fixed}
        run = new_run(session, account, "file", now)
        params = {
            "account_id": account.id,
            "run_id": run.id,
            "path": str(path),
            "filename": filename,
            "mapping": dict(mapping),
            "format": fmt.key,
            "constants": fixed,
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


def write_spool(
    upload: Path,
    mapping: Mapping[str, str],
    fmt: ImportFormat = ORDERS,
    constants: Mapping[str, str] | None = None,
) -> int:
    """Group the file's rows by record into the spool; returns how many records it holds.

    Rows without an order number each stay a record of their own, so that they reach the
    quarantine with their reason instead of vanishing.
    """
    rows = rename(read_table(upload).rows, mapping, constants or {})
    groups = group_rows(fmt, rows)
    spool = _spool_path(upload)
    partial = spool.with_name(spool.name + ".partial")
    with partial.open("wb") as out:
        for group in groups:
            out.write(orjson.dumps(group, default=str) + b"\n")
    partial.replace(spool)  # whole or not at all: a killed first step simply writes it again
    return len(groups)


def read_spool(upload: Path, position: int, orders: int) -> tuple[list[list[Row]], int, bool]:
    """The next `orders` records (each its rows) from byte `position`; the position after them,
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
        fmt = import_format(job.params.get("format", ORDERS.key))
        if "position" not in job.cursor:
            constants = job.params.get("constants", {})
            total = write_spool(upload, job.params["mapping"], fmt, constants)
            return Step({"position": 0, "done": 0, "total": total}, 0, total, N_("Importing"))
        total = int(job.cursor["total"])
        groups, after, finished = read_spool(upload, int(job.cursor["position"]), ORDERS_PER_STEP)
        ctx = ingest_context(session, account, base_currency, now)
        result = fmt.map_rows([r for g in groups for r in g])
        count_page(run, ingest_page(session, result, ctx))
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


def last_mapping(session: Session, fmt: ImportFormat = ORDERS) -> dict[str, str]:
    """The column choices of the previous import of this format (empty before the first)."""
    return last_choices(session, fmt)[0]


def last_choices(session: Session, fmt: ImportFormat) -> tuple[dict[str, str], dict[str, str]]:
    """The columns chosen and the values typed for the whole file at the previous import."""
    code = f"import-{fmt.provider}"
    account = session.scalar(select(Account).where(col(Account.code) == code))
    if account is None:
        return {}, {}
    settings = account.settings
    return dict(settings.get("columns", {})), dict(settings.get("constants", {}))
