"""A real HTTP server on loopback that records every request and answers as a test tells it: the SMS gateway and
the CRM of the tests (slow, failing, answering bad JSON)."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class Recorder:
    """What the server answers (status, body, content type, a delay before answering) and what it saw."""
    status: int = 200
    body: bytes = b'{"status": "ok"}'
    content_type: str = "application/json"
    delay_s: float = 0.0
    answers: dict = field(default_factory=dict)     # path prefix -> (status, body), before the default
    seen: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def serve(rec: Recorder):
    """Start the server in a thread; (server, base URL). server.shutdown(); server.server_close() stop it."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with rec.lock:
                rec.seen.append(Seen(self.command, self.path, dict(self.headers), body))
            if rec.delay_s:
                time.sleep(rec.delay_s)
            status, out = rec.status, rec.body
            for prefix, (s, b) in rec.answers.items():
                if self.path.startswith(prefix):
                    status, out = s, b
            try:
                self.send_response(status)
                self.send_header("Content-Type", rec.content_type)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
            except OSError:      # the client gave up (timeout tests)
                pass

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
