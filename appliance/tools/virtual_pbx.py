"""Virtual PBX: replay a fixture of recorded PBX lines onto a pseudo-terminal (a serial port) or TCP.

    python -m appliance.tools.virtual_pbx --pty LINK_PATH | --tcp HOST:PORT | --listen HOST:PORT
        [--rate LINES_PER_S] [--skip N] [--state FILE] [--recent [--timezone ZONE]] FIXTURE

Progress is kept in the --state file after every line, so a re-run continues where the last one stopped
and never sends a line twice. Lines wait while nobody reads (no process has the pty open, no TCP peer),
because a serial reader that opens the port later discards what was queued (pyserial flushes the input
on open). After the last line the port stays open until SIGTERM/SIGINT, so the capture side does not see
the link drop; both signals end it with exit status 0.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import select
import signal
import socket
import sys
import threading
import time
import tty
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance.capture.framing import split_lines

log = logging.getLogger(__name__)

SETTLE_S = 1.0    # after a reader opens the pty: pyserial's open() flushes input right after open(2);
#                  on a loaded machine that can come a few hundred ms later (a test lost lines at 0.3 s)
GIVE_UP_S = 2.0   # a stopped replay still finishes the line it is writing, if the reader takes it this fast


def fixture_lines(data: bytes) -> list[bytes]:
    """The fixture's lines as the PBX sent them, terminators (LF, CR LF or CR) included."""
    lines, _ = split_lines(data, final=True, max_line=len(data) + 1)
    return [d for d, _ in lines]


DATE_FIRST = re.compile(rb"(\d{4})([/-])(\d{2})\2(\d{2})\b")   # a record that starts with its date (IP Office)
TIME_NEXT = re.compile(rb"[ T](\d{2}):(\d{2}):(\d{2})")           # and its time right after it


def recent(lines: list[bytes], today: date, now: datetime | None = None) -> list[bytes]:
    """The lines with the date they start with moved by whole weeks (the weekdays they were made kept), so that the
    last falls on today or in the six days before; when that leaves this month without a record (its first days:
    `make run` on 7 December showed "0 calls in December"), a week later. With `now` (the PBX's local time, naive)
    the records after it are left out: the demo (`callbox run` without a PBX) shows this month's calls so far,
    none in the future. Nothing else in a line changes; lines without a leading date are kept as they are."""
    found = [date(int(m[1]), int(m[3]), int(m[4])) for line in lines if (m := DATE_FIRST.match(line))]
    if not found:
        return lines
    weeks = (today - max(found)).days // 7
    if max(found) + timedelta(weeks=weeks) < today.replace(day=1):
        weeks += 1
    shift = timedelta(weeks=weeks)

    def move(line: bytes) -> bytes | None:
        m = DATE_FIRST.match(line)
        if m is None:
            return line
        d = date(int(m[1]), int(m[3]), int(m[4])) + shift
        t = TIME_NEXT.match(line, m.end())
        if now is not None and t and datetime(d.year, d.month, d.day, int(t[1]), int(t[2]), int(t[3])) > now:
            return None
        sep = m[2].decode()
        return f"{d.year:04d}{sep}{d.month:02d}{sep}{d.day:02d}".encode() + line[m.end():]
    return [moved for line in lines if (moved := move(line)) is not None]


class PtyPort:
    """A pty whose slave side is a serial device at a stable symlink path (like a USB adapter)."""

    def __init__(self, link_path: str | Path):
        self.link_path = Path(link_path)
        self._settled = False
        self.master, slave = os.openpty()
        tty.setraw(slave)   # before any byte is written: no echo, no CR/LF translation, no line discipline
        self.tty_name = os.ttyname(slave)
        # Hold no slave fd ourselves: the master then reports POLLHUP exactly while nobody has the port open.
        os.close(slave)
        os.set_blocking(self.master, False)
        tmp = self.link_path.with_name(self.link_path.name + ".new")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        os.symlink(self.tty_name, tmp)
        os.replace(tmp, self.link_path)
        self._poll = select.poll()
        self._poll.register(self.master, select.POLLOUT)

    def _events(self, timeout_ms: int) -> int:
        return sum(ev for _, ev in self._poll.poll(timeout_ms))

    def wait_reader(self, stop: threading.Event) -> bool:
        """Block until a process has the slave open (True), or `stop` is set (False)."""
        if self._events(0) & select.POLLHUP:
            log.info("waiting for a reader on %s (%s)", self.link_path, self.tty_name)
            self._settled = False
        while self._events(0) & select.POLLHUP:
            if stop.wait(0.05):
                return False
        if self._settled:
            return True
        # Settle once per reader, even one that was already there: it may have opened the tty a moment
        # ago and not yet reached pyserial's input flush.
        self._settled = not stop.wait(SETTLE_S)
        return self._settled

    def write(self, data: bytes, stop: threading.Event) -> bool:
        give_up = None
        while data:
            if stop.is_set():
                give_up = give_up or time.monotonic() + GIVE_UP_S
                if time.monotonic() > give_up:
                    return False
            if self._events(100) & select.POLLOUT:
                try:
                    data = data[os.write(self.master, data):]
                except BlockingIOError:
                    pass
        return True

    def close(self) -> None:
        """Close the master (the device vanishes) and remove the symlink if it is still ours."""
        os.close(self.master)
        if os.path.islink(self.link_path) and os.readlink(self.link_path) == self.tty_name:
            self.link_path.unlink()


class TcpPort:
    """TCP to the capture side: connect to HOST:PORT (listen=False) or accept one peer at a time."""

    def __init__(self, host: str, port: int, listen: bool = False):
        self.addr = (host, port)
        self.sock: socket.socket | None = None
        self.server = socket.create_server(self.addr) if listen else None

    def wait_reader(self, stop: threading.Event) -> bool:
        delay = 0.05
        while self.sock is None:
            try:
                if self.server is not None:
                    self.server.settimeout(0.1)
                    self.sock, _ = self.server.accept()
                else:
                    self.sock = socket.create_connection(self.addr, timeout=2)
            except socket.timeout:
                pass
            except OSError as e:
                log.debug("connect to %s:%d: %s", *self.addr, e)
                if stop.wait(delay):
                    return False
                delay = min(delay * 2, 2.0)
            if stop.is_set():
                return False
        return True

    def write(self, data: bytes, stop: threading.Event) -> bool:
        sock = self.sock
        assert sock is not None, "write() before wait_reader()"
        try:
            sock.settimeout(GIVE_UP_S if stop.is_set() else 30)
            sock.sendall(data)
            return True
        except OSError as e:
            log.info("peer %s:%d gone (%s); waiting for it again", *self.addr, e)
            sock.close()
            self.sock = None
            return False

    def close(self) -> None:
        for s in (self.sock, self.server):
            if s is not None:
                s.close()


def load_state(state: Path | None, fixture: Path) -> int:
    """How many fixture lines an earlier run already handed over (0 without a state for this fixture)."""
    try:
        doc = json.loads(Path(state).read_text()) if state else {}
    except (OSError, ValueError):
        return 0
    return int(doc.get("sent", 0)) if doc.get("fixture") == str(Path(fixture).resolve()) else 0


def save_state(state: Path | None, fixture: Path, sent: int) -> None:
    if state:
        tmp = Path(str(state) + ".tmp")
        tmp.write_text(json.dumps({"fixture": str(Path(fixture).resolve()), "sent": sent}))
        os.replace(tmp, state)


def replay(fixture: str | Path, port, *, rate: float = 0, skip: int = 0, state: str | Path | None = None,
           stop: threading.Event | None = None, linger: bool = True, today: date | None = None,
           now: datetime | None = None) -> int:
    """Send the fixture's lines (from the first one not yet sent) to `port` (PtyPort or TcpPort) at
    `rate` lines/s (0 = as fast as the reader takes them); return how many were sent by this call.
    With `linger` the port stays open after the last line until `stop` is set; with `today`, dated as recent(),
    and the records of the months before today's sent without waiting (the first look shows this month's)."""
    stop = stop or threading.Event()
    lines = fixture_lines(Path(fixture).read_bytes())
    if today is not None:
        lines = recent(lines, today, now)
    state = Path(state) if state else None
    sent, due = 0, time.monotonic()
    month = today.replace(day=1) if today is not None else None

    def history(line: bytes) -> bool:
        m = DATE_FIRST.match(line)
        return month is not None and m is not None and date(int(m[1]), int(m[3]), int(m[4])) < month
    for i in range(max(skip, load_state(state, Path(fixture))), len(lines)):
        if stop.wait(max(0.0, due - time.monotonic())):
            break
        while not (port.wait_reader(stop) and port.write(lines[i], stop)):
            if stop.is_set():
                return sent
        sent += 1
        save_state(state, Path(fixture), i + 1)
        due = time.monotonic() + (1 / rate if rate and not (i + 1 < len(lines) and history(lines[i + 1])) else 0)
    if stop.is_set():
        log.info("stopped after %d lines", sent)
        return sent
    log.info("replayed %d lines, the whole fixture; %s", sent, "idling until stopped" if linger else "done")
    if linger:
        stop.wait()
    return sent


def _hostport(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m appliance.tools.virtual_pbx", description=__doc__.split("\n")[0])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", metavar="LINK_PATH", help="create a pty and symlink its slave here")
    where.add_argument("--tcp", metavar="HOST:PORT", type=_hostport, help="connect to capture's tcp-listen")
    where.add_argument("--listen", metavar="HOST:PORT", type=_hostport, help="listen for capture's socket://")
    p.add_argument("--rate", type=float, default=0, help="lines per second, 0 = as fast as possible")
    p.add_argument("--skip", type=int, default=0, help="never send the first N lines (e.g. a logger's header)")
    p.add_argument("--state", type=Path, help="position file: a re-run continues after the last line sent")
    p.add_argument("--recent", action="store_true",
                   help="move the records' dates by whole weeks to this week, none after now (a live-looking demo)")
    p.add_argument("--timezone", default="", help="the PBX's zone for --recent's today and now (default: local)")
    p.add_argument("fixture", type=Path)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s virtual_pbx %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # set() from another thread: the handler may run while this thread holds the event's lock
        signal.signal(sig, lambda *_: threading.Thread(target=stop.set).start())
    if args.pty:
        port: PtyPort | TcpPort = PtyPort(args.pty)
    else:
        host, tcp_port = args.tcp or args.listen
        port = TcpPort(host, tcp_port, listen=bool(args.listen))
    local = datetime.now(ZoneInfo(args.timezone)).replace(tzinfo=None) if args.timezone else datetime.now()
    try:
        replay(args.fixture, port, rate=args.rate, skip=args.skip, state=args.state, stop=stop,
               today=local.date() if args.recent else None, now=local if args.recent else None)
    finally:
        port.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
