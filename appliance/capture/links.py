"""Capture: PBX link (transports.open_link) -> bytes -> entries -> journal, before anything else touches them.

Runs as its own process and depends on nothing but the journal: no DB, no web, no huey. Link up/down
events are journal entries too (flags=EVENT, JSON data), so the journal alone tells what happened when.

What differs between PBX families comes in as data, never as vendor code: `framing` ("lines" or "le32")
and `handshake`, the steps a socket:// link runs on every (re)connect before data flows, both declared
by the driver (FRAMING, handshake(options)) and passed in by procs.capture_main.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from appliance.capture import transports
from appliance.capture.gate import GATE_TEXTS, Gate, GatedLink, parse_allow
from appliance.capture.sink import FRAMINGS, Framer, Journal, Sink, Status, resume_position
from appliance.capture.transports import TRANSPORT_TEXTS, Link, LinkDown
from appliance.records import EVENT

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 0.1     # how often a link loop looks at `stop`
STATUS_EVERY_S = 1.0
HANDSHAKE_KEEP = 4096    # bytes of handshake input kept while looking for a marker
STEPS = ("send", "expect")
# the words of the link events' details capture makes itself, by key (journaled with the English text; the web's
# catalogue says them in each language, webui/status.py): an OS's or a PBX's own words stay as they are
TEXTS = {"handshake_steps": "{steps} steps in {ms} ms",
         "silent_after_login": "{why}; nothing received since the handshake (login settings?)",
         "handshake_step": "step {step} of {steps}: {why}; last bytes received {seen}",
         "handshake_timeout": "no {marker} within {seconds} s", "handshake_waiting": "{why} while waiting for {marker}",
         **GATE_TEXTS, **TRANSPORT_TEXTS}
_STATE = {"link_up": "up", "link_down": "down", "handshake_failed": "down"}   # what the status shows


def _say(key: str, fields: dict) -> str:
    """TEXTS[key] in English with `fields` (a field {"key", "fields"} is a text of its own)."""
    return TEXTS[key].format(**{k: _say(v["key"], v["fields"]) if isinstance(v, dict) else v
                                for k, v in fields.items()})


def _field(e: LinkDown) -> dict | str:
    """A LinkDown as a field of another text: its key and fields when it has them, else its words."""
    return {"key": e.text[0], "fields": e.text[1]} if e.text else str(e)


def _stopped() -> LinkDown:
    return LinkDown("capture stopped")      # a term the web translates (webui.i18n.TERMS)


@dataclass
class _Ctx:
    """What every link loop needs: where entries go, the status, the stop flag, timings and the PBX
    family's framing and handshake."""

    sink: Sink
    status: Status
    stop: threading.Event
    min_s: float
    max_s: float
    idle_s: float
    framing: str = "lines"
    handshake: tuple[tuple[str, bytes], ...] = ()
    handshake_s: float = 10.0
    gate: Gate | None = None   # tcp-listen: who may connect

    def event(self, source: str, kind: str, detail: str, text: tuple[str, dict] | None = None) -> None:
        """Journal a link event (flags=EVENT, JSON data) and show it in the status: link_up, link_down,
        handshake_ok, handshake_failed; connection_refused (tcp-listen, at most one a minute per address).
        `text`: the English `detail`'s key and fields (TEXTS), which the web says in the reader's language."""
        ns = time.time_ns()
        doc = {"event": kind, "source": source, "detail": detail,
               **({"key": text[0], "fields": text[1]} if text else {})}
        data = json.dumps(doc, ensure_ascii=False).encode()
        self.sink.put(source, [(data, EVENT)], ns, event=True)
        if kind in _STATE:
            self.status.set_link(source, _STATE[kind], detail, ns, text)
        (log.info if kind in ("link_up", "handshake_ok") else log.warning)("%s %s: %s", source,
                                                                           kind.replace("_", " "), detail)


class _Backoff:
    """Exponential delay between reconnect attempts, from min_s up to max_s."""

    def __init__(self, ctx: _Ctx):
        self.ctx, self.delay = ctx, ctx.min_s

    def wait(self) -> bool:
        """Sleep the current delay and double it; True if capture is stopping."""
        stopped, self.delay = self.ctx.stop.wait(self.delay), min(self.delay * 2, self.ctx.max_s)
        return stopped


def _handshake(link, ctx: _Ctx) -> tuple[int, int]:
    """Run ctx.handshake on a link just opened; return (steps, milliseconds taken), or raise LinkDown saying which step
    failed and why. Every byte received before the last step is done is handshake, never call data:
    it is dropped, including what followed the last marker in the same read (the space after
    "Password:"). Sent bytes (passwords) never appear in the reason, not even echoed back."""
    steps, got, t0 = ctx.handshake, b"", time.monotonic()
    secrets = [d.strip() for kind, d in steps if kind == "send" and d.strip()]

    def failed(i: int, why: dict | str) -> LinkDown:
        seen = got[-60:]
        for s in secrets:
            seen = seen.replace(s, b"***")
        fields = {"step": i, "steps": len(steps), "why": why, "seen": repr(seen)}
        return LinkDown(_say("handshake_step", fields), ("handshake_step", fields))

    for i, (kind, data) in enumerate(steps, 1):
        if kind == "send":
            try:
                link.write(data, ctx.handshake_s)
            except LinkDown as e:
                raise failed(i, _field(e)) from None
            continue
        deadline = time.monotonic() + ctx.handshake_s
        while (at := got.find(data)) < 0:
            left = deadline - time.monotonic()
            if ctx.stop.is_set() or left <= 0:
                raise failed(i, "capture stopped" if ctx.stop.is_set() else
                             {"key": "handshake_timeout", "fields": {"marker": repr(data),
                                                                     "seconds": f"{ctx.handshake_s:g}"}})
            try:
                got = (got + link.read(min(READ_TIMEOUT_S, left)))[-HANDSHAKE_KEEP:]
            except LinkDown as e:
                raise failed(i, {"key": "handshake_waiting", "fields": {"why": _field(e), "marker": repr(data)}}) \
                    from None
        got = got[at + len(data):]
    return len(steps), round((time.monotonic() - t0) * 1000)


def _login(link: Link, ctx: _Ctx, last_failure: list[str]) -> bool:
    """Run the handshake on `link`: handshake_ok, or handshake_failed (closing the link). A failure
    repeated with the same reason in one outage is journaled once; `last_failure` remembers it."""
    try:
        summary = _handshake(link, ctx)
    except LinkDown as e:
        link.close()
        if ctx.stop.is_set():   # stopping in the middle of a login is no failure of it
            return False
        if last_failure != [str(e)]:
            last_failure[:] = [str(e)]
            ctx.event(link.source, "handshake_failed", str(e), e.text)
        else:
            log.debug("%s: handshake failed again: %s", link.source, e)
        return False
    last_failure.clear()
    ctx.event(link.source, "handshake_ok", TEXTS["handshake_steps"].format(steps=summary[0], ms=summary[1]),
              ("handshake_steps", {"steps": summary[0], "ms": summary[1]}))
    return True


def _pump(link: Link, framer: Framer, stop: threading.Event, idle_s: float) -> LinkDown:
    """Journal what `link` sends until it drops or `stop` is set; return why it ended."""
    last = time.monotonic()
    try:
        while not stop.is_set():
            chunk = link.read(READ_TIMEOUT_S)
            ns = time.time_ns()
            framer.feed(chunk, link.at, ns)
            now = time.monotonic()
            if chunk:
                last = now
            elif now - last >= idle_s:
                framer.flush(ns, idle=True)
        return _stopped()
    except LinkDown as e:
        return e
    finally:
        framer.flush(time.time_ns())
        link.close()


def _run_link(link: Link, ctx: _Ctx, logged_in: bool = False) -> tuple[int, int] | None:
    """link_up, journal until the link ends, link_down; return the file position reached (or None)."""
    ctx.event(link.source, "link_up", "connected")
    framer = Framer(link, ctx.sink, ctx.framing)
    why = _pump(link, framer, ctx.stop, ctx.idle_s)
    if logged_in and not framer.received and not ctx.stop.is_set():   # a login the PBX did not like?
        ctx.event(link.source, "link_down", TEXTS["silent_after_login"].format(why=why),
                  ("silent_after_login", {"why": _field(why)}))
    else:
        ctx.event(link.source, "link_down", str(why), why.text)
    return framer.at


def _open(opener, source: str, told: bool, backoff: _Backoff, ctx: _Ctx):
    """Call `opener` until it succeeds (the link) or capture stops (None), waiting `backoff` between
    attempts. One link_down event per outage (unless `told` already), not one per attempt."""
    while not ctx.stop.is_set():
        try:
            return opener()
        except LinkDown as e:
            if not told:
                ctx.event(source, "link_down", str(e), e.text)
                told = True
            log.debug("%s: %s; next attempt in %.2f s", source, e, backoff.delay)
        if backoff.wait():
            return None
    return None


def _follow(url: str, source: str, resume, ctx: _Ctx) -> None:
    """One link (serial, socket, file): open, log in (socket only), journal, and reopen with backoff
    whenever it is lost."""
    backoff, told = _Backoff(ctx), False
    last_failure: list[str] = []
    login = bool(ctx.handshake) and transports.parse_url(url).kind == "socket"
    while (link := _open(lambda: transports.open_link(url, resume), source, told, backoff, ctx)) is not None:
        told = True
        if login and not _login(link, ctx, last_failure):   # a failed handshake is a link down
            if backoff.wait():
                return
            continue
        up_at = time.monotonic()
        resume = _run_link(link, ctx, login) or resume
        if time.monotonic() - up_at >= ctx.max_s:   # it was stable: reconnect quickly
            backoff.delay = ctx.min_s
        if backoff.wait():
            return


def _serve(url: str, source: str, ctx: _Ctx) -> None:
    """tcp-listen: accept PBX connections, one thread each; reopen the listener with backoff if it fails."""
    backoff, told = _Backoff(ctx), False
    threads: list[threading.Thread] = []
    try:
        while (listener := _open(lambda: transports.open_link(url), source, told, backoff, ctx)) is not None:
            backoff.delay, told = ctx.min_s, True
            ctx.event(source, "link_up", "listening")
            why = _accept(listener, threads, ctx)
            ctx.event(source, "link_down", str(why), why.text)
            if backoff.wait():
                return
    finally:
        for t in threads:
            t.join(timeout=2)


def _accept(listener, threads: list, ctx: _Ctx) -> LinkDown:
    """Accept until stopped. This loop only decides (ctx.gate: in memory, no I/O but the socket's) and
    hands each admitted connection to a thread of its own: no connection, busy, slow or silent, and no
    journal write (refusals are reported by the status thread) can hold up the next accept."""
    gate = ctx.gate or Gate()
    try:
        while not ctx.stop.is_set():
            conn = listener.accept(READ_TIMEOUT_S)
            if conn is None:
                continue
            admitted = gate.admit(conn.peer, conn.source, conn.shutdown)
            if admitted is None:
                conn.refuse()
                continue
            threads[:] = [t for t in threads if t.is_alive()]
            t = threading.Thread(target=_connection, args=(GatedLink(conn, admitted), gate, ctx),
                                 name=f"capture {conn.source}", daemon=True)
            t.start()
            threads.append(t)
        return _stopped()
    except LinkDown as e:
        return e
    finally:
        listener.close()


def _connection(link: GatedLink, gate: Gate, ctx: _Ctx) -> None:
    try:
        _run_link(link, ctx)
    finally:
        gate.release(link.conn)


def _keep(sink: Sink, status: Status, done: threading.Event, ctx: _Ctx) -> None:
    while not done.wait(STATUS_EVERY_S):
        sink.retry()
        _report(ctx)
        status.write()


def _report(ctx: _Ctx, final: bool = False) -> None:
    """tcp-listen: journal and log the refusals the gate counted (rate-limited there; all that are left
    when `final`), and show the listener's counts in the status file."""
    gate = ctx.gate
    if gate is not None:
        gate.report(lambda source, detail, text: ctx.event(source, "connection_refused", detail, text), final)
        ctx.status.extra = {"connections": gate.connections, "refused": gate.refused, "dropped": gate.dropped}


def check_family(framing: str, handshake: Sequence[tuple[str, bytes]]) -> tuple[tuple[str, bytes], ...]:
    """The handshake steps as a tuple; ValueError naming a framing or a step capture cannot run."""
    if framing not in FRAMINGS:
        raise ValueError(f"framing {framing!r}: expected one of {', '.join(FRAMINGS)}")
    steps: list[tuple[str, bytes]] = []
    for step in handshake:
        if len(step) != 2 or step[0] not in STEPS or not isinstance(step[1], bytes) or not step[1]:
            raise ValueError(f"handshake step {step!r:.80}: expected (\"send\" or \"expect\", non-empty bytes)")
        steps.append((step[0], step[1]))
    return tuple(steps)


def run(url: str, journal: Journal, stop: threading.Event, *, reconnect_min_s: float = 1.0,
        reconnect_max_s: float = 30.0, idle_flush_s: float = 0.5, status_path: Path | None = None,
        framing: str = "lines", handshake: Sequence[tuple[str, bytes]] = (),
        handshake_timeout_s: float = 10.0, allow: str = "", max_connections: int = 32, max_per_source: int = 4,
        idle_drop_s: float = 60.0) -> None:
    """Capture `url` into `journal` (a JournalWriter) until `stop` is set; ValueError for a bad URL,
    framing or handshake.

    `framing`: "lines" (CR / LF) or "le32" (4-byte little-endian length prefix; one entry per frame,
    prefix included). `handshake`: ("send", bytes) / ("expect", bytes) steps run on every (re)connect
    of a socket:// link before data flows, each expect waiting at most `handshake_timeout_s`; a failed
    handshake is a link down, retried with backoff. Other link kinds ignore it.

    tcp-listen only (see capture.gate): `allow` the addresses and networks that may connect (empty: any),
    at most `max_per_source` connections per address and `max_connections` in all; a connection silent
    for `idle_drop_s` gives its place to a newcomer when there is no other."""
    target = transports.parse_url(url)
    steps = check_family(framing, handshake)
    gate = Gate(parse_allow(allow), max_connections, max_per_source, idle_drop_s)
    if steps and target.kind != "socket":
        log.warning("%s: the driver's handshake is ignored: only socket:// links log in", target.source)
    sink = Sink(journal)
    status = Status(url, Path(status_path) if status_path else None, sink)
    ctx = _Ctx(sink, status, stop, reconnect_min_s, max(reconnect_min_s, reconnect_max_s), idle_flush_s,
               framing, steps, handshake_timeout_s, gate if target.kind == "tcp-listen" else None)
    resume = None
    if target.kind == "file" and getattr(journal, "directory", None) is not None:
        resume = resume_position(journal.directory, target.source)
    log.info("capture %s starting%s", target.source, f", resuming at {resume}" if resume else "")
    done = threading.Event()
    keeper = threading.Thread(target=_keep, args=(sink, status, done, ctx), name="capture-status", daemon=True)
    keeper.start()
    try:
        if target.kind == "tcp-listen":
            _serve(url, target.source, ctx)
        else:
            _follow(url, target.source, resume, ctx)
    finally:
        done.set()
        keeper.join()
        _report(ctx, final=True)
        sink.retry(force=True)
        if sink.waiting:
            log.error("capture stopping with the journal still refusing writes: %d lines not saved", sink.waiting)
        status.write()
        log.info("capture %s stopped: %d lines, %d bytes journaled", target.source, sink.lines, sink.bytes)
