"""Scheduled report e-mails end to end: beat's check, a real Celery worker, a real SMTP server.

A due moment is queued once however often (and from however many places) it is checked; the
worker makes the file and the SMTP server receives it as an attachment; a server that refuses
for good fails the delivery with its words.
"""

from __future__ import annotations

import email
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from cbe_app.auth.roles import Role
from cbe_app.config import get_settings
from cbe_app.db import session_scope
from cbe_app.dbtypes import utcnow
from cbe_app.reports.deliveries import queue_due_deliveries
from cbe_app.reports.models import ReportDelivery
from cbe_app.reports.report import Frequency, Schedule
from cbe_app.reports.saved import save_schedules
from tests.conftest import Backend
from tests.notify.test_mail import Recorder, free_port
from tests.reports.dataset import build, write
from tests.reports.test_boards import person
from tests.tasks.workers import Worker, wait_for


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """A local SMTP server the worker sends to (its settings come from the environment)."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=True)
    controller.start()
    monkeypatch.setenv("CBE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CBE_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("CBE_SMTP_SECURITY", "none")
    get_settings.cache_clear()
    yield recorder
    controller.stop()
    get_settings.cache_clear()


@pytest.fixture
def worker(smtp: Recorder, backend: Backend, workers: list[Worker], tmp_path: Path) -> Worker:
    with session_scope() as session:
        write(session, build(orders=300), utcnow())
    started = Worker("reports", tmp_path)
    workers.append(started)
    started.wait_ready()
    return started


def _schedule(recipients: list[str], now: datetime) -> None:
    """E-mail 'Refunded orders' daily, due one minute ago (local time in Shanghai)."""
    due = (now - timedelta(minutes=1)).astimezone(ZoneInfo("Asia/Shanghai"))
    schedule = Schedule(
        id="daily",
        every=Frequency.DAILY,
        at=due.strftime("%H:%M"),
        timezone="Asia/Shanghai",
        recipients=recipients,
    )
    with session_scope() as session:
        save_schedules(
            session,
            "refunds",
            [schedule],
            principal=person(Role.BUILDER),
            now=now,
            base_currency="USD",
        )


def _deliveries() -> list[ReportDelivery]:
    with session_scope() as session:
        return list(session.scalars(select(ReportDelivery)).all())


def test_a_due_schedule_is_sent_once_with_the_report_attached(
    worker: Worker, smtp: Recorder
) -> None:
    now = utcnow()
    _schedule(["finance@acme.example", "cfo@acme.example"], now)
    with ThreadPoolExecutor(4) as pool:  # beat, a second beat, and a retry, all at once
        queued = list(pool.map(lambda _: queue_due_deliveries(utcnow()), range(4)))
    assert sorted(len(q) for q in queued) == [0, 0, 0, 1]
    wait_for(lambda: bool(smtp.received), 60, "the report e-mail")
    wait_for(lambda: _deliveries()[0].status == "sent", 30, "the delivery marked sent")
    assert queue_due_deliveries(utcnow()) == []  # the moment has been delivered
    (envelope,) = smtp.received
    assert sorted(envelope.rcpt_tos) == ["cfo@acme.example", "finance@acme.example"]
    message = email.message_from_bytes(envelope.original_content, policy=default)
    assert message["Subject"].startswith("Refunded orders")
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "Refunded-orders.xlsx"
    path = Path(worker.log.parent / "sent.xlsx")
    path.write_bytes(attachment.get_content())
    sheet = openpyxl.load_workbook(path).worksheets[0]
    (delivery,) = _deliveries()
    assert sheet.max_row == delivery.rows + 1 and delivery.rows > 0


def test_a_server_that_refuses_for_good_fails_the_delivery_with_its_words(
    worker: Worker, smtp: Recorder
) -> None:
    smtp.data_reply = "554 5.7.1 Message rejected: attachments are not accepted"
    _schedule(["finance@acme.example"], utcnow())
    assert len(queue_due_deliveries(utcnow())) == 1
    wait_for(lambda: _deliveries()[0].status == "failed", 60, "the delivery marked failed")
    (delivery,) = _deliveries()
    assert "attachments are not accepted" in delivery.error
    assert not smtp.received
