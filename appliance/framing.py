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
