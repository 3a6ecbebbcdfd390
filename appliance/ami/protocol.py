"""AMI framing: bytes -> messages (`Key: Value` lines ending in a blank line) and actions -> bytes; pure functions
over a buffer (STYLE.md §2.2), so split reads, garbage and oversized frames are tested without a socket."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

BANNER = re.compile(rb"^Asterisk Call Manager/(\d+(?:\.\d+)*)\r?$")
ENCODING = "utf-8"    # Asterisk writes caller names as the channel driver got them: UTF-8 on SIP; latin-1 fallback


class FrameError(ValueError):
    """A frame the client cannot use (too long, no `Key: Value` line at all); the connection is dropped."""


@dataclass
class Message:
    """One AMI message: its fields in order (a key may repeat, e.g. `Output:` or `Variable:`)."""

    fields: list[tuple[str, str]] = field(default_factory=list)

    def get(self, key: str, default: str = "") -> str:
        low = key.lower()
        return next((v for k, v in self.fields if k.lower() == low), default)

    def __getitem__(self, key: str) -> str:
        return self.get(key)

    def all(self, key: str) -> list[str]:
        low = key.lower()
        return [v for k, v in self.fields if k.lower() == low]

    @property
    def event(self) -> str:
        return self.get("Event")

    @property
    def response(self) -> str:
        return self.get("Response")

    @property
    def action_id(self) -> str:
        return self.get("ActionID")

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.fields}


def _decode(raw: bytes) -> str:
    try:
        return raw.decode(ENCODING)
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class Framer:
    """Feed bytes, get whole messages. The first line of a connection is the banner; every message after it ends
    in an empty line. A frame longer than `max_bytes` raises FrameError (a broken or hostile peer must not grow
    our memory); lines without a colon are skipped and counted (`garbage`), not fatal."""

    def __init__(self, max_bytes: int = 65536):
        self.max_bytes = max_bytes
        self.buffer = b""
        self.banner: str | None = None
        self.garbage = 0

    def feed(self, data: bytes) -> list[Message]:
        self.buffer += data
        out: list[Message] = []
        if self.banner is None:
            line, sep, rest = self.buffer.partition(b"\n")
            if not sep:
                self._check_size()
                return out
            m = BANNER.match(line)
            if not m:
                raise FrameError(f"not an AMI server: first line {line[:60]!r}")
            self.banner, self.buffer = m.group(1).decode(), rest
        while True:
            end = self._frame_end()
            if end is None:
                self._check_size()
                return out
            raw, self.buffer = self.buffer[:end[0]], self.buffer[end[1]:]
            msg = self._parse(raw)
            if msg is not None:
                out.append(msg)

    def _frame_end(self) -> tuple[int, int] | None:
        for sep in (b"\r\n\r\n", b"\n\n"):
            i = self.buffer.find(sep)
            if i >= 0:
                return i, i + len(sep)
        return None

    def _check_size(self) -> None:
        if len(self.buffer) > self.max_bytes:
            size = len(self.buffer)
            self.buffer = b""
            raise FrameError(f"frame over {self.max_bytes} bytes without an end ({size} bytes buffered)")

    def _parse(self, raw: bytes) -> Message | None:
        if len(raw) > self.max_bytes:
            raise FrameError(f"frame of {len(raw)} bytes is over the limit of {self.max_bytes}")
        fields = []
        for line in raw.split(b"\n"):
            line = line.rstrip(b"\r")
            key, sep, value = line.partition(b":")
            if not sep or not key.strip() or b" " in key.strip():
                if line.strip():
                    self.garbage += 1
                continue
            fields.append((_decode(key.strip()), _decode(value[1:] if value.startswith(b" ") else value)))
        if not fields:
            return None
        return Message(fields)


def encode_action(action: str, action_id: str, fields: dict[str, str] | list[tuple[str, str]]) -> bytes:
    """The bytes of one action. CR and LF are refused in names and values: they would end the action early and let
    a caller-controlled value (a pause reason typed by an agent) inject a second action."""
    pairs = [("Action", action), ("ActionID", action_id)]
    pairs += list(fields.items()) if isinstance(fields, dict) else list(fields)
    out = []
    for k, v in pairs:
        v = str(v)
        if any(c in k + v for c in "\r\n") or ":" in k:
            raise ValueError(f"AMI field {k!r}: line breaks are not allowed")
        out.append(f"{k}: {v}\r\n")
    return ("".join(out) + "\r\n").encode(ENCODING)
