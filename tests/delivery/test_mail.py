"""E-mail through the outbox against a real SMTP server on loopback (aiosmtpd: STARTTLS, SMTPS, AUTH, SMTPUTF8)."""
from __future__ import annotations

import email
import socket
import ssl
import threading
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from io import BytesIO

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from appliance import config
from appliance.delivery import mail, outbox
from appliance.store import outbox as so

PASSWORD = "s3cr3t-Pa55!word"
SENDER = "Callbox Santral <callbox@example.com>"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\r\n.\r\n..\n%%EOF\n"   # binary, CR/LF and SMTP dots
CSV = "kişi;süre\r\nАнна;65\r\n".encode("utf-8")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    authenticated: bool
    tls: bool


class Inbox:
    """aiosmtpd handler: keeps every message as received (bytes, after SMTP dot-unstuffing)."""

    def __init__(self):
        self.messages: list[Received] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                                      bool(session.authenticated),
                                      server.transport.get_extra_info("ssl_object") is not None))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"callbox", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real SMTP server on 127.0.0.1 that can be started and stopped on a fixed port."""

    def __init__(self, cert, implicit_tls=False):
        self.port, self.inbox, self.controller = free_port(), Inbox(), None
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ctx.load_cert_chain(*cert)
        self.implicit_tls = implicit_tls

    def start(self):
        # aiosmtpd does not count implicit TLS as TLS for auth_require_tls: AUTH is allowed there explicitly
        tls = ({"ssl_context": self.ctx, "auth_require_tls": False} if self.implicit_tls else
               {"tls_context": self.ctx, "require_starttls": True, "auth_require_tls": True})
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, authenticator=authenticator,
                                     auth_required=True, enable_SMTPUTF8=True, server_hostname="localhost", **tls)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def server(cert):
    srv = Server(cert).start()
    yield srv
    srv.stop()


def mail_cfg(tmp_path, port, cert, security="starttls", password=PASSWORD, **extra):
    (tmp_path / "smtp.pass").write_text(password + "\n", encoding="utf-8")
    lines = {"host": "127.0.0.1", "port": port, "security": security, "username": "callbox",
             "password_file": "smtp.pass", "from_address": SENDER, "ca_file": cert[0], **extra}
    return config.Config(text="[mail]\n" + "".join(f"{k} = {v}\n" for k, v in lines.items()))


def rebuilt(received: Received, to, subject, body, attachments, msgid) -> bytes:
    """What mail.build makes for the same content (Date taken from the received copy), flattened as smtplib does."""
    sent = email.message_from_bytes(received.content, policy=default_policy)
    msg = mail.build(SENDER, to, subject, body, attachments, msgid, now=parsedate_to_datetime(sent["Date"]))
    msg.set_boundary(sent.get_boundary())   # random per message
    out = BytesIO()
    BytesGenerator(out, policy=msg.policy.clone(utf8=True, linesep="\r\n")).flatten(msg)
    return out.getvalue()


def only_item() -> so.OutboxItem:
    [item] = so.OutboxItem.select()
    return item


def test_starttls_auth_utf8_and_attachments_arrive_byte_identical(db, tmp_path, server, cert):
    to = ["müdür@örnek.com.tr", "anna@example.com"]
    subject = "Çağrı raporu — Отчёт о звонках, şubat"
    body = "Merhaba,\nekte aylık çağrı raporu var.\nИтого: 1 234,50 ₺\n"
    item_id = mail.queue(to, subject, body, [("rapor-şubat.pdf", PDF), ("calls.csv", CSV)])
    assert outbox.deliver_due(mail_cfg(tmp_path, server.port, cert), tmp_path) == (1, 0)
    [got] = server.inbox.messages
    assert got.authenticated and got.tls
    assert got.mail_from == "callbox@example.com" and got.rcpt_tos == to
    msg = email.message_from_bytes(got.content, policy=default_policy)
    assert msg["Subject"] == subject and msg["From"] == SENDER
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == body   # CRLF on the wire
    files = {a.get_filename(): (a.get_content_type(), a.get_payload(decode=True)) for a in msg.iter_attachments()}
    assert files == {"rapor-şubat.pdf": ("application/pdf", PDF), "calls.csv": ("text/csv", CSV)}
    msgid = so.OutboxItem.get_by_id(item_id)
    assert msgid.state == "delivered" and msgid.payload == "" and msgid.attempts == 1
    want = rebuilt(got, to, subject, body, [("rapor-şubat.pdf", PDF), ("calls.csv", CSV)],
                   msg["Message-ID"][1:].split("@")[0])
    assert got.content.rstrip(b"\r\n") == want.rstrip(b"\r\n")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_on_the_smtps_port(db, tmp_path, cert):
    srv = Server(cert, implicit_tls=True).start()
    try:
        mail.queue(["ops@example.com"], "SMTPS", "ok")
        assert outbox.deliver_due(mail_cfg(tmp_path, srv.port, cert, security="ssl"), tmp_path) == (1, 0)
        assert srv.inbox.messages[0].tls and srv.inbox.messages[0].authenticated
    finally:
        srv.stop()


def test_server_down_fails_with_the_error_then_delivers_once_when_up(db, tmp_path, cert):
    srv = Server(cert)          # not started: connection refused
    cfg = mail_cfg(tmp_path, srv.port, cert)
    mail.queue(["ops@example.com"], "Link down", "trunk 1")
    t0 = 2_000_000_000
    assert outbox.deliver_due(cfg, tmp_path, now=t0) == (0, 1)
    item = only_item()
    assert item.state == "pending" and item.attempts == 1 and item.next_try_utc == t0 + 60
    assert f"127.0.0.1:{srv.port}" in item.last_error and "refused" in item.last_error.lower()
    assert outbox.deliver_due(cfg, tmp_path, now=t0 + 59) == (0, 0)     # not due yet
    assert outbox.deliver_due(cfg, tmp_path, now=t0 + 60) == (0, 1)
    assert only_item().next_try_utc == t0 + 60 + 120                      # doubled
    srv.start()
    try:
        assert outbox.deliver_due(cfg, tmp_path, now=t0 + 180) == (1, 0)
        assert outbox.deliver_due(cfg, tmp_path, now=t0 + 10_000) == (0, 0)
        assert len(srv.inbox.messages) == 1
        item = only_item()
        assert item.state == "delivered" and item.attempts == 3 and item.last_error == ""
    finally:
        srv.stop()


def test_a_wrong_password_is_a_clear_error_without_the_password(db, tmp_path, server, cert, caplog):
    mail.queue(["ops@example.com"], "x", "y")
    cfg = mail_cfg(tmp_path, server.port, cert, password="wrong-Secret-9")
    assert outbox.deliver_due(cfg, tmp_path) == (0, 1)
    error = only_item().last_error
    assert "login as 'callbox' refused" in error and "535" in error
    assert "wrong-Secret-9" not in error and "wrong-Secret-9" not in caplog.text
    assert server.inbox.messages == []


def test_an_untrusted_certificate_is_refused(db, tmp_path, server, cert):
    mail.queue(["ops@example.com"], "x", "y")
    assert outbox.deliver_due(mail_cfg(tmp_path, server.port, cert, ca_file=""), tmp_path) == (0, 1)
    assert "TLS failed" in only_item().last_error and "CERTIFICATE_VERIFY_FAILED" in only_item().last_error
    assert server.inbox.messages == []


def test_plain_smtp_refuses_to_send_a_password(db, tmp_path, server, cert):
    mail.queue(["ops@example.com"], "x", "y")
    assert outbox.deliver_due(mail_cfg(tmp_path, server.port, cert, security="none"), tmp_path) == (0, 1)
    assert "[mail] username needs security starttls or ssl" in only_item().last_error


def test_unconfigured_mail_waits_in_the_outbox(db, tmp_path):
    mail.queue(["ops@example.com"], "x", "y")
    assert outbox.deliver_due(config.Config(), tmp_path) == (0, 1)
    assert "set [mail] host and from_address" in only_item().last_error


def test_a_missing_password_file_names_the_file(db, tmp_path, server, cert):
    mail.queue(["ops@example.com"], "x", "y")
    cfg = mail_cfg(tmp_path, server.port, cert, password_file=tmp_path / "nope")
    assert outbox.deliver_due(cfg, tmp_path) == (0, 1)
    assert f"[mail] password_file {tmp_path / 'nope'}" in only_item().last_error


def test_a_password_file_others_may_read_is_refused(db, tmp_path, server, cert):
    """Issue 13: as ssh refuses a private key others can read; the mail waits, the reason says what to do."""
    mail.queue(["ops@example.com"], "x", "y")
    cfg = mail_cfg(tmp_path, server.port, cert)
    (tmp_path / "smtp.pass").chmod(0o644)
    assert outbox.deliver_due(cfg, tmp_path) == (0, 1)
    assert f"may be read by other users (mode 0644): chmod 600 {tmp_path / 'smtp.pass'}" in only_item().last_error
    assert not server.inbox.messages


def test_dedupe_key_sends_one_mail(db, tmp_path, server, cert):
    a = mail.queue(["ops@example.com"], "Daily report", "1", key="daily:2026-03-01")
    b = mail.queue(["ops@example.com"], "Daily report", "1", key="daily:2026-03-01")
    assert a == b
    assert outbox.deliver_due(mail_cfg(tmp_path, server.port, cert), tmp_path) == (1, 0)
    assert len(server.inbox.messages) == 1


@pytest.mark.parametrize("to, subject, attachments, problem", [
    (["not-an-address"], "x", [], "is not an e-mail address"),
    (["a@b.com", "x y@b.com"], "x", [], "is not an e-mail address"),
    ([], "x", [], "1 to 100 recipients"),
    (["a@b.com"], "two\nlines", [], "one line"),
    (["a@b.com"], "x", [("../etc/passwd", b"")], "plain file name"),
])
def test_bad_messages_are_refused_when_queued(db, to, subject, attachments, problem):
    with pytest.raises(ValueError, match=problem):
        mail.queue(to, subject, "body", attachments)
    assert so.OutboxItem.select().count() == 0


def test_two_concurrent_deliveries_send_each_mail_once(db, tmp_path, server, cert):
    for n in range(6):
        mail.queue([f"user{n}@example.com"], f"Report {n}", "body")
    cfg = mail_cfg(tmp_path, server.port, cert)
    results, barrier = [], threading.Barrier(2)

    def run():
        barrier.wait()
        results.append(outbox.deliver_due(cfg, tmp_path))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(d for d, _ in results) == 6 and sum(f for _, f in results) == 0
    assert sorted(m.rcpt_tos[0] for m in server.inbox.messages) == [f"user{n}@example.com" for n in range(6)]
