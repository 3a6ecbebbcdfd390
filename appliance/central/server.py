"""The central's HTTPS receiver: enrolment (token → certificate) and batches from enrolled branches (mutual TLS).

Its own process under `callbox run` ([central] listen): a branch's slow or hostile connection, or a batch being
applied, never holds up this box's own capture or the web (STYLE.md §3). Threads, one per connection, each with its
own database connection; the batch's transaction serialises the writers (BEGIN IMMEDIATE, busy timeout).
Endpoints: POST /sync/enroll {"token", "csr"} → {"branch", "cert", "ca"}; GET /sync/hello (the branch is up,
with nothing to send) → {"branch", "next_seq", "version"}; POST /sync/batch (appliance/sync/wire.py) → {"seq",
"rows", "duplicate"}; GET /sync/archive/SEGNO → the raw journal segment's state on the central, POST
/sync/archive/SEGNO (a chunk, headers wire.H_OFFSET, H_TOTAL, H_SEGMENT_SHA) → its state after it
(appliance/central/archive.py); POST /sync/snapshot/KIND (the branch's directory or tariffs,
appliance/sync/snapshot.py) → {"kind", "version", "stored"}. The answers to a hello and a batch also say the version
of each snapshot the central holds ("snapshots"), so the branch sends one when it differs, and the sync protocols
it takes ("protocols": a branch sends evaluations only to a central that takes 4). A refusal answers
{"error": reason} (and "expected" for a sequence problem), and is logged with the branch and the reason.
"""
from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
import time
from contextlib import nullcontext
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from peewee import DatabaseError, InterfaceError

from appliance import __version__
from appliance.central import apply as applier
from appliance.central import archive, branches, ca, snapshots
from appliance.reports import received_missed, received_occupancy
from appliance.store.central_db import central_db as db   # SQLite or PostgreSQL ([central] database)
from appliance.store.central_db import is_postgres
from appliance.store.sync import CentralBranch
from appliance.sync import snapshot, versions, wire

log = logging.getLogger(__name__)
IO_TIMEOUT_S = 60.0
H_VERSION = "X-Callbox-Version"   # a hello's: the branch's release
MAX_ENROL_BODY = 64 << 10
OCCUPANCY_S = 5.0           # the concurrency roll-up's dirty days are recomputed this often (a chunk at a time)
DISCARD_MAX = 1 << 20       # a refused request's body read before the answer, at most


class _Handler(BaseHTTPRequestHandler):
    server: CentralServer
    server_version = f"callbox-central/{__version__}"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:   # noqa: A002 (http.server's signature)
        log.debug("%s %s", self.client_address[0], format % args)

    def _answer(self, status: int, doc: dict) -> None:
        if status != 200:
            self.close_connection = True     # a refused request's body may be unread: never parse it as the next
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self, limit: int) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._answer(411, {"error": "Content-Length required"})
            return None
        if not 0 <= length <= limit:
            self._answer(413, {"error": f"body over {limit} bytes"})
            return None
        body = self.rfile.read(length)
        if len(body) != length:
            log.warning("%s: truncated request (%d of %d bytes): ignored", self.client_address[0], len(body), length)
            self.close_connection = True
            return None
        return body

    def _branch(self) -> str | None:
        try:
            with db.connection_context():
                return branches.authorised(self.connection.getpeercert())   # type: ignore[attr-defined]
        except branches.BranchError as e:
            log.warning("%s: refused: %s", self.client_address[0], e)
            self._discard_body()
            self._answer(403, {"error": str(e)})
            return None
        except (DatabaseError, InterfaceError) as e:
            self._unavailable(e)
            return None

    def _health(self) -> dict:
        """The branch's backlog, journal size, quarantine count, tariff versions and directory version its request
        says (for the branch health page); {} without."""
        out: dict = {}
        for header, column in ((wire.H_PENDING, "pending"), (wire.H_JOURNAL, "journal_bytes"),
                               (wire.H_QUARANTINE, "quarantined")):
            value = self.headers.get(header, "")
            if value.isdigit() and len(value) < 19:
                out[column] = int(value)
        for header, column in ((wire.H_TARIFFS, "tariffs"), (wire.H_DIRECTORY, "directory")):
            if header in self.headers:
                out[column] = versions.decode(self.headers.get(header, ""))
        return out

    def _unavailable(self, e: Exception) -> None:
        log.error("%s: the central's database: %s: %s", self.client_address[0], type(e).__name__, str(e).strip())
        self._discard_body()
        self._answer(503, {"error": "the central's database is unavailable: try again later"})

    def _discard_body(self) -> None:
        """Read (a bounded part of) a body we refuse: a socket closed with data unread is reset, and the reset can
        destroy the answer before the client reads it."""
        try:
            length = min(int(self.headers.get("Content-Length", "0")), DISCARD_MAX)
        except ValueError:
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 65536))
            if not chunk:
                return
            length -= len(chunk)

    def _segno(self) -> int | None:
        """SEGNO of /sync/archive/SEGNO; None for another path."""
        head, _sep, tail = self.path.rpartition("/")
        return int(tail) if head == "/sync/archive" and tail.isdigit() and len(tail) <= 10 else None

    def _archive(self, post: bool) -> None:
        segno = self._segno()
        name = self._branch()
        if name is None or segno is None:
            if name is not None:
                self._answer(404, {"error": "not found"})
            return
        try:
            if not post:
                self._answer(200, archive.state(self.server.data_dir, name, segno))
                return
            try:
                offset, total = int(self.headers.get(wire.H_OFFSET, "")), int(self.headers.get(wire.H_TOTAL, ""))
            except ValueError:
                self._discard_body()
                self._answer(400, {"error": "offset and total required"})
                return
            body = self._body(archive.CHUNK_MAX)
            if body is None:
                return
            done = archive.receive(self.server.data_dir, name, segno, offset, total,
                                   self.headers.get(wire.H_SEGMENT_SHA, ""), body)
        except archive.ArchiveRefused as e:
            log.warning("branch %s: journal segment %d refused: %s", name, segno, e)
            self._answer(e.status, {"error": str(e), "have": e.have})
            return
        except OSError as e:
            log.error("branch %s: journal segment %d not stored: %s", name, segno, e)
            self._answer(503, {"error": "the central cannot store the segment now: try again later"})
            return
        if done["done"]:
            log.info("branch %s: journal segment %d archived (%d bytes)", name, segno, done["have"])
        self._answer(200, done)

    def do_GET(self) -> None:
        if self.path.startswith("/sync/archive/"):
            self._archive(post=False)
            return
        if self.path != "/sync/hello":
            self._answer(404, {"error": "not found"})
            return
        name = self._branch()
        if name is not None:
            version = self.headers.get(H_VERSION, "")[:40]
            try:
                with db.connection_context():
                    CentralBranch.update(last_seen_utc=int(time.time()), **({"version": version} if version else {})
                                         ).where(CentralBranch.name == name).execute()
                    branches.note_health(name, self._health())
                    row = CentralBranch.get(CentralBranch.name == name)
                    held = snapshots.held(name)
            except (DatabaseError, InterfaceError) as e:
                self._unavailable(e)
                return
            self._answer(200, {"branch": name, "next_seq": row.last_seq + 1, "version": __version__,
                               "snapshots": held, "protocols": list(wire.PROTOCOLS)})

    def do_POST(self) -> None:
        if self.path == "/sync/enroll":
            self._enrol()
        elif self.path == "/sync/batch":
            self._batch()
        elif self.path.startswith("/sync/archive/"):
            self._archive(post=True)
        elif self.path.startswith("/sync/snapshot/"):
            self._snapshot(self.path.rpartition("/")[2])
        else:
            self._answer(404, {"error": "not found"})

    def _enrol(self) -> None:
        body = self._body(MAX_ENROL_BODY)
        if body is None:
            return
        try:
            doc = json.loads(body)
            token, csr = str(doc["token"]), str(doc["csr"])
            with db.connection_context():
                name, cert = branches.enrol(self.server.data_dir, token, csr)
        except (ValueError, KeyError, TypeError) as e:
            log.warning("%s: enrolment refused: %s", self.client_address[0], e)
            self._answer(403, {"error": f"enrolment refused: {e}"})
            return
        self._answer(200, {"branch": name, "cert": cert, "ca": ca.files(self.server.data_dir).ca_cert.read_text()})

    def _batch(self) -> None:
        name = self._branch()
        if name is None:
            return
        body = self._body(wire.MAX_BODY)
        if body is None:
            return
        head = {k: self.headers.get(k, "") for k in (wire.H_PROTOCOL, wire.H_SEQ, wire.H_DIGEST)}
        try:
            batch = wire.decode(body, head)
            with db.connection_context():
                done = applier.apply(name, batch)
        except wire.WireError as e:
            log.warning("branch %s: batch %s refused: %s", name, head[wire.H_SEQ], e)
            self._answer(400, {"error": str(e)})
            return
        except applier.Refused as e:
            log.warning("branch %s: batch %s refused: %s", name, head[wire.H_SEQ], e)
            self._answer(e.status, {"error": str(e), "expected": e.expected})
            return
        except (DatabaseError, InterfaceError) as e:   # e.g. PostgreSQL restarting: nothing applied, sent again
            self._unavailable(e)
            return
        health, held = self._health(), None
        try:
            with db.connection_context():
                if health:
                    branches.note_health(name, health)
                held = snapshots.held(name)
        except (DatabaseError, InterfaceError) as e:   # the batch is applied: only its health note is lost
            log.warning("branch %s: its health not noted: %s", name, str(e).strip())
        self._answer(200, {"seq": done.seq, "rows": done.rows, "duplicate": done.duplicate,
                           "protocols": list(wire.PROTOCOLS), **({"snapshots": held} if held is not None else {})})

    def _snapshot(self, kind: str) -> None:
        name = self._branch()
        if name is None:
            return
        body = self._body(wire.MAX_BODY)
        if body is None:
            return
        head = {k: self.headers.get(k, "") for k in (wire.H_DIGEST, snapshot.H_VERSION)}
        try:
            snap = snapshot.decode(body, head, kind)
            with db.connection_context():
                stored = snapshots.store(name, snap)
        except wire.WireError as e:
            log.warning("branch %s: %s snapshot refused: %s", name, kind[:20], e)
            self._answer(400, {"error": str(e)})
            return
        except snapshots.SnapshotRefused as e:
            log.warning("branch %s: %s snapshot refused: %s", name, kind[:20], e)
            self._answer(403, {"error": str(e)})
            return
        except (DatabaseError, InterfaceError) as e:
            self._unavailable(e)
            return
        self._answer(200, {"kind": kind, "version": snap.version, "stored": stored})


class CentralServer(ThreadingHTTPServer):
    """HTTPS: the TLS handshake runs in the connection's own thread, with a timeout, never in the accept loop."""
    daemon_threads = True

    def __init__(self, address: tuple[str, int], data_dir: Path):
        self.data_dir = Path(data_dir)
        self.context = ca.server_context(self.data_dir)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def finish_request(self, request, client_address) -> None:
        request.settimeout(IO_TIMEOUT_S)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log.info("%s: TLS handshake failed: %s", client_address[0], e)
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            try:
                tls.close()
            except OSError:
                pass


def parse_listen(text: str) -> tuple[str, int]:
    """[central] listen HOST:PORT ([v6]:PORT); ValueError naming the problem."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"[central] listen {text!r}: expected HOST:PORT, e.g. 0.0.0.0:8444")
    return host, int(port)


def _backfill_missed() -> None:
    """The missed-call facts of the calls a central of an older release received (reports/received_missed.py),
    made once while the receiver already takes batches (each box's in one transaction: its batches wait for it)."""
    try:
        done = received_missed.backfill()
    except (DatabaseError, InterfaceError) as e:   # PostgreSQL down: the report reads those boxes call by call
        log.warning("the missed-call facts of the received calls cannot be made now: %s", str(e).strip())
        return
    if done:
        log.info("missed-call facts made for %d received incoming calls", done)


def _refresh_occupancy(stop: threading.Event) -> None:
    """Recompute the concurrency roll-up's dirty days (reports/received_occupancy.py), a chunk per transaction,
    taking turns with the batches (SQLite's one writer), until none is left or `stop` is set."""
    try:
        with db.connection_context():
            while not stop.is_set():
                with nullcontext() if is_postgres() else applier.SQLITE_WRITER:
                    if not received_occupancy.refresh():
                        return
                stop.wait(0.05)      # a batch waiting for the writer goes between two chunks
    except (DatabaseError, InterfaceError) as e:   # PostgreSQL down: reports compute those days from the calls
        log.warning("the concurrency roll-up cannot be refreshed now: %s", str(e).strip())
    except Exception:    # a bug here must not stop the receiver: the days stay dirty, reports read the calls
        log.exception("the concurrency roll-up's refresh failed")


def serve(listen: str, data_dir: Path, stop: threading.Event, ready=None) -> None:
    """Receive until `stop` is set; `ready(port)` is called once listening (the port, when 0 was asked for)."""
    server = CentralServer(parse_listen(listen), data_dir)
    log.info("central receiver listening on %s:%d", *server.server_address[:2])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    if ready is not None:
        ready(server.server_address[1])
    try:
        _backfill_missed()
        while True:
            _refresh_occupancy(stop)
            if stop.wait(OCCUPANCY_S):
                break
    finally:
        server.shutdown()
        server.server_close()
