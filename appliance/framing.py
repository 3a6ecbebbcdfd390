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
LE32_HEADER = 4


def _plausible(buf: bytes, at: int, max_frame: int) -> bool:
    n = int.from_bytes(buf[at:at + LE32_HEADER], "little")
    return 0 < n <= max_frame


def split_le32(buf: bytes, final: bool = False, max_frame: int = MAX_FRAME) -> tuple[list[tuple[bytes, bool]], bytes]:
    """Split `buf` into frames of a 4-byte little-endian payload length + payload (Mitel 5000 SMDR,
    FORMATS.md §5); return (frames, rest) in the shape of split_lines.

    A frame is (prefix + payload, True): the bytes exactly as received, prefix included. A length of 0 or
    over `max_frame` means the stream is out of sync (garbage, a lost byte, the wrong port): the bytes
    from there up to the next position whose 4 bytes read as a plausible length (1..max_frame, so its
    high byte is 0) are returned as one (noise, False) piece, at most `max_frame` long, and framing
    resumes at that position. Resync is a guess (any 4 bytes can look like a length), but every byte is
    kept, and a stream of ASCII records rarely holds a NUL outside a prefix. A plausible but wrong
    length waits for that many bytes, then the next "prefix" is garbage and resync follows. With
    `final` the incomplete tail is a (tail, False) piece and the rest is empty.
    """
    if not 0 < max_frame < 1 << 24:
        raise ValueError("max_frame must be 1 .. 2**24 - 1")
    frames: list[tuple[bytes, bool]] = []
    start, n = 0, len(buf)
    while n - start >= LE32_HEADER:
        if _plausible(buf, start, max_frame):
            end = start + LE32_HEADER + int.from_bytes(buf[start:start + LE32_HEADER], "little")
            if end > n:
                break
            frames.append((buf[start:end], True))
            start = end
            continue
        # out of sync: a plausible length has its high byte 0, so only positions 3 before a NUL qualify
        at, limit = start + 1, min(n, start + max_frame)
        while True:
            nul = buf.find(b"\x00", at + LE32_HEADER - 1)
            if nul < 0 or nul - (LE32_HEADER - 1) >= limit:
                # no sync point yet: noise up to the last 3 bytes (they may begin a prefix) or max_frame
                at = limit if limit - start == max_frame or final else max(start + 1, n - (LE32_HEADER - 1))
                break
            at = nul - (LE32_HEADER - 1)
            if _plausible(buf, at, max_frame):
                break
            at += 1
        frames.append((buf[start:at], False))
        start = at
    rest = buf[start:]
    if final and rest:
        frames.append((rest, False))
        rest = b""
    return frames, rest
