"""Generate a reproducible call database for report benchmarks: N calls over 5 years, 1,000 extensions, 10 branches.

    python -m appliance.tools.gen_calls --calls 10000000 --out /tmp/bench/callbox.db [--seed 1]

The same seed and sizes give the same database, byte for byte in content: the directory (tenant "default",
10 branches, 20 departments, one person per extension, 5 % of them moving department and branch once, 2 %
of the extensions changing hands once), and calls spread over 5 years (more on weekdays and in business
hours), one third incoming, half outgoing (priced in TRY, classes local / long_distance / mobile /
international), the rest internal, on 12 trunks of 3 providers. Rows are written with raw executemany
(STACK.md §5); the roll-ups are built at the end unless --no-rollup.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance import store
from appliance.reports import rollup

START = int(datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp())
YEARS = 5
FIRST_NAMES = ("Ayşe", "Mehmet", "Zofia", "Piotr", "Ольга", "Иван", "Kemal", "Łucja", "Anna", "Jan")
LAST_NAMES = ("Demir", "Öztürk", "Wąsowski", "Żak", "Петрова", "Смирнов", "Kaya", "Nowak", "Şahin", "Kowalski")
KINDS = (("local", "+90232", 7, 20), ("long_distance", "+90312", 7, 45), ("mobile", "+90532", 7, 90),
         ("mobile", "+90542", 7, 90), ("international_fixed", "+4930", 8, 300),
         ("international_mobile", "+48601", 6, 400))
HOURS = [1, 1, 1, 1, 1, 2, 4, 10, 40, 60, 70, 65, 45, 60, 65, 60, 45, 20, 8, 4, 3, 2, 1, 1]


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    store.db.connection().executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)


def make_directory(rnd: random.Random, extensions: int, branches: int, departments: int) -> None:
    """The tenant, its units, one person per extension, some moves and hand-overs (raw inserts)."""
    end = START + YEARS * 365 * 86400
    _insert("tenant", ("id", "code", "name"), [(1, "default", "Default")])
    _insert("branch", ("id", "tenant_id", "name"), [(b + 1, 1, f"Branch {b + 1:02d}") for b in range(branches)])
    _insert("department", ("id", "tenant_id", "name"), [(d + 1, 1, f"Dept {d + 1:02d}") for d in range(departments)])
    people, placements, assignments = [], [], []
    for i in range(extensions):
        pid = i + 1
        people.append((pid, 1, f"p{pid:05d}", rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES), "", "import"))
        branch, dept = i * branches // extensions + 1, rnd.randrange(departments) + 1
        if rnd.random() < 0.05:   # moves once, at a random moment
            at = rnd.randrange(START, end)
            placements += [(1, pid, branch, dept, None, at), (1, pid, rnd.randrange(branches) + 1,
                                                              rnd.randrange(departments) + 1, at, None)]
        else:
            placements.append((1, pid, branch, dept, None, None))
        assignments.append([1, str(2000 + i), pid, None, None])
    for _ in range(extensions // 50):   # hand-overs: the extension goes to a new person at a random moment
        a = assignments[rnd.randrange(extensions)]
        if a[4] is not None:
            continue
        at = rnd.randrange(START, end)
        pid = len(people) + 1
        people.append((pid, 1, f"p{pid:05d}", rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES), "", "import"))
        placements.append((1, pid, rnd.randrange(branches) + 1, rnd.randrange(departments) + 1, at, None))
        a[4] = at
        assignments.append([1, a[1], pid, at, None])
    _insert("person", ("id", "tenant_id", "external_id", "first_name", "last_name", "email", "origin"), people)
    _insert("placement", ("tenant_id", "person_id", "branch_id", "department_id", "valid_from", "valid_to"),
            placements)
    _insert("extension_assignment", ("tenant_id", "extension", "person_id", "valid_from", "valid_to"),
            [tuple(a) for a in assignments])
    _insert("trunk", ("tenant_id", "trunk", "provider", "description", "valid_from", "valid_to"),
            [(1, f"T{t + 1:02d}", ("Türk Telekom", "Vodafone", "Superonline")[t % 3], "", None, None)
             for t in range(12)])


class _Offsets:
    """UTC offset of a zone per UTC hour (cached: millions of calls share few hours' worth of rules)."""

    def __init__(self, tz):
        self.tz, self.cache = tz, {}

    def __call__(self, at: int) -> int:
        h = at // 3600
        off = self.cache.get(h)
        if off is None:
            delta = datetime.fromtimestamp(h * 3600, self.tz).utcoffset()
            assert delta is not None   # an aware datetime of a ZoneInfo
            off = self.cache[h] = int(delta.total_seconds())
        return off


def call_rows(rnd: random.Random, n: int, first_id: int, extensions: int, offsets: _Offsets, days: int,
              first_day: int = 0):
    """Yield n call rows (store.CALL_COLUMNS order) with starts on days [first_day, first_day + days)."""
    hours = rnd.choices(range(24), HOURS, k=4096)
    for i in range(n):
        day = first_day + rnd.randrange(days)
        if day % 7 in (2, 3) and rnd.random() < 0.7:   # 1970-01-01 was a Thursday: 2, 3 = Saturday, Sunday
            day = first_day + rnd.randrange(days)
        local = day * 86400 + hours[i & 4095] * 3600 + rnd.randrange(3600)
        start = local - offsets(local)
        r = rnd.random()
        ext = str(2000 + rnd.randrange(extensions))
        trunk = f"T{rnd.randrange(12) + 1:02d}"
        ring = rnd.randrange(40)
        if r < 0.33:
            answered = rnd.random() < 0.85
            talk = int(rnd.expovariate(1 / 180)) if answered else 0
            yield (first_id + i, "gen", "", start, offsets(local), "in", ext, f"+90532{rnd.randrange(10**7):07d}",
                   trunk, ring, talk, answered, False, "", 1, "mobile", "", None, "", "", "", False, False, "")
        elif r < 0.83:
            kind, prefix, digits, cents = KINDS[rnd.randrange(len(KINDS))]
            answered = rnd.random() < 0.8
            talk = int(rnd.expovariate(1 / 150)) if answered else 0
            cost = f"{(talk + 59) // 60 * cents / 100:.2f}" if answered else "0.00"
            yield (first_id + i, "gen", "", start, offsets(local), "out", ext,
                   f"{prefix}{rnd.randrange(10**digits):0{digits}d}", trunk, ring, talk, answered, False, "", 1,
                   kind, f"{prefix}{rnd.randrange(10**digits):0{digits}d}", cost, "TRY", kind.replace("_", " "),
                   "Türk Telekom / Business @ 2020-01-01", False, False, "")
        else:
            talk = int(rnd.expovariate(1 / 90))
            yield (first_id + i, "gen", "", start, offsets(local), "internal", ext,
                   str(2000 + rnd.randrange(extensions)), "", ring, talk, True, False, "", 1, "internal", "", None, "",
                   "", "", False, False, "")


def generate(path: Path, calls: int, seed: int = 1, extensions: int = 1000, branches: int = 10,
             zone: str = "Europe/Istanbul", build_rollup: bool = True) -> dict:
    """Create the database at `path` (which must not exist); returns timings in seconds."""
    if path.exists():
        raise SystemExit(f"{path} exists: give a new file")
    rnd = random.Random(seed)
    t0 = time.perf_counter()
    store.open_db(path)
    with store.db.atomic():
        make_directory(rnd, extensions, branches, 20)
    offsets = _Offsets(ZoneInfo(zone))
    gen = call_rows(rnd, calls, 1, extensions, offsets, YEARS * 365, START // 86400)
    cols = store.CALL_COLUMNS
    sql = f"INSERT INTO call ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    while True:
        batch = [row for _, row in zip(range(50_000), gen)]
        if not batch:
            break
        with store.db.atomic():
            store.db.connection().executemany(sql, batch)
    t1 = time.perf_counter()
    store.db.execute_sql("ANALYZE")
    days = rollup.rebuild() if build_rollup else 0
    t2 = time.perf_counter()
    return {"calls": calls, "generate_s": round(t1 - t0, 2), "rollup_build_s": round(t2 - t1, 2), "days": days}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=10_000_000)
    p.add_argument("--out", type=Path, required=True, help="the database file to create")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--extensions", type=int, default=1000)
    p.add_argument("--branches", type=int, default=10)
    p.add_argument("--zone", default="Europe/Istanbul")
    p.add_argument("--no-rollup", action="store_true")
    a = p.parse_args(argv)
    print(json.dumps(generate(a.out, a.calls, a.seed, a.extensions, a.branches, a.zone, not a.no_rollup)))


if __name__ == "__main__":
    main()
