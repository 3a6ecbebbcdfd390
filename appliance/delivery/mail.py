"""E-mail through the outbox: `mail.queue(...)` stores a message, the "email" deliverer sends it over SMTP.

[mail] names the relay (host, port, security starttls / ssl / none, username, password_file, from_address).
Messages are built with email.message and policy.default: UTF-8 subjects and bodies, attachments base64
(byte-identical), non-ASCII recipients sent with SMTPUTF8 when the server offers it. The password is read
from its file at each delivery and never logged.
"""
from __future__ import annotations

import logging
import mimetypes
import smtplib
import ssl
import uuid
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Sequence

from appliance import config, paths
from appliance.delivery import outbox

log = logging.getLogger(__name__)
KIND = "email"
MAX_RECIPIENTS = 100


class MailError(Exception):
    """Sending failed; the message names the server and the reason (never the password)."""


def queue(to: list[str], subject: str, body: str, attachments: Sequence[tuple[str, bytes]] = (), *,
          key: str | None = None) -> int:
    """Queue an e-mail to `to` (checked now: a bad address is a ValueError, not a failed delivery); its item id."""
    to = [check_address(a) for a in ([to] if isinstance(to, str) else list(to))]
    if not to or len(to) > MAX_RECIPIENTS:
        raise ValueError(f"an e-mail needs 1 to {MAX_RECIPIENTS} recipients, got {len(to)}")
    if "\n" in subject or "\r" in subject:
        raise ValueError("the e-mail subject must be one line")
    files = []
    for name, data in attachments:
        if not name or "/" in name or "\\" in name or any(ord(c) < 32 for c in name):
            raise ValueError(f"attachment name {name!r} must be a plain file name")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"attachment {name!r} must be bytes, not {type(data).__name__}")
        files.append([name, bytes(data)])
    payload = {"to": to, "subject": subject, "body": body, "attachments": files, "msgid": uuid.uuid4().hex}
    return outbox.enqueue(KIND, payload, key=key, summary=f"{', '.join(to)} | {subject}")


def check_address(address: str) -> str:
    """`address` (a bare address, Unicode allowed) stripped, or ValueError naming it."""
    a = (address or "").strip()
    local, at, domain = a.rpartition("@")
    if not at or not local or not domain or "." not in domain.strip(".") or any(c in a for c in " <>,;\"\r\n"):
        raise ValueError(f"{address!r} is not an e-mail address (expected name@example.com)")
    return a


def build(sender: str, to: list[str], subject: str, body: str, attachments: Sequence[tuple[str, bytes]] = (),
          msgid: str | None = None, now: datetime | None = None) -> EmailMessage:
    """The message: text body (UTF-8), then the attachments with a type guessed from their names."""
    msg = EmailMessage(policy=default_policy)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now or datetime.now(timezone.utc))
    domain = parseaddr(sender)[1].rpartition("@")[2] or "callbox.invalid"
    msg["Message-ID"] = f"<{msgid or uuid.uuid4().hex}@{domain}>"
    msg.set_content(body)
    for name, data in attachments:
        ctype, encoding = mimetypes.guess_type(name)
        if ctype is None or encoding is not None:
            ctype = "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def deliver(cfg: config.Config, data_dir: Path, payload: dict[str, Any]) -> None:
    """The outbox deliverer of kind "email": send one queued message; MailError (or ConfigError) on failure."""
    s = cfg.section("mail")
    if not s.host or not s.from_address:
        raise config.ConfigError("e-mail is not configured: set [mail] host and from_address")
    msg = build(s.from_address, payload["to"], payload["subject"], payload["body"],
                [(n, d) for n, d in payload.get("attachments", [])], payload.get("msgid"))
    send(s, msg, payload["to"], _password(s, Path(data_dir)))


def send(s: Any, msg: EmailMessage, to: list[str], password: str = "") -> None:
    """Send `msg` to `to` through the [mail] settings `s` (the frozen section)."""
    where = f"SMTP server {s.host}:{s.port}"
    if s.username and s.security == "none":
        raise config.ConfigError("[mail] username needs security starttls or ssl: the password must not "
                                 "cross the network in clear")
    try:
        with _connect(s) as smtp:
            if s.username:
                smtp.login(s.username, password)
            refused = smtp.send_message(msg, to_addrs=to)
    except smtplib.SMTPAuthenticationError as e:
        raise MailError(f"{where}: login as {s.username!r} refused: {_reply(e)}") from None
    except smtplib.SMTPRecipientsRefused as e:
        raise MailError(f"{where}: every recipient refused: "
                        + "; ".join(f"{a} ({_reply(r)})" for a, r in e.recipients.items())) from None
    except smtplib.SMTPNotSupportedError as e:
        hint = " (non-ASCII addresses need it)" if "SMTPUTF8" in str(e) else ""
        raise MailError(f"{where}: {e}{hint}") from None
    except smtplib.SMTPResponseException as e:
        raise MailError(f"{where}: {_reply(e)}") from None
    except ssl.SSLError as e:
        raise MailError(f"{where}: TLS failed: {e.reason or e}") from None
    except (smtplib.SMTPException, OSError) as e:
        raise MailError(f"{where}: {e or type(e).__name__}") from None
    if refused:   # the others have it: a retry would send it twice, so this is logged, not raised
        log.warning("mail: %s refused %s", where, "; ".join(f"{a} ({_reply(r)})" for a, r in refused.items()))


def _connect(s: Any) -> smtplib.SMTP:
    if s.security == "ssl":
        return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=_tls(s))
    smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
    try:
        if s.security == "starttls":
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise MailError(f"SMTP server {s.host}:{s.port} does not offer STARTTLS ([mail] security)")
            smtp.starttls(context=_tls(s))
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _tls(s: Any) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=s.ca_file or None)
    if not s.tls_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _password(s: Any, data_dir: Path) -> str:
    """The first line of [mail] password_file (relative paths from the data directory); "" without a login."""
    if not s.username:
        return ""
    if not s.password_file:
        raise config.ConfigError("[mail] username is set but password_file is not")
    try:
        return paths.read_secret(data_dir / s.password_file, "[mail] password_file")   # an absolute path stays
    except paths.SecretFileError as e:
        raise config.ConfigError(str(e)) from None


def _reply(e: Any) -> str:
    if isinstance(e, tuple):     # (code, message) of a refused recipient
        code, text = e
    else:
        code, text = e.smtp_code, e.smtp_error
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip()


outbox.register(KIND, deliver)
