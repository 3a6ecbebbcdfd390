"""Bytes to lines: a pure function over a buffer, as the PBX's bytes arrive in pieces.

A line ends at LF, CR LF, or a lone CR (Panasonic can be set to CR-only, and exported files mix all
three). A CR at the very end of the buffer may be the first half of CR LF, so it waits for the next
byte unless the caller says the stream is idle or closed.
"""
from __future__ import annotations

MAX_LINE = 64 * 1024   # longer "lines" are noise (wrong baud, binary); they are cut, never dropped


def split_lines(buf: bytes, final: bool = False, max_line: int = MAX_LINE) -> tuple[list[tuple[bytes, bool]], bytes]:
    """Split `buf` into complete lines, terminators included; return (lines, rest).

    Each line is (bytes, complete): complete is False for a piece cut at `max_line` or, when `final`,
    for the unterminated tail. With `final` the rest is always empty.
    """
    # The common case in C: bytes.splitlines ends lines at exactly LF, CR LF and a lone CR (no other byte)
    parts = buf.splitlines(keepends=True)
    if parts and max(map(len, parts)) <= max_line:
        tail = parts[-1]
        if final:
            lines = [(line, True) for line in parts]
            if tail[-1] not in (0x0A, 0x0D):   # the unterminated tail
                lines[-1] = (tail, False)
            return lines, b""
        if tail[-1] == 0x0A:
            return [(line, True) for line in parts], b""
        parts.pop()   # unterminated, or a lone CR that may be the first half of CR LF: wait for more
        return [(line, True) for line in parts], tail
    return _split_lines(buf, final, max_line)


def _split_lines(buf: bytes, final: bool, max_line: int) -> tuple[list[tuple[bytes, bool]], bytes]:
    """split_lines() byte by byte: lines longer than `max_line` are cut."""
    lines: list[tuple[bytes, bool]] = []
    start = 0
    n = len(buf)
    while start < n:
        window = min(n, start + max_line + 1)   # bound the search: CR-only input must not go quadratic
        lf = buf.find(b"\n", start, window)
        cr = buf.find(b"\r", start, lf if lf >= 0 else window)
        if cr >= 0:
            if cr + 1 < n:
                end = cr + 2 if buf[cr + 1] == 0x0A else cr + 1
            elif final:
                end = n
            else:
                break   # lone CR at the end: wait for the next byte
        elif lf >= 0:
            end = lf + 1
        elif window - start > max_line:
            lines.append((buf[start:start + max_line], False))
            start += max_line
            continue
        else:
            break
        if end - start > max_line:   # CR LF straddling the limit
            lines.append((buf[start:start + max_line], False))
            start += max_line
            continue
        lines.append((buf[start:end], True))
        start = end
    rest = buf[start:]
    if final and rest:
        lines.append((rest, False))
        rest = b""
    return lines, rest


def strip_terminator(line: bytes) -> bytes:
    """The line without its CR / LF terminator."""
    return line.rstrip(b"\r\n")


MAX_FRAME = 64 * 1024   # le32: a longer announced payload means the stream is out of sync
HEADER = 4              # le32: bytes of the length prefix


def _length(buf: bytes, at: int, max_frame: int) -> int:
    """The payload length announced at `at`, or 0 if it is not plausible (0 or over max_frame)."""
    n = int.from_bytes(buf[at:at + HEADER], "little")
    return n if n <= max_frame else 0


def _resync(buf: bytes, start: int, final: bool, max_frame: int) -> int:
    """Where framing resumes after the implausible prefix at `start`; -1 to wait for more bytes.

    Candidates are the positions after `start` whose 4 bytes read as a plausible length (its high byte
    is 0, so only the positions 3 before a NUL are tried). The first one whose frame ends exactly at the
    end of `buf` or just before another plausible prefix wins. If some candidate cannot be judged yet
    (its frame, or the prefix after it, is not all here), wait, up to 2 * max_frame + 8 bytes of them.
    Without any candidate, up to max_frame bytes are noise (keeping the last 3, a prefix may begin there)."""
    n = len(buf)
    window = min(n - HEADER + 1, start + max_frame)   # candidate positions with 4 bytes in buf
    pending = -1
    q = start + 1
    while q < window:
        nul = buf.find(b"\x00", q + HEADER - 1, window + HEADER - 1)
        if nul < 0:
            break
        q = nul - (HEADER - 1)
        size = _length(buf, q, max_frame)
        if size:
            end = q + HEADER + size
            if end == n or (end + HEADER <= n and _length(buf, end, max_frame)):
                return q
            if end + HEADER > n and pending < 0:
                pending = q
        q += 1
    if pending >= 0:
        return -1 if not final and n - start < 2 * max_frame + 2 * HEADER else pending
    if final or window >= start + max_frame:
        return min(n, start + max_frame)
    return max(start + 1, n - HEADER + 1)


def split_le32(buf: bytes, final: bool = False, max_frame: int = MAX_FRAME) -> tuple[list[tuple[bytes, bool]], bytes]:
    """Split `buf` into frames of a 4-byte little-endian payload length + payload (Mitel 5000 SMDR,
    FORMATS.md §5); return (frames, rest) in the shape of split_lines.

    A frame is (prefix + payload, True): the bytes exactly as received. A length of 0 or over
    `max_frame` means the stream is out of sync (garbage, a lost byte, the wrong port): the bytes up to
    the next credible prefix (see _resync) are one (noise, False) piece, at most max_frame long, and
    framing resumes there. Resync is a guess, as any 4 bytes can look like a length, but no byte is ever
    dropped. A plausible but wrong length waits for that many bytes; the next "prefix" is then garbage
    and resync follows. With `final` the incomplete tail is a (tail, False) piece and the rest is empty.
    """
    if not 0 < max_frame < 1 << 24:
        raise ValueError("max_frame must be 1 .. 2**24 - 1")
    frames: list[tuple[bytes, bool]] = []
    start, n = 0, len(buf)
    while n - start >= HEADER:
        size = _length(buf, start, max_frame)
        if size:
            if start + HEADER + size > n:
                break
            frames.append((buf[start:start + HEADER + size], True))
            start += HEADER + size
            continue
        at = _resync(buf, start, final, max_frame)
        if at < 0:
            break
        frames.append((buf[start:at], False))
        start = at
    rest = buf[start:]
    if final and rest:
        frames.append((rest, False))
        rest = b""
    return frames, rest
