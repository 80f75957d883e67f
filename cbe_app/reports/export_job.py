"""Exporting a report to a file in the background, a few seconds of work at a time.

A report may hold a million rows and a task may run 15 s, so the export is a job of steps.
Reading steps take the next batch of lines in the report's order: a CSV is written as it is
read (each batch appended), other formats spool the lines beside the file, and a renderer
of their own writes the workbook or PDF from the spool (`reports.render`: that takes
minutes for large files) while later steps look whether it is done. Every step records how
many lines and bytes are safely written, so a worker killed halfway resumes after the last
committed batch: the file is cut back to that length and nothing is written twice. The
finished file is named in the job's result and downloaded by its owner (`api/exports.py`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from sqlmodel import Session

from cbe_app.auth.principal import Principal
from cbe_app.auth.service import principal_of
from cbe_app.config import get_settings
from cbe_app.core.errors import NotFound
from cbe_app.core.i18n import N_, translate
from cbe_app.db import session_scope
from cbe_app.jobs.models import Job, JobStatus
from cbe_app.jobs.runner import JobFailed, JobView, Step, StepFn
from cbe_app.jobs.service import enqueue
from cbe_app.reports.exports import ExportColumn, ExportTable, write_csv
from cbe_app.reports.render import RenderOrder, error_path
from cbe_app.reports.render import running as rendering
from cbe_app.reports.render import start as start_render
from cbe_app.reports.report import ExportFormat, ReportDefinition
from cbe_app.reports.reporting import (
    ReportColumn,
    all_rows,
    count_lines,
    describe_filter,
    describe_period,
)
from cbe_app.reports.saved import saved_report
from cbe_app.reports.sharing import may_open
from cbe_app.reports.spec import Period, PeriodPreset

EXPORT_TASK = "cbe.reports.export"
EXPORT_TITLE = N_("Export report")
BATCH = 20_000  # lines read per step: about a second on either database
# The most lines each file holds: a CSV is written as read; a workbook and a PDF are
# rendered in one step, which must finish well inside a task's time limit.
FILE_LIMITS = {ExportFormat.CSV: 1_000_000, ExportFormat.XLSX: 1_000_000, ExportFormat.PDF: 5_000}
MAX_RENDERS = 3  # a renderer that dies is started again this many times at most
RENDER_WAITS = 8  # quarter seconds a step waits for the renderer before handing back
SUFFIXES = {ExportFormat.CSV: ".csv", ExportFormat.XLSX: ".xlsx", ExportFormat.PDF: ".pdf"}
_NUMBERS = frozenset({"money", "number", "percent", "ratio"})
KEEP_FOR = timedelta(days=1)  # a finished file waits this long for its download


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to export: a report, as which file, in which language, over which period."""

    report: str
    format: ExportFormat
    locale: str
    period: str | None = None  # a PeriodPreset value; None: the report's own period
    user_id: int | None = None  # whose export it is (None: a scheduled delivery)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportRequest:
        """The request as stored in a job's parameters."""
        return cls(
            str(data["report"]),
            ExportFormat(data["format"]),
            str(data.get("locale", "en")),
            data.get("period") or None,
            data.get("user_id"),
        )

    def to_json(self) -> dict[str, Any]:
        """The request as a job's parameters."""
        return {
            "report": self.report,
            "format": self.format.value,
            "locale": self.locale,
            "period": self.period,
            "user_id": self.user_id,
        }

    @property
    def chosen_period(self) -> Period | None:
        """The period asked for instead of the report's own, if any."""
        return Period(preset=PeriodPreset(self.period)) if self.period else None


def exports_folder() -> Path:
    """Where finished exports wait for their download (they are removed after a day)."""
    return get_settings().data_dir / "exports"


def file_path(job_id: int, request: ExportRequest) -> Path:
    """The file of an export job: named by the job, never by anything a person typed."""
    return exports_folder() / f"export-{job_id}{SUFFIXES[request.format]}"


def remove_old_exports(now: datetime, *, older_than: timedelta = KEEP_FOR) -> int:
    """Delete export files (and spools) last written before `older_than` ago; how many."""
    folder = exports_folder()
    if not folder.exists():
        return 0
    cutoff = (now - older_than).timestamp()
    removed = 0
    for path in folder.glob("export-*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _spool(path: Path) -> Path:
    return path.with_name(path.name + ".spool")


def _report(session: Session, request: ExportRequest) -> ReportDefinition:
    """The report, if its owner (for a person's export) may still open it."""
    report = saved_report(session, request.report)
    if request.user_id is not None:
        principal: Principal | None = principal_of(session, request.user_id)
        if principal is None or not may_open(principal, report):
            raise JobFailed("You may no longer open this report")
    return report


def _export_columns(columns: list[ReportColumn]) -> tuple[ExportColumn, ...]:
    return tuple(ExportColumn(c.key, c.label, c.type) for c in columns)


def describe(report: ReportDefinition, request: ExportRequest, now: datetime) -> tuple[str, ...]:
    """The lines under a file's title: the period, each filter, and when it was made."""
    locale = request.locale
    period = request.chosen_period or report.period
    lines = [f"{translate(N_('Period'), locale)}: {describe_period(period, locale)}"]
    lines += [describe_filter(report.source, f, locale) for f in report.filters]
    lines.append(f"{translate(N_('Generated'), locale)}: {now:%Y-%m-%d %H:%M} UTC")
    return tuple(lines)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot spool {type(value).__name__}")


def _append(path: Path, size: int, write: Any) -> int:
    """Cut `path` back to `size` (what a killed step left), append, return the new size."""
    with path.open("r+b" if path.exists() else "w+b") as handle:
        handle.truncate(size)
        handle.seek(size)
        write(handle)
        return handle.tell()


def _read_step(session: Session, job: JobView, now: datetime, base_currency: str) -> Step:
    request = ExportRequest.from_json(job.params)
    report = _report(session, request)
    cursor = dict(job.cursor)
    done, size = int(cursor.get("done", 0)), int(cursor.get("bytes", 0))
    limit = FILE_LIMITS[request.format]
    if "total" not in cursor:
        cursor["total"] = count_lines(
            session, report, now=now, base_currency=base_currency, period=request.chosen_period
        )
    columns, rows = all_rows(
        session,
        report,
        now=now,
        base_currency=base_currency,
        locale=request.locale,
        limit=min(BATCH, limit - done) + 1,  # one more tells whether anything follows
        offset=done,
        period=request.chosen_period,
    )
    batch = list(rows)
    more = len(batch) > min(BATCH, limit - done)
    batch = batch[: min(BATCH, limit - done)]
    path = file_path(job.id, request)
    path.parent.mkdir(parents=True, exist_ok=True)
    if request.format is ExportFormat.CSV:
        table = ExportTable(
            report.title.get(request.locale),
            (),
            _export_columns(columns),
            batch,
            base_currency,
            request.locale,
        )
        size = _append(path, size, lambda out: write_csv(table, out, limit=limit, header=done == 0))
    else:
        lines = b"".join(orjson.dumps(row, default=_jsonable) + b"\n" for row in batch)
        size = _append(_spool(path), size, lambda out: out.write(lines))
    done += len(batch)
    cursor["columns"] = [[c.key, c.label, c.type] for c in columns]  # a pivot's come from data
    total = cursor["total"] if cursor["total"] >= 0 else done
    reading = more and done < limit
    cursor.update(
        done=done,
        bytes=size,
        phase="read" if reading else "write",
        truncated=more and done >= limit,
    )
    return Step(cursor, done, max(total, done), N_("Reading the report"))


def _finish(job: JobView, request: ExportRequest, report: ReportDefinition) -> Step:
    path = file_path(job.id, request)
    for leftover in (_spool(path), _order(path), error_path(path)):
        leftover.unlink(missing_ok=True)
    done = int(job.cursor.get("done", 0))
    filename = f"{_slug(report.title.get(request.locale))}{SUFFIXES[request.format]}"
    result = {
        "path": str(path),
        "filename": filename,
        "rows": done,
        "truncated": bool(job.cursor.get("truncated")),
        "format": request.format.value,
    }
    return Step(dict(job.cursor), done, done, N_("Ready to download"), finished=True, result=result)


def _order(path: Path) -> Path:
    return path.with_name(path.name + ".order.json")


def _start_render(
    job: JobView, request: ExportRequest, report: ReportDefinition, now: datetime, currency: str
) -> dict[str, Any]:
    """Start (or start again) the renderer of the spooled lines; returns the new cursor."""
    cursor = dict(job.cursor)
    attempts = int(cursor.get("renders", 0)) + 1
    if attempts > MAX_RENDERS:
        raise JobFailed("The file could not be written; export the report again")
    path = file_path(job.id, request)
    order = RenderOrder(
        spool=str(_spool(path)),
        out=str(path),
        format=request.format.value,
        limit=FILE_LIMITS[request.format],
        title=report.title.get(request.locale),
        subtitle=list(describe(report, request, now)),
        columns=list(cursor["columns"]),
        currency=currency,
        locale=request.locale,
    )
    order.save(_order(path))
    cursor.update(
        renders=attempts, pid=start_render(_order(path), path.with_name(path.name + ".log"))
    )
    return cursor


def _render_step(session: Session, job: JobView, now: datetime, base_currency: str) -> Step:
    """Start the renderer, or wait a little for it; finish once the file is there."""
    request = ExportRequest.from_json(job.params)
    report = _report(session, request)
    path = file_path(job.id, request)
    if request.format is ExportFormat.CSV or path.exists():
        return _finish(job, request, report)
    failed = error_path(path)
    if failed.exists():
        reason = failed.read_text(encoding="utf-8")[:500]
        raise JobFailed(f"The file could not be written: {reason}")
    cursor = dict(job.cursor)
    if "pid" not in cursor or not rendering(int(cursor["pid"])):
        cursor = _start_render(job, request, report, now, base_currency)
    for _ in range(RENDER_WAITS):  # a short look, then the runner's next step looks again
        if path.exists():
            return _finish(JobView(job.id, job.params, cursor), request, report)
        time.sleep(0.25)
    done = int(cursor.get("done", 0))
    return Step(cursor, done, done, N_("Writing the file"))


def _slug(title: str) -> str:
    """A file name people recognise, safe on every system: letters, digits, CJK, dashes."""
    kept = "".join(ch if ch.isalnum() else "-" for ch in title.strip())
    return "-".join(part for part in kept.split("-") if part)[:80] or "report"


def export_step(base_currency: str) -> StepFn:
    """The job step of an export (see the module docstring)."""

    def step(session: Session, job: JobView, now: datetime) -> Step:
        if job.cursor.get("phase") == "write":
            return _render_step(session, job, now, base_currency)
        return _read_step(session, job, now, base_currency)

    return step


def start_export(
    report_key: str,
    fmt: ExportFormat,
    *,
    principal: Principal,
    now: datetime,
    locale: str,
    period: str | None = None,
) -> int:
    """Queue the export of a report this person may open; returns the job id.

    Raises:
        NotFound: there is no such report, or not one this person may open.
    """
    with session_scope() as session:
        saved_report(session, report_key, principal)
    request = ExportRequest(report_key, fmt, locale, period, principal.user_id)
    return enqueue(EXPORT_TASK, EXPORT_TITLE, request.to_json(), now=now, user_id=principal.user_id)


def finished_export(session: Session, job_id: int, principal: Principal) -> tuple[Path, str]:
    """The file of a finished export of this person's, and the name to download it as.

    Raises:
        NotFound: no such export of theirs, not finished, or its file is gone; one answer
            for all, so nobody learns of someone else's exports.
    """
    job = session.get(Job, job_id)
    if (
        job is None
        or job.task != EXPORT_TASK
        or job.created_by != principal.user_id
        or job.status != JobStatus.SUCCEEDED
    ):
        raise NotFound(what="Export")
    path = file_path(job_id, ExportRequest.from_json(job.params))
    if not path.is_file():
        raise NotFound(N_("The exported file is no longer kept; export the report again."))
    return path, str(job.result.get("filename", path.name))
