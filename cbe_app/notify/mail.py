"""Outgoing e-mail: build a message, send it over SMTP, or leave it in the outbox folder.

`build_message` is pure and checks every address with the standard library's RFC 5322
parser (and IDNA 2008 for domains), so a bad recipient is a `ValidationFailed` the schedule
form can show, never an SMTP error at 3 a.m. `send` is the shell: one SMTP conversation
with a timeout, and errors typed as retryable (the server or network will recover: try
again later) or final (retrying cannot help). Without an SMTP server (the single-machine
install and the demo) messages are written to `$CBE_DATA_DIR/outbox/` as `.eml` files,
so nothing is lost. See docs/exports.md.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import smtplib
import ssl
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import errors as email_errors
from email import policy
from email.errors import NonASCIILocalPartDefect
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path

import idna

from cbe_app.config import Settings
from cbe_app.core.errors import ValidationFailed
from cbe_app.core.i18n import N_

TIMEOUT_SECONDS = 30.0
_MIME_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_FILENAME = 120
_SLUG_LENGTH = 40

_BAD_ADDRESS = N_("{address} is not a valid e-mail address.")
_BAD_ADDRESSES = N_("Enter valid e-mail addresses.")
_NO_RECIPIENT = N_("Add at least one recipient.")
_BAD_ATTACHMENT = N_("An attachment has an unknown file type.")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message."""

    filename: str
    content: bytes
    mime_type: str  # e.g. "application/pdf"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the server would not take a message for one recipient."""

    code: int
    reply: str
    retryable: bool


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of a message: accepted recipients, refused ones, or the outbox file."""

    accepted: tuple[str, ...]
    refused: Mapping[str, Refusal] = field(default_factory=dict)
    outbox_path: Path | None = None


class MailError(Exception):
    """Sending failed for every recipient; `retryable` says whether trying later can help."""

    def __init__(self, text: str, retryable: bool, *, code: int | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.retryable = retryable
        self.code = code


# --- building ----------------------------------------------------------------------------


def _parse_one(value: str) -> Address | None:
    """The single address in a header-style value, if it parses without defects."""
    if not value or _CONTROL.search(value):
        return None
    try:
        header = policy.default.header_factory("To", value)
    except (ValueError, IndexError, TypeError, email_errors.MessageError):
        return None  # the stdlib parser signals some malformed input with plain exceptions
    # A non-ASCII local part is valid internationalised mail (RFC 6531), sent with SMTPUTF8.
    defects = [d for d in header.defects if not isinstance(d, NonASCIILocalPartDefect)]
    if defects or len(header.addresses) != 1:
        return None
    address: Address = header.addresses[0]
    return address if address.username and address.domain else None


def parse_address(value: str) -> Address | None:
    """One address (`ops@acme.example` or `Ops <ops@acme.example>`), domain as ASCII; or None."""
    address = _parse_one(value)
    if address is None:
        return None
    try:
        # IDNA 2008 checks every label, and an A-label domain travels over any SMTP server.
        domain = idna.encode(address.domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return None
    if "." not in domain and domain != "localhost":
        return None
    return Address(address.display_name, address.username, domain)


def _addresses(values: Sequence[str], errors: dict[str, str], bad: list[str]) -> list[Address]:
    parsed = []
    for value in values:
        address = parse_address(value)
        if address is None:
            bad.append(value)
            errors["to"] = _BAD_ADDRESSES
        else:
            parsed.append(address)
    return parsed


def _filename(name: str) -> str:
    """A bare file name: no folders, no control characters, a sane length, the extension kept."""
    base = _CONTROL.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    stem, dot, extension = base.rpartition(".")
    if len(base) > _MAX_FILENAME:
        base = stem[: _MAX_FILENAME - len(extension) - 1] + dot + extension if dot else base
    return base[:_MAX_FILENAME] or "attachment"


def _transfer_encoding(text: str) -> str | None:
    # Chinese text as base64 keeps the message 7-bit clean: it survives relays that lack
    # 8BITMIME, which smtplib does not negotiate. ASCII text stays readable (None: 7bit).
    return None if text.isascii() else "base64"


def build_message(
    *,
    sender: str,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """A MIME message: text, an optional HTML alternative, attachments.

    Raises:
        ValidationFailed: every bad address (named), a missing recipient, an unknown file type.
    """
    errors: dict[str, str] = {}
    bad: list[str] = []
    sender_address = parse_address(sender)
    if sender_address is None:
        errors["sender"] = _BAD_ADDRESSES
        bad.append(sender)
    recipients = _addresses(to, errors, bad)
    if not to:
        errors["to"] = _NO_RECIPIENT
    if any(not _MIME_TYPE.match(a.mime_type) for a in attachments):
        errors["attachments"] = _BAD_ATTACHMENT
    if errors:
        shown = ", ".join(repr(value) for value in bad)
        raise ValidationFailed(errors, _BAD_ADDRESS if bad else None, address=shown)
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender_address
    message["To"] = tuple(recipients)
    # A report name may hold line breaks; a header may not (header injection).
    message["Subject"] = " ".join(subject.split())
    message.set_content(text, cte=_transfer_encoding(text))
    if html is not None:
        message.add_alternative(html, subtype="html", cte=_transfer_encoding(html))
    for attachment in attachments:
        maintype, subtype = attachment.mime_type.lower().split("/", 1)
        message.add_attachment(
            attachment.content, maintype, subtype, filename=_filename(attachment.filename)
        )
    return message


# --- sending -----------------------------------------------------------------------------


def _recipients(message: EmailMessage) -> tuple[str, ...]:
    # The same reading of To/Cc/Bcc as smtplib's send_message, so refusals match by key.
    fields = [str(v) for k in ("To", "Cc", "Bcc") for v in message.get_all(k, [])]
    return tuple(address for _, address in getaddresses(fields) if address)


def _stamp(message: EmailMessage, now: datetime) -> None:
    """Date and Message-ID, once: a message sent again keeps its id, so receivers dedupe."""
    if "Date" not in message:
        message["Date"] = format_datetime(now.astimezone(UTC))
    if "Message-ID" not in message:
        sender = getaddresses([str(message.get("From", ""))])
        domain = sender[0][1].rpartition("@")[2] if sender else ""
        message["Message-ID"] = make_msgid(domain=domain or "localhost")


def _password_in_clear(settings: Settings) -> bool:
    """True when a login would cross the network unencrypted (fine only on this machine)."""
    if not settings.smtp_user or settings.smtp_security != "none":
        return False
    host = settings.smtp_host
    try:
        return not (host == "localhost" or ipaddress.ip_address(host).is_loopback)
    except ValueError:
        return True


def _connect(settings: Settings, timeout: float) -> smtplib.SMTP:
    host, port = settings.smtp_host, settings.smtp_port
    if settings.smtp_security == "ssl":
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if settings.smtp_security == "starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def _quit(smtp: smtplib.SMTP) -> None:
    # The message is already accepted or refused: a failing QUIT must not turn a delivery
    # into an error (the caller would retry and the recipients get it twice).
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _refusal(code: int, reply: bytes | str) -> Refusal:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return Refusal(code=code, reply=text, retryable=400 <= code < 500)


def _transmit(message: EmailMessage, settings: Settings, timeout: float) -> dict[str, Refusal]:
    smtp = _connect(settings, timeout)
    try:
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        refused = smtp.send_message(message)
    finally:
        _quit(smtp)
    return {address: _refusal(code, reply) for address, (code, reply) in refused.items()}


def _smtp_error(error: Exception) -> MailError:
    """The error as retryable or final, in words an operator can act on."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = {a: _refusal(c, r) for a, (c, r) in error.recipients.items()}
        detail = "; ".join(f"{a}: {r.code} {r.reply}" for a, r in refusals.items())
        retryable = any(r.retryable for r in refusals.values())
        return MailError(f"The mail server refused every recipient ({detail}).", retryable)
    if isinstance(error, smtplib.SMTPResponseException):
        reply = _refusal(error.smtp_code, error.smtp_error)
        text = f"The mail server answered {reply.code} {reply.reply}"
        return MailError(text, reply.retryable, code=reply.code)
    if isinstance(error, smtplib.SMTPServerDisconnected | TimeoutError):
        return MailError(f"The mail server went away: {error}", retryable=True)
    if isinstance(error, smtplib.SMTPException | ssl.SSLCertVerificationError):
        # No STARTTLS or AUTH on offer, SMTPUTF8 missing, a certificate that does not verify:
        # the configuration has to change, so retrying cannot help.
        return MailError(f"Mail cannot be sent with these settings: {error}", retryable=False)
    return MailError(f"The mail server cannot be reached: {error}", retryable=True)


def send(
    message: EmailMessage,
    settings: Settings,
    *,
    timeout: float = TIMEOUT_SECONDS,
    now: datetime | None = None,
) -> Delivery:
    """Send over SMTP, or write to the outbox when no server is set.

    Adds `Date` and `Message-ID` to the message if it has none. Recipients the server refused
    while it took others are in `Delivery.refused`.

    Raises:
        MailError: nobody got the message; `retryable` says whether trying later can help.
    """
    moment = now or datetime.now(UTC)
    _stamp(message, moment)
    if not settings.smtp_host:
        return write_to_outbox(message, settings.data_dir / "outbox", now=moment)
    if _password_in_clear(settings):
        text = "Refusing to send the SMTP password unencrypted; set CBE_SMTP_SECURITY."
        raise MailError(text, retryable=False)
    try:
        refused = _transmit(message, settings, timeout)
    except (smtplib.SMTPException, OSError) as error:
        raise _smtp_error(error) from error
    accepted = tuple(a for a in _recipients(message) if a not in refused)
    return Delivery(accepted=accepted, refused=refused)


# --- the outbox --------------------------------------------------------------------------


def _slug(subject: str) -> str:
    """A short ASCII name from the subject, safe in any file system (may be 'message')."""
    ascii_text = unicodedata.normalize("NFKD", subject).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:_SLUG_LENGTH].rstrip("-") or "message"


def _needs_utf8(message: EmailMessage) -> bool:
    # A non-ASCII local part (张三@example.cn) can only be written as raw UTF-8 (RFC 6532).
    senders = [address for _, address in getaddresses([str(message.get("From", ""))])]
    return not all(address.isascii() for address in (*senders, *_recipients(message)))


def write_to_outbox(message: EmailMessage, folder: Path, *, now: datetime) -> Delivery:
    """Write the message as a `.eml` file a person or a pickup service can open later."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{now.astimezone(UTC):%Y%m%dT%H%M%S%fZ}-{_slug(str(message.get('Subject', '')))}"
    path = folder / f"{name}-{secrets.token_hex(4)}.eml"
    data = message.as_bytes(policy=policy.SMTPUTF8 if _needs_utf8(message) else policy.SMTP)
    # Write beside it, then rename: a pickup service never sees half a message.
    partial = folder / f".{path.name}.part"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
    return Delivery(accepted=_recipients(message), outbox_path=path)
