"""Driver test helpers: find fixture pairs, frame bytes into lines, parse, snapshot as JSON.

Run as a script to (re)write expected files; then read the diff, do not trust it blindly:
    python tests/helpers/drivers_helpers.py tests/fixtures/pbx/panasonic_kx/x.raw --options '{"model": "kx-tea"}'
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:   # when run as a script
    sys.path.insert(0, str(ROOT))

from appliance.capture.framing import split_lines, strip_terminator  # noqa: E402
from appliance.records import CallRecord, NotACallRecord, QueueEvent  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "pbx"
CORE = ("start", "direction", "extension", "party", "trunk", "ring_s", "talk_s", "answered",
        "transferred", "account_code", "call_key")
QUEUE_CORE = ("time", "call_key", "queue", "agent", "event", "params")   # a QueueEvent (asterisk_queue_log)


def driver_names() -> list[str]:
    return sorted(p.stem for p in (ROOT / "drivers").glob("*.py") if not p.stem.startswith("_"))


def load_driver(name: str) -> ModuleType:
    return importlib.import_module(f"drivers.{name}")


def fixture_pairs() -> list[tuple[str, Path]]:
    """(driver, .raw path) for every .raw that has an .expected.json beside it."""
    return [(raw.parent.name, raw) for raw in sorted(FIXTURES.glob("*/*.raw"))
            if expected_path(raw).exists()]


def expected_path(raw: Path) -> Path:
    return raw.with_suffix(".expected.json")


def frame(data: bytes, mode: str = "whole") -> list[bytes]:
    """Lines (terminators included) as capture would cut them, feeding `data` whole, in two halves,
    or one byte at a time."""
    if mode == "whole":
        chunks = [data]
    elif mode == "halves":
        chunks = [data[:len(data) // 2], data[len(data) // 2:]]
    elif mode == "bytes":
        chunks = [data[i:i + 1] for i in range(len(data))]
    else:
        raise ValueError(mode)
    out: list[bytes] = []
    rest = b""
    for chunk in chunks:
        lines, rest = split_lines(rest + chunk)
        out.extend(line for line, _ in lines)
    lines, _ = split_lines(rest, final=True)
    out.extend(line for line, _ in lines)
    return out


def decode(line: bytes, encoding: str) -> str:
    return strip_terminator(line).decode(encoding, errors="replace")


def record_json(rec: CallRecord | QueueEvent) -> dict:
    if isinstance(rec, QueueEvent):
        out = {key: getattr(rec, key) for key in QUEUE_CORE}
        out["time"] = rec.time.isoformat()
        out["params"] = list(rec.params)   # JSON has no tuples
        return out
    out = {key: getattr(rec, key) for key in CORE}
    out["start"] = rec.start.isoformat()
    return out


def snapshot(driver: ModuleType, lines: list[bytes], options: dict | None = None) -> dict:
    """Parse every line; return the expected-file structure (1-based line numbers)."""
    parser = driver.make_parser(**(options or {}))
    records, quarantined, nones = [], [], 0
    for number, raw in enumerate(lines, 1):
        try:
            rec = parser.parse(decode(raw, driver.ENCODING))
        except NotACallRecord as exc:
            quarantined.append({"line": number, "reason": str(exc)})
            continue
        if rec is None:
            nones += 1
        else:
            records.append({"line": number, **record_json(rec)})
    return {"options": options or {}, "records": records, "none_lines": nones, "quarantined": quarantined}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("raw", nargs="+", type=Path)
    ap.add_argument("--options", default=None, help="JSON driver options (default: keep the existing ones)")
    args = ap.parse_args()
    for raw in args.raw:
        raw = raw.resolve()
        exp = expected_path(raw)
        if args.options is not None:
            options = json.loads(args.options)
        else:
            options = json.loads(exp.read_text())["options"] if exp.exists() else {}
        snap = snapshot(load_driver(raw.parent.name), frame(raw.read_bytes()), options)
        exp.write_text(json.dumps(snap, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{exp.relative_to(ROOT)}: {len(snap['records'])} records, {snap['none_lines']} none, "
              f"{len(snap['quarantined'])} quarantined")


if __name__ == "__main__":
    main()
