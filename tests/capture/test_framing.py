"""split_le32: the pure framing of 4-byte little-endian length-prefixed records (Mitel 5000 SMDR, FORMATS.md §5)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.capture.framing import MAX_FRAME, _split_lines, split_le32, split_lines

REPO = Path(__file__).resolve().parents[2]
# The vendor documentation's example record with its prefix 52 00 00 00 (82 bytes of payload): the
# repository's copy once the mitel_5000 fixtures are in, else the shared original.
FRAMED_SAMPLES = (REPO / "tests" / "fixtures" / "pbx" / "mitel_5000" / "smdr-logger-5000-doc-example-framed.raw",
                  Path("/work/shared/samples/mitel_5000_smdr_framed.bin"))


def real_sample() -> bytes:
    for path in FRAMED_SAMPLES:
        if path.exists():
            return path.read_bytes()
    pytest.skip("the framed Mitel 5000 sample is not here")


def framed(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, "little") + payload


def records(n: int, seed: int = 0) -> list[bytes]:
    """n frames of varied sizes, some with NULs and bytes that look like CR/LF or prefixes inside."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        noise = bytes(rnd.choice(b"\x00\r\n R\xff0123456789") for _ in range(rnd.randint(0, 90)))
        body = b"TLC %05d 94003 961-9000 %s" % (i, noise)
        out.append(framed(body + b"\r\n"))
    return out


def feed(chunks, **kw) -> list[tuple[bytes, bool]]:
    """What capture does: keep the rest, add the next chunk; at the end flush with final=True."""
    out, rest = [], b""
    for chunk in chunks:
        got, rest = split_le32(rest + chunk, **kw)
        out += got
    got, rest = split_le32(rest, final=True, **kw)
    assert rest == b""
    return out + got


def pieces(data: bytes, mode: str, seed: int = 1) -> list[bytes]:
    if mode == "whole":
        return [data]
    if mode == "halves":
        return [data[:len(data) // 2], data[len(data) // 2:]]
    if mode == "bytes":
        return [data[i:i + 1] for i in range(len(data))]
    rnd, out, i = random.Random(seed), [], 0
    while i < len(data):
        n = rnd.randint(1, 9)
        out.append(data[i:i + n])
        i += n
    return out


@pytest.mark.parametrize("mode", ["whole", "halves", "bytes", "random"])
def test_frames_whatever_the_pieces(mode):
    want = [real_sample()] + records(40) + [real_sample()]
    got = feed(pieces(b"".join(want), mode))
    assert got == [(f, True) for f in want]


def test_the_real_sample_is_one_frame_of_82_bytes_with_its_prefix():
    sample = real_sample()
    frames, rest = split_le32(sample)
    assert frames == [(sample, True)] and rest == b""
    assert sample[:4] == b"\x52\x00\x00\x00" and len(sample) == 4 + 82 and sample.endswith(b"\r\n")


def test_an_incomplete_frame_waits_then_is_partial_only_when_final():
    frame = framed(b"x" * 100)
    for cut in (1, 3, 4, 5, 103):   # inside the prefix, just after it, one byte short
        assert split_le32(frame[:cut]) == ([], frame[:cut])
        assert split_le32(frame[:cut], final=True) == ([(frame[:cut], False)], b"")
    assert split_le32(b"") == ([], b"") and split_le32(b"", final=True) == ([], b"")


def test_oversized_length_is_noise_then_framing_resyncs():
    good = records(5, seed=3)
    garbage = b"\xff\xff\xff\x7fHELLO this is not framed\r\n"   # announces 2 GiB
    got = feed([good[0] + good[1] + garbage + good[2] + good[3] + good[4]])
    assert got == [(good[0], True), (good[1], True), (garbage, False), (good[2], True), (good[3], True),
                   (good[4], True)]


def test_resync_prefers_a_prefix_that_the_next_frame_confirms():
    # "C\x07\x00\x00" reads as a plausible 1859: the real prefix one byte later is confirmed by the
    # prefix of the frame after it, so that one wins
    a, b = framed(b"hello\r\n"), framed(b"x" * 10)
    assert split_le32(b"\xff\xff\xff\xffABC" + a + b) == ([(b"\xff\xff\xff\xffABC", False), (a, True), (b, True)], b"")
    assert split_le32(b"\xff\xff\xff\xffABC" + a) == ([(b"\xff\xff\xff\xffABC", False), (a, True)], b"")


def test_garbage_is_never_waited_for_forever_and_no_byte_is_lost():
    rnd = random.Random(5)
    garbage = bytes(rnd.choice(b"\xff\xfeABC \r\n") for _ in range(200_000))   # no NUL: no prefix can fit
    frames, rest = split_le32(garbage)
    assert all(not ok and len(f) <= MAX_FRAME for f, ok in frames)
    assert len(rest) == 3 and b"".join(f for f, _ in frames) + rest == garbage
    good = records(3, seed=9)
    got = feed(pieces(garbage + b"".join(good), "random"))
    assert b"".join(f for f, _ in got) == garbage + b"".join(good)
    assert [f for f, ok in got if ok] == good


def test_zero_length_is_out_of_sync_too():
    good = framed(b"ok\r\n")
    assert feed([b"\x00\x00\x00\x00" + good]) == [(b"\x00\x00\x00\x00", False), (good, True)]


def test_a_plausible_but_wrong_length_costs_at_most_that_many_bytes():
    good = records(30, seed=4)
    wrong = b"\x10\x01\x00\x00"   # 272 bytes that are not a record
    got = feed(pieces(wrong + b"".join(good), "random"))
    assert b"".join(f for f, _ in got) == wrong + b"".join(good)
    recovered = [f for f, ok in got if ok and f in good]
    assert len(recovered) >= len(good) - 5 and recovered == good[-len(recovered):]


def test_max_frame_bound():
    big = framed(b"y" * 300)
    assert split_le32(big, max_frame=300) == ([(big, True)], b"")
    frames, rest = split_le32(big, max_frame=299, final=True)
    assert not any(ok for _, ok in frames) and b"".join(f for f, _ in frames) == big
    with pytest.raises(ValueError):
        split_le32(big, max_frame=1 << 24)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=12), st.lists(st.integers(1, 30), min_size=1, max_size=40))
def test_valid_frames_in_any_pieces(payloads, cuts):
    want = [framed(p) for p in payloads if p]
    data, chunks, i, k = b"".join(want), [], 0, 0
    while i < len(data):
        chunks.append(data[i:i + cuts[k % len(cuts)]])
        i += cuts[k % len(cuts)]
        k += 1
    assert feed(chunks) == [(f, True) for f in want]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.integers(1, 50), st.integers(8, 300))
def test_any_bytes_in_any_pieces_lose_nothing(data, step, max_frame):
    got = feed([data[i:i + step] for i in range(0, len(data), step)], max_frame=max_frame)
    assert b"".join(f for f, _ in got) == data
    assert all(f for f, _ in got)
    assert all(int.from_bytes(f[:4], "little") == len(f) - 4 for f, ok in got if ok)


def test_split_lines_is_unchanged():
    assert split_lines(b"a\r\nb\rc\nd") == ([(b"a\r\n", True), (b"b\r", True), (b"c\n", True)], b"d")
    assert split_lines(b"x\r", final=True) == ([(b"x\r", True)], b"")


LINE_PIECES = [b"a", b"b", b"\r", b"\n", b"\r\n", b"\x0b", b"\x0c", b"\x1c", b"\x85", b"\xe2\x80\xa8"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=40), st.booleans(), st.integers(1, 12))
def test_split_lines_fast_path_cuts_as_the_byte_loop(pieces, final, max_line):
    """split_lines' bytes.splitlines path (the common case, every line short) cuts exactly where the byte loop does:
    LF, CR LF and a lone CR only, a CR at the end waiting unless final, long lines cut at max_line."""
    data = b"".join(pieces)
    assert split_lines(data, final, max_line) == _split_lines(data, final, max_line)
