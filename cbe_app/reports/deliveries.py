"""Scheduled report e-mails: each due moment queued once, the file made, then sent.

Beat asks every minute which schedules fell due (`queue_due_deliveries`). A due moment
becomes one `report_deliveries` row, unique by report, schedule and moment, so however often
beat asks, and however many beats run, it is queued once. Its job makes the file exactly as
an export does (`reports.export_job`), then sends it. A mail server that is down or answers
"try later" is retried with backoff; one that refuses for good fails the delivery with the
server's words, shown in the report's schedule list. A worker killed after the server took
the message but before the commit sends it again: at least once, never silently lost.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select, update
from sqlmodel import Session

from cbe_app.config import get_settings
from cbe_app.core.errors import NotFound
from cbe_app.core.i18n import N_, translate
from cbe_app.db import session_scope, upsert
from cbe_app.jobs.runner import JobFailed, JobView, Step, StepFn
from cbe_app.jobs.service import enqueue
from cbe_app.notify.mail import Attachment, MailError, build_message, send
from cbe_app.reports import export_job
from cbe_app.reports.export_job import ExportRequest, describe, file_path
from cbe_app.reports.models import ReportDelivery
from cbe_app.reports.report import ExportFormat, ReportDefinition, Schedule, last_due
from cbe_app.reports.saved import saved_report, saved_reports

DELIVER_TASK = "cbe.reports.deliver"
DELIVER_TITLE = N_("E-mail a scheduled report")
# A moment missed by more than this (beat was down) is skipped rather than sent late; it
# also keeps a schedule saved at 10:00 for 08:00 from sending at once.
GRACE = timedelta(minutes=30)
MAX_ATTACHMENT = 15_000_000  # bytes: most mail servers take 20–25 MB, encoded a third more
DELIVERIES: Table = ReportDelivery.__table__  # type: ignore[attr-defined]
MIME_TYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.PDF: "application/pdf",
}
log = logging.getLogger(__name__)


def _row(
    report: ReportDefinition, schedule: Schedule, due: datetime, now: datetime
) -> dict[str, Any]:
    return {
        "report_key": report.key,
        "schedule_id": schedule.id,
        "due_at": due,
        "status": "queued",
        "recipients": list(schedule.recipients),
        "format": schedule.format.value,
        "rows": 0,
        "attempts": 0,
        "error": "",
        "detail": {"language": schedule.language},
        "created_at": now,
    }


def _due_rows(reports: list[ReportDefinition], now: datetime) -> list[dict[str, Any]]:
    rows = []
    for report in reports:
        for schedule in report.schedules:
            due = last_due(schedule, now)
            if schedule.enabled and now - due <= GRACE:
                rows.append(_row(report, schedule, due, now))
    return rows


def _dispatch(delivery_ids: list[int], now: datetime) -> list[int]:
    """Queue the job of each new delivery and remember it on the delivery."""
    for delivery_id in delivery_ids:
        job_id = enqueue(
            DELIVER_TASK,
            DELIVER_TITLE,
            {"delivery_id": delivery_id},
            now=now,
            dedupe_key=f"report-delivery:{delivery_id}",
        )
        with session_scope() as session:
            session.execute(
                update(DELIVERIES).where(DELIVERIES.c.id == delivery_id).values(job_id=job_id)
            )
    return delivery_ids


def queue_due_deliveries(now: datetime) -> list[int]:
    """Queue a delivery for each schedule that fell due (once per due moment); their ids."""
    with session_scope() as session:
        rows = _due_rows(list(saved_reports(session).values()), now)
        keys = ["report_key", "schedule_id", "due_at"]
        new = upsert(session, DELIVERIES, rows, keys=keys, update=(), returning=("id",))
    return _dispatch([int(r[0]) for r in new], now)


def _delivery(session: Session, job: JobView) -> ReportDelivery:
    found = session.get(ReportDelivery, int(job.params["delivery_id"]))
    if found is None:
        raise JobFailed("The scheduled delivery no longer exists")
    return found


def _request(delivery: ReportDelivery) -> ExportRequest:
    language = str(delivery.detail.get("language", "en"))
    return ExportRequest(delivery.report_key, ExportFormat(delivery.format), language)


def _message_text(
    report: ReportDefinition, request: ExportRequest, rows: int, now: datetime
) -> tuple[str, str]:
    """The subject and body of a report e-mail, in the schedule's language."""
    locale = request.locale
    title = report.title.get(locale)
    subject = f"{title} · {now:%Y-%m-%d}"
    lines = [
        translate(N_("{title} is attached ({rows} rows)."), locale, title=title, rows=rows),
        "",
        *describe(report, request, now),
        "",
        translate(N_("Sent by cbe on the report's schedule."), locale),
    ]
    return subject, "\n".join(lines)


def _send(session: Session, job: JobView, now: datetime) -> Step:
    delivery = _delivery(session, job)
    request = _request(delivery)
    report = saved_report(session, delivery.report_key)
    path = file_path(job.id, request)
    rows = int(job.cursor.get("done", 0))
    subject, text = _message_text(report, request, rows, now)
    filename = str(job.cursor.get("filename") or path.name)
    settings = get_settings()
    size = path.stat().st_size
    if size > MAX_ATTACHMENT:  # mail servers refuse such messages; say why instead
        reason = (
            f"The file is {size / 1e6:.0f} MB, more than e-mail carries "
            f"({MAX_ATTACHMENT / 1e6:.0f} MB): filter the report, or send a summary or a PDF"
        )
        _fail(delivery.id or 0, reason, now)
        raise JobFailed(reason)
    try:
        message = build_message(
            sender=settings.mail_from,
            to=delivery.recipients,
            subject=subject,
            text=text,
            attachments=[Attachment(filename, path.read_bytes(), MIME_TYPES[request.format])],
        )
        sent = send(message, settings, now=now)
    except MailError as exc:
        if exc.retryable:
            raise  # the runner retries the step with backoff
        _fail(delivery.id or 0, exc.text, now)
        raise JobFailed(exc.text) from exc
    refused = {address: r.reply for address, r in sent.refused.items()}
    delivery.status, delivery.sent_at, delivery.rows = "sent", now, rows
    delivery.attempts += 1
    delivery.detail = {
        **delivery.detail,
        "accepted": list(sent.accepted),
        "refused": refused,
        "outbox": str(sent.outbox_path) if sent.outbox_path else "",
    }
    path.unlink(missing_ok=True)
    result = {"delivery_id": delivery.id, "rows": rows, "refused": refused}
    return Step(dict(job.cursor), rows, rows, N_("Sent"), finished=True, result=result)


def _fail(delivery_id: int, error: str, now: datetime) -> None:
    # Its own transaction: the step's is rolled back when the job fails.
    with session_scope() as session:
        session.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.id == delivery_id, DELIVERIES.c.status != "sent")
            .values(status="failed", error=error[:2000], sent_at=None)
        )
    log.warning("report delivery %s failed: %s", delivery_id, error)


def fail_delivery(job_id: int, error: str, now: datetime) -> None:
    """Record on its delivery that a delivery job failed for good (retries used up)."""
    with session_scope() as session:
        found = session.scalar(select(DELIVERIES.c.id).where(DELIVERIES.c.job_id == job_id))
    if found is not None:
        _fail(int(found), error, now)


def deliver_step(base_currency: str) -> StepFn:
    """The job step of a delivery: the export's steps, then one that sends the file."""
    export = export_job.export_step(base_currency)

    def step(session: Session, job: JobView, now: datetime) -> Step:
        if job.cursor.get("phase") == "send":
            return _send(session, job, now)
        request = _request(_delivery(session, job))
        made = export(session, JobView(job.id, request.to_json(), job.cursor), now)
        if not made.finished:
            return made
        cursor = {**made.cursor, "phase": "send", "filename": made.result["filename"]}
        return Step(cursor, made.done, made.total, N_("Sending"))

    return step


def send_now(report_key: str, schedule_id: str, now: datetime) -> int:
    """Queue one delivery of a schedule at once (to try it out); returns the delivery id.

    Raises:
        NotFound: the report has no such schedule.
    """
    with session_scope() as session:
        report = saved_report(session, report_key)
        schedule = next((s for s in report.schedules if s.id == schedule_id), None)
        if schedule is None:
            raise NotFound(what="Schedule")
        row = _row(report, schedule, now.replace(microsecond=0), now)
        new = upsert(
            session,
            DELIVERIES,
            [row],
            keys=["report_key", "schedule_id", "due_at"],
            update=(),
            returning=("id",),
        )
    return _dispatch([int(r[0]) for r in new], now)[0] if new else 0


def recent_deliveries(session: Session, report_key: str, limit: int = 10) -> list[ReportDelivery]:
    """The report's last deliveries, newest first."""
    query = (
        select(ReportDelivery)
        .where(ReportDelivery.report_key == report_key)  # type: ignore[arg-type]
        .order_by(ReportDelivery.due_at.desc(), ReportDelivery.id.desc())  # type: ignore[attr-defined, union-attr]
        .limit(limit)
    )
    return list(session.scalars(query).all())
