"""E-mail against a real SMTP server (aiosmtpd on 127.0.0.1), and the outbox folder."""

from __future__ import annotations

import contextlib
import email
import functools
import io
import socket
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope

from cbe_app.config import Settings
from cbe_app.core.errors import ValidationFailed
from cbe_app.notify.mail import (
    Attachment,
    Delivery,
    MailError,
    build_message,
    parse_address,
    send,
)
from cbe_app.reports.exports import ExportColumn, ExportTable, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOW = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


@dataclass
class Recorder:
    """An SMTP handler that keeps what arrived and answers as told."""

    data_reply: str = "250 OK"
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> reply
    received: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Envelope
    ) -> str:
        if self.data_reply.startswith("250"):
            self.received.append(envelope)
        return self.data_reply


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=True)
    controller.start()
    try:
        yield recorder, controller.port
    finally:
        controller.stop()


def smtp_settings(port: int, tmp_path: Path, **env: str) -> Settings:
    values = {
        "CBE_SMTP_HOST": "127.0.0.1",
        "CBE_SMTP_PORT": str(port),
        "CBE_SMTP_SECURITY": "none",
        "CBE_DATA_DIR": str(tmp_path),
    }
    return Settings.model_validate(values | env)


@functools.cache
def xlsx_bytes() -> bytes:
    """One workbook for the whole module: openpyxl stamps the time, so each build differs."""
    out = io.BytesIO()
    table = ExportTable(
        title="三月订单",
        subtitle=("2026-03",),
        columns=(ExportColumn("n", "订单号", "id"), ExportColumn("t", "Total", "money")),
        rows=iter([{"n": "#1001", "t": Decimal("12.50")}, {"n": "=1+2", "t": Decimal(-3)}]),
        currency="USD",
        locale="zh_CN",
    )
    write_xlsx(table, out)
    return out.getvalue()


def report_message(to: tuple[str, ...] = ("ops@acme.example",)) -> EmailMessage:
    return build_message(
        sender="报表 <reports@acme.example>",
        to=to,
        subject="三月订单报表 — March orders",
        text="附件是三月的订单报表。\nThe March orders are attached.",
        html="<p>附件是三月的订单报表。</p>",
        attachments=[Attachment("三月订单 2026.xlsx", xlsx_bytes(), XLSX)],
    )


def parsed(raw: bytes) -> EmailMessage:
    # Read as text: an internationalised message (RFC 6532) carries raw UTF-8 headers.
    message = email.message_from_string(raw.decode("utf-8"), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


# --- building ----------------------------------------------------------------------------


def test_chinese_subject_and_filename_are_encoded_and_parse_back() -> None:
    raw = report_message().as_bytes()
    raw.decode("ascii")  # RFC 2047/2231 encoded: travels through any 7-bit relay
    back = parsed(raw)
    assert back["Subject"] == "三月订单报表 — March orders"
    assert back["From"].addresses[0].display_name == "报表"
    (attachment,) = back.iter_attachments()
    assert attachment.get_filename() == "三月订单 2026.xlsx"
    assert attachment.get_content_type() == XLSX
    body = back.get_body(("plain",))
    assert body is not None and "附件是三月的订单报表" in body.get_content()
    html = back.get_body(("html",))
    assert html is not None and "<p>附件是三月的订单报表。</p>" in html.get_content()


def test_every_bad_address_is_named_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        build_message(
            sender="not an address",
            to=["ops@acme.example", "bad@", "a b@acme.example", "x@-acme.example"],
            subject="s",
            text="t",
        )
    error = caught.value
    assert set(error.field_errors) == {"sender", "to"}
    for bad in ("not an address", "bad@", "a b@acme.example", "x@-acme.example"):
        assert repr(bad) in error.text
    assert "ops@acme.example'" not in error.text
    with pytest.raises(ValidationFailed) as nobody:
        build_message(sender="r@acme.example", to=[], subject="s", text="t")
    assert set(nobody.value.field_errors) == {"to"}


def test_addresses_take_display_names_and_international_domains() -> None:
    named = parse_address("Ops Team <ops@acme.example>")
    assert named is not None and (named.display_name, named.addr_spec) == (
        "Ops Team",
        "ops@acme.example",
    )
    idn = parse_address("王 <shop@例子.中国>")
    assert idn is not None and idn.domain == "xn--fsqu00a.xn--fiqs8s"
    for bad in ("", "a@b.com, c@d.com", "a@b.com\r\nBcc: x@evil.example", "a@nodot", "<>"):
        assert parse_address(bad) is None, bad


def test_a_subject_cannot_smuggle_headers() -> None:
    message = build_message(
        sender="r@acme.example",
        to=["ops@acme.example"],
        subject="Orders\r\nBcc: spy@evil.example",
        text="t",
    )
    back = parsed(message.as_bytes())
    assert back["Subject"] == "Orders Bcc: spy@evil.example"
    assert back["Bcc"] is None


def test_attachment_names_lose_their_folders_and_bad_types_are_refused() -> None:
    message = build_message(
        sender="r@acme.example",
        to=["ops@acme.example"],
        subject="s",
        text="t",
        attachments=[Attachment("../../etc/passwd\n", b"x", "text/plain")],
    )
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "passwd"
    with pytest.raises(ValidationFailed) as caught:
        build_message(
            sender="r@acme.example",
            to=["ops@acme.example"],
            subject="s",
            text="t",
            attachments=[Attachment("a.bin", b"x", "application\r\nX-Evil: 1")],
        )
    assert set(caught.value.field_errors) == {"attachments"}


# --- sending -----------------------------------------------------------------------------


def test_a_report_with_an_xlsx_arrives_intact(server: tuple[Recorder, int], tmp_path: Path) -> None:
    recorder, port = server
    delivery = send(report_message(), smtp_settings(port, tmp_path), now=NOW)
    assert delivery == Delivery(accepted=("ops@acme.example",), refused={})
    (envelope,) = recorder.received
    assert envelope.mail_from == "reports@acme.example"
    assert envelope.rcpt_tos == ["ops@acme.example"]
    assert isinstance(envelope.content, bytes)
    back = parsed(envelope.content)
    assert back["Subject"] == "三月订单报表 — March orders"
    assert back["Date"].datetime == NOW and back["Message-ID"].endswith("@acme.example>")
    (attachment,) = back.iter_attachments()
    assert attachment.get_filename() == "三月订单 2026.xlsx"
    content = attachment.get_content()
    assert content == xlsx_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert [c.value for c in sheet[3]] == ["'=1+2", -3]


def test_the_attachment_bytes_survive_the_trip_exactly(
    server: tuple[Recorder, int], tmp_path: Path
) -> None:
    recorder, port = server
    payload = bytes(range(256)) * 300  # every byte value, 76 KB
    message = build_message(
        sender="r@acme.example",
        to=["ops@acme.example"],
        subject="bytes",
        text="t",
        attachments=[Attachment("all bytes.bin", payload, "application/octet-stream")],
    )
    send(message, smtp_settings(port, tmp_path))
    (attachment,) = parsed(recorder.received[0].content).iter_attachments()  # type: ignore[arg-type]
    assert attachment.get_content() == payload


def test_a_550_reply_is_final_and_a_451_reply_is_retryable(
    server: tuple[Recorder, int], tmp_path: Path
) -> None:
    recorder, port = server
    recorder.data_reply = "550 5.7.1 Message rejected as spam"
    with pytest.raises(MailError) as final:
        send(report_message(), smtp_settings(port, tmp_path))
    assert not final.value.retryable and final.value.code == 550
    assert "spam" in final.value.text
    recorder.data_reply = "451 4.3.0 Try again later"
    with pytest.raises(MailError) as later:
        send(report_message(), smtp_settings(port, tmp_path))
    assert later.value.retryable and later.value.code == 451
    assert recorder.received == []


def test_recipients_refused_one_by_one_are_reported(
    server: tuple[Recorder, int], tmp_path: Path
) -> None:
    recorder, port = server
    recorder.refuse = {
        "gone@acme.example": "550 5.1.1 Mailbox unavailable",
        "full@acme.example": "452 4.2.2 Mailbox full",
    }
    to = ("ops@acme.example", "gone@acme.example", "full@acme.example", "cfo@acme.example")
    delivery = send(report_message(to), smtp_settings(port, tmp_path))
    assert delivery.accepted == ("ops@acme.example", "cfo@acme.example")
    gone, full = delivery.refused["gone@acme.example"], delivery.refused["full@acme.example"]
    assert (gone.code, gone.retryable) == (550, False) and "unavailable" in gone.reply
    assert (full.code, full.retryable) == (452, True)
    assert recorder.received[0].rcpt_tos == ["ops@acme.example", "cfo@acme.example"]


def test_every_recipient_refused_is_an_error(server: tuple[Recorder, int], tmp_path: Path) -> None:
    recorder, port = server
    recorder.refuse = {"ops@acme.example": "550 5.1.1 Mailbox unavailable"}
    with pytest.raises(MailError) as caught:
        send(report_message(), smtp_settings(port, tmp_path))
    assert not caught.value.retryable and "ops@acme.example: 550" in caught.value.text


def test_a_closed_port_is_retryable(tmp_path: Path) -> None:
    with pytest.raises(MailError) as caught:
        send(report_message(), smtp_settings(free_port(), tmp_path), timeout=5)
    assert caught.value.retryable


def test_a_server_that_never_answers_times_out_as_retryable(tmp_path: Path) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = datetime.now(UTC)
        with pytest.raises(MailError) as caught:
            send(report_message(), smtp_settings(port, tmp_path), timeout=0.5)
    assert caught.value.retryable
    assert (datetime.now(UTC) - started).total_seconds() < 5


def test_a_wrong_password_is_final(tmp_path: Path) -> None:
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        return AuthResult(success=data.password == b"right", handled=False)

    controller = Controller(
        Recorder(),
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        good = smtp_settings(
            controller.port, tmp_path, CBE_SMTP_USER="reports", CBE_SMTP_PASSWORD="right"
        )
        assert send(report_message(), good).accepted == ("ops@acme.example",)
        bad = smtp_settings(
            controller.port, tmp_path, CBE_SMTP_USER="reports", CBE_SMTP_PASSWORD="wrong"
        )
        with pytest.raises(MailError) as caught:
            send(report_message(), bad, timeout=5)
    finally:
        controller.stop()
    assert not caught.value.retryable and caught.value.code == 535
    assert "wrong" not in caught.value.text


def test_starttls_that_the_server_does_not_offer_is_final(
    server: tuple[Recorder, int], tmp_path: Path
) -> None:
    recorder, port = server
    with pytest.raises(MailError) as caught:
        send(report_message(), smtp_settings(port, tmp_path, CBE_SMTP_SECURITY="STARTTLS"))
    assert not caught.value.retryable and "STARTTLS" in caught.value.text
    assert recorder.received == []


def test_a_password_is_never_sent_unencrypted_to_another_machine(tmp_path: Path) -> None:
    accepted: list[socket.socket] = []
    with socket.socket() as witness:
        witness.bind(("127.0.0.1", 0))
        witness.listen()
        witness.settimeout(0.3)
        settings = smtp_settings(
            witness.getsockname()[1],
            tmp_path,
            CBE_SMTP_HOST="mail.acme.example",
            CBE_SMTP_USER="reports",
            CBE_SMTP_PASSWORD="secret",
        )
        with pytest.raises(MailError) as caught:
            send(report_message(), settings)
        with contextlib.suppress(TimeoutError):
            accepted.append(witness.accept()[0])
    assert not caught.value.retryable and accepted == []


def test_a_chinese_mailbox_name_goes_out_with_smtputf8(
    server: tuple[Recorder, int], tmp_path: Path
) -> None:
    recorder, port = server
    delivery = send(report_message(("张三@acme.example",)), smtp_settings(port, tmp_path))
    assert delivery.accepted == ("张三@acme.example",)
    assert recorder.received[0].rcpt_tos == ["张三@acme.example"]
    assert "SMTPUTF8" in recorder.received[0].mail_options


# --- the outbox --------------------------------------------------------------------------


def test_without_a_server_messages_wait_in_the_outbox(tmp_path: Path) -> None:
    settings = Settings.model_validate({"CBE_DATA_DIR": str(tmp_path), "CBE_SMTP_HOST": ""})
    message = report_message(("ops@acme.example", "张三@acme.example"))
    delivery = send(message, settings, now=NOW)
    path = delivery.outbox_path
    assert path is not None and path.parent == tmp_path / "outbox"
    assert delivery.accepted == ("ops@acme.example", "张三@acme.example")
    assert delivery.refused == {}
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    back = parsed(path.read_bytes())
    assert back["Subject"] == "三月订单报表 — March orders"
    assert [a.addr_spec for a in back["To"].addresses] == [
        "ops@acme.example",
        "张三@acme.example",
    ]
    (attachment,) = back.iter_attachments()
    assert attachment.get_content() == xlsx_bytes()


def test_outbox_names_hold_only_a_short_slug_a_timestamp_and_randomness(tmp_path: Path) -> None:
    settings = Settings.model_validate({"CBE_DATA_DIR": str(tmp_path)})
    names = []
    for subject in ("../../etc/cron.d/x" + "A" * 300, "三月订单", "Q1 report: GMV ≥ 10% ✓", "\x00"):
        message = build_message(
            sender="r@acme.example", to=["ops@acme.example"], subject=subject, text="t"
        )
        delivery = send(message, settings, now=NOW)
        assert delivery.outbox_path is not None
        assert delivery.outbox_path.parent == tmp_path / "outbox"
        names.append(delivery.outbox_path.name)
    for name in names:
        assert name.startswith("20260401T080000000000Z-") and name.endswith(".eml")
        assert len(name) <= 80 and all(c.isalnum() or c in "-." for c in name), name
    assert "-etc-cron-d-x" in names[0] and names[1].count("message") == 1
    assert "q1-report-gmv-10" in names[2]
    again = build_message(sender="r@acme.example", to=["o@a.example"], subject="三月订单", text="")
    assert send(again, settings, now=NOW).outbox_path != tmp_path / "outbox" / names[1]


# --- settings ----------------------------------------------------------------------------


def test_mail_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBE_SMTP_HOST", "smtp.acme.example")
    monkeypatch.setenv("CBE_SMTP_PORT", "465")
    monkeypatch.setenv("CBE_SMTP_SECURITY", " SSL ")
    monkeypatch.setenv("CBE_SMTP_PASSWORD", "hunter2")
    settings = Settings()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == (
        "smtp.acme.example",
        465,
        "ssl",
    )
    assert "hunter2" not in repr(settings)
    assert settings.smtp_password.get_secret_value() == "hunter2"
    monkeypatch.setenv("CBE_SMTP_SECURITY", "tls-maybe")
    with pytest.raises(ValueError, match=r"CBE_SMTP_SECURITY"):
        Settings()


def test_defaults_mean_no_server_and_a_local_sender() -> None:
    settings = Settings.model_validate({})
    assert settings.smtp_host == "" and settings.smtp_port == 587
    assert settings.smtp_security == "starttls" and settings.mail_from == "cbe <reports@localhost>"
    assert parse_address(settings.mail_from) is not None


def test_messages_can_be_sent_from_parallel_threads(
    server: tuple[Recorder, int], tmp_path: Path
) -> None:
    recorder, port = server
    settings = smtp_settings(port, tmp_path)
    errors: list[BaseException] = []

    def deliver(day: int) -> None:
        try:
            message = build_message(
                sender="r@acme.example",
                to=["ops@acme.example"],
                subject=f"Day {date(2026, 3, day).isoformat()}",
                text="t",
            )
            send(message, settings)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=deliver, args=(day,)) for day in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    subjects = sorted(parsed(e.content)["Subject"] for e in recorder.received)  # type: ignore[arg-type]
    assert subjects == [f"Day 2026-03-0{d}" for d in range(1, 9)]
