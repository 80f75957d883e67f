"""A scheduled delivery's job run step by step: the file made as an export, then sent.

No SMTP server is set, so the message waits in the outbox, as on a single machine; a file
too big for e-mail fails the delivery with the reason instead of being refused by a server.
"""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.policy import default
from typing import Any

import pytest
from sqlalchemy import select

from cbe_app.auth.roles import Role
from cbe_app.config import get_settings
from cbe_app.db import session_scope
from cbe_app.jobs.runner import JobFailed, JobView, Step
from cbe_app.reports import deliveries
from cbe_app.reports.deliveries import deliver_step, queue_due_deliveries, send_now
from cbe_app.reports.models import ReportDelivery
from cbe_app.reports.report import ExportFormat, Frequency, Schedule
from cbe_app.reports.saved import save_schedules
from tests.conftest import Backend
from tests.reports.dataset import build, write
from tests.reports.test_boards import person

NOW = datetime(2026, 11, 25, 8, 0, 30, tzinfo=UTC)


@pytest.fixture
def scheduled(backend: Backend) -> None:
    builder = person(Role.BUILDER)
    with session_scope() as session:
        write(session, build(orders=300), NOW)
        schedule = Schedule(
            id="mornings",
            every=Frequency.DAILY,
            at="08:00",
            recipients=["ops@acme.example"],
            format=ExportFormat.CSV,
            language="zh_CN",
        )
        save_schedules(
            session,
            "late_parcels",
            [schedule],
            principal=builder,
            now=NOW,
            base_currency="USD",
        )


def _delivery() -> ReportDelivery:
    with session_scope() as session:
        return session.scalars(select(ReportDelivery)).one()


def _run(delivery: ReportDelivery) -> Step:
    params: dict[str, Any] = {"delivery_id": delivery.id}
    cursor: dict[str, Any] = {}
    for _ in range(50):
        with session_scope() as session:
            step = deliver_step("USD")(session, JobView(delivery.job_id or 0, params, cursor), NOW)
        if step.finished:
            return step
        cursor = step.cursor
    raise AssertionError("the delivery did not finish")


def test_a_due_moment_is_queued_once_and_its_mail_waits_in_the_outbox(scheduled: None) -> None:
    assert queue_due_deliveries(NOW - timedelta(minutes=31)) == []  # not yet due that day
    (queued,) = queue_due_deliveries(NOW)
    assert queue_due_deliveries(NOW + timedelta(minutes=5)) == []
    delivery = _delivery()
    assert delivery.id == queued and delivery.due_at == datetime(2026, 11, 25, 8, tzinfo=UTC)
    done = _run(delivery)
    sent = _delivery()
    assert sent.status == "sent" and sent.rows == done.result["rows"]
    outbox = get_settings().data_dir / "outbox"
    (eml,) = outbox.glob("*.eml")
    assert sent.detail["outbox"] == str(eml)
    message = email.message_from_bytes(eml.read_bytes(), policy=default)
    assert message["Subject"].startswith("延误包裹")  # the schedule's language
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "延误包裹" in body.get_content()
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "延误包裹.csv"
    lines = attachment.get_content().strip().splitlines()
    assert len(lines) == sent.rows + 1


def test_a_file_too_big_for_mail_fails_the_delivery_with_the_reason(
    scheduled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deliveries, "MAX_ATTACHMENT", 10)
    send_now("late_parcels", "mornings", NOW)
    with pytest.raises(JobFailed, match="more than e-mail carries"):
        _run(_delivery())
    failed = _delivery()
    assert failed.status == "failed" and "filter the report" in failed.error
