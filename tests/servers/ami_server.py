"""A loopback AMI server that speaks as Asterisk does, replaying the transcripts in tests/fixtures/ami/ (see their
PROVENANCE.md): banner, Login (and the close after a refused one), QueueAdd/QueueRemove/QueuePause with the
events app_queue raises, QueueStatus, Ping, Originate (Async) answered or failed; and test hooks to play event
sequences, drop every connection, or write raw bytes (garbage, an oversized frame).

Its parser is its own (not appliance.ami.protocol): the client is not tested against itself."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ami"
BANNER = b"Asterisk Call Manager/5.0.1\r\n"


def transcript(name: str) -> list[list[tuple[str, str]]]:
    """The messages of tests/fixtures/ami/<name>.ami as lists of (key, value)."""
    text = (FIXTURES / f"{name}.ami").read_text(encoding="utf-8")
    out = []
    for block in text.split("\n\n"):
        pairs = [tuple(line.split(": ", 1)) if ": " in line else (line.rstrip(":"), "")
                 for line in block.splitlines() if line]
        if pairs:
            out.append(pairs)
    return out


def wire(pairs, action_id: str | None = None) -> bytes:
    lines = []
    for k, v in pairs:
        if k == "ActionID":
            if action_id is None:
                continue
            v = action_id
        lines.append(f"{k}: {v}\r\n")
    return ("".join(lines) + "\r\n").encode("utf-8")


class Member:
    def __init__(self, queue, interface, name, paused=False, reason=""):
        self.queue, self.interface, self.name, self.paused, self.reason = queue, interface, name, paused, reason

    def fields(self, event: str):
        return [("Event", event), ("Privilege", "agent,all"), ("Queue", self.queue), ("MemberName", self.name),
                ("Interface", self.interface), ("StateInterface", self.interface), ("Membership", "dynamic"),
                ("Penalty", "0"), ("CallsTaken", "0"), ("LastCall", "0"),
                ("LastPause", str(int(time.time())) if self.paused else "0"), ("LoginTime", str(int(time.time()))),
                ("InCall", "0"), ("Status", "1"), ("Paused", "1" if self.paused else "0"),
                ("PausedReason", self.reason), ("Ringinuse", "0"), ("Wrapuptime", "0")]


class AmiServer:
    """Run with `with AmiServer(username=..., secret=...) as srv:`; srv.port is the loopback port."""

    def __init__(self, username="callbox", secret="s3cret", originate_outcomes=None):
        self.username, self.secret = username, secret
        # destination number -> transcript name of its OriginateResponse
        self.originate_outcomes = originate_outcomes or {}
        self.members: dict[tuple[str, str], Member] = {}
        self.actions: list[dict[str, str]] = []      # every action received, for assertions
        self.logins = 0
        self.failed_logins = 0
        self.astdb: dict[tuple[str, str], str] = {}   # DBPut/DBDel: Asterisk's database (the booth locks)
        self.channels: dict[str, list[tuple[str, str]]] = {}   # uniqueid -> Newchannel fields, for CoreShowChannels
        self.hold_actions = threading.Event()        # set: actions are read but never answered (a hung server)
        self.drop_on_action: str | None = None        # close the connection when this action arrives
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._authed: set[socket.socket] = set()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop = True
        self.sock.close()
        self.drop()

    # -- test hooks
    def add_member(self, queue, interface, name, paused=False, reason=""):
        self.members[(queue, interface)] = Member(queue, interface, name, paused, reason)

    def play(self, name: str) -> None:
        """Send the events of a transcript to every logged-in client."""
        for pairs in transcript(name):
            self.broadcast(wire(pairs))

    def channel_event(self, name: str, channel: str, uniqueid: str, exten: str = "", state: str = "4") -> None:
        """Raise a channel event (Newchannel, Newstate, Hangup) as Asterisk 13-20 writes it (booth_call.ami), and keep
        the channel for CoreShowChannels until its Hangup."""
        desc = {"0": "Down", "4": "Ring", "5": "Ringing", "6": "Up"}[state]
        ext = channel.split("/")[1].rsplit("-", 1)[0]
        pairs = [("Event", name), ("Privilege", "call,all"), ("Channel", channel), ("ChannelState", state),
                 ("ChannelStateDesc", desc), ("CallerIDNum", ext), ("CallerIDName", f"Booth {ext}"),
                 ("ConnectedLineNum", "<unknown>"), ("ConnectedLineName", "<unknown>"), ("Language", "en"),
                 ("AccountCode", ""), ("Context", "from-internal"), ("Exten", exten), ("Priority", "1"),
                 ("Uniqueid", uniqueid), ("Linkedid", uniqueid)]
        if name == "Hangup":
            pairs += [("Cause", "16"), ("Cause-txt", "Normal Clearing")]
            self.channels.pop(uniqueid, None)
        else:
            self.channels[uniqueid] = pairs
        self.broadcast(wire(pairs))

    def broadcast(self, data: bytes) -> None:
        with self._lock:
            conns = list(self._authed)
        for c in conns:
            try:
                c.sendall(data)
            except OSError:
                pass

    def drop(self) -> None:
        """Close every client connection (Asterisk restarting, a network cut)."""
        with self._lock:
            conns, self._conns, self._authed = self._conns, [], set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def wait_logins(self, n: int, timeout: float = 10.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.logins >= n:
                return True
            time.sleep(0.01)
        return False

    # -- serving
    def _accept(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.sendall(BANNER)
            buf = b""
            while True:
                data = conn.recv(4096)
                if not data:
                    return
                buf += data
                while b"\r\n\r\n" in buf:
                    block, buf = buf.split(b"\r\n\r\n", 1)
                    fields = {}
                    for line in block.decode("utf-8").split("\r\n"):
                        k, _, v = line.partition(": ")
                        fields.setdefault(k.lower(), v)
                    if not self._action(conn, fields):
                        return
        except OSError:
            return
        finally:
            with self._lock:
                self._authed.discard(conn)
            conn.close()

    def _reply(self, conn, aid, pairs):
        conn.sendall(wire([("Response", pairs[0][1]), ("ActionID", "")] + pairs[1:], aid))

    def _action(self, conn, f) -> bool:
        name, aid = f.get("action", "").lower(), f.get("actionid", "")
        self.actions.append(f)
        if self.drop_on_action and name == self.drop_on_action.lower():
            return False
        if self.hold_actions.is_set() and name != "login":
            return True
        if name == "login":
            ok = f.get("username") == self.username and f.get("secret") == self.secret
            if not ok:
                self.failed_logins += 1
                for pairs in transcript("login_failed"):
                    conn.sendall(wire(pairs, aid))
                return False          # Asterisk hangs up after a failed login
            for pairs in transcript("login_ok"):
                conn.sendall(wire(pairs, aid))
            with self._lock:
                self._authed.add(conn)
            self.logins += 1
            return True
        if conn not in self._authed:
            self._reply(conn, aid, [("Response", "Error"), ("Message", "Permission denied")])
            return True
        handler = getattr(self, "_do_" + name, None)
        if handler is None:
            self._reply(conn, aid, [("Response", "Error"), ("Message", "Invalid/unknown command")])
        else:
            handler(conn, aid, f)
        return True

    def _do_ping(self, conn, aid, f):
        self._reply(conn, aid, [("Response", "Success"), ("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}")])

    def _do_queueadd(self, conn, aid, f):
        key = (f.get("queue", ""), f.get("interface", ""))
        if key in self.members:
            self._reply(conn, aid, [("Response", "Error"), ("Message", "Unable to add interface: Already there")])
            return
        m = self.members[key] = Member(*key, f.get("membername") or key[1], f.get("paused") == "true")
        self._reply(conn, aid, [("Response", "Success"), ("Message", "Added interface to queue")])
        self.broadcast(wire(m.fields("QueueMemberAdded")))

    def _do_queueremove(self, conn, aid, f):
        m = self.members.pop((f.get("queue", ""), f.get("interface", "")), None)
        if m is None:
            self._reply(conn, aid, [("Response", "Error"), ("Message", "Unable to remove interface: Not there")])
            return
        self._reply(conn, aid, [("Response", "Success"), ("Message", "Removed interface from queue")])
        self.broadcast(wire(m.fields("QueueMemberRemoved")))

    def _do_queuepause(self, conn, aid, f):
        paused = f.get("paused", "").lower() in ("true", "1", "yes")
        found = [m for (q, i), m in self.members.items()
                 if i == f.get("interface") and (not f.get("queue") or q == f.get("queue"))]
        if not found:
            self._reply(conn, aid, [("Response", "Error"), ("Message", "Interface not found")])
            return
        for m in found:
            m.paused, m.reason = paused, f.get("reason", "") if paused else ""
        self._reply(conn, aid, [("Response", "Success"),
                                ("Message", f"Interface {'paused' if paused else 'unpaused'} successfully")])
        for m in found:
            self.broadcast(wire(m.fields("QueueMemberPause")))

    def _do_queuestatus(self, conn, aid, f):
        self._reply(conn, aid, [("Response", "Success"), ("EventList", "start"),
                                ("Message", "Queue status will follow")])
        items = 0
        for m in self.members.values():
            conn.sendall(wire(m.fields("QueueMember")[:1] + [("ActionID", "")] + m.fields("QueueMember")[2:], aid))
            items += 1
        conn.sendall(wire([("Event", "QueueStatusComplete"), ("ActionID", ""), ("EventList", "Complete"),
                           ("ListItems", str(items))], aid))

    def _do_coreshowchannels(self, conn, aid, f):
        self._reply(conn, aid, [("Response", "Success"), ("EventList", "start"),
                                ("Message", "Channels will follow")])
        for pairs in list(self.channels.values()):
            conn.sendall(wire([("Event", "CoreShowChannel"), ("ActionID", "")] + pairs[2:]
                              + [("Duration", "00:00:05"), ("BridgeId", "")], aid))
        conn.sendall(wire([("Event", "CoreShowChannelsComplete"), ("ActionID", ""), ("EventList", "Complete"),
                           ("ListItems", str(len(self.channels)))], aid))

    def _do_dbput(self, conn, aid, f):
        self.astdb[(f.get("family", ""), f.get("key", ""))] = f.get("val", "")
        self._reply(conn, aid, [("Response", "Success"), ("Message", "Updated database successfully")])

    def _do_dbdel(self, conn, aid, f):
        if self.astdb.pop((f.get("family", ""), f.get("key", "")), None) is None:
            self._reply(conn, aid, [("Response", "Error"), ("Message", "Database entry not found")])
            return
        self._reply(conn, aid, [("Response", "Success"), ("Message", "Key deleted successfully")])

    def _do_originate(self, conn, aid, f):
        # by the Exten dialled, or (the dialer: the customer first) by the number in Channel, Local/NUMBER@context
        number = f.get("channel", "").partition("/")[2].partition("@")[0]
        outcome = (self.originate_outcomes.get(f.get("exten", ""))
                   or self.originate_outcomes.get(number, "originate_failed"))
        self._reply(conn, aid, [("Response", "Success"), ("Message", "Originate successfully queued")])

        def later():
            time.sleep(0.05)
            for pairs in transcript(outcome):
                try:
                    conn.sendall(wire(pairs, aid))
                except OSError:
                    return
        threading.Thread(target=later, daemon=True).start()
