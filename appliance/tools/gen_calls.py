"""Generate a reproducible call database for report benchmarks: N calls over 5 years, 1,000 extensions, 10 branches.

    python -m appliance.tools.gen_calls --calls 10000000 --out /tmp/bench/callbox.db [--seed 1]

The same seed and sizes give the same database, byte for byte in content: the directory (tenant "default",
10 branches, 20 departments, one person per extension, 5 % of them moving department and branch once, 2 %
of the extensions changing hands once), and calls spread over 5 years (more on weekdays and in business
hours), one third incoming, half outgoing (priced in TRY, classes local / long_distance / mobile /
international), the rest internal, on 12 trunks of 3 providers. The incoming calls have their legs as the
worker stores them (incoming_legs: one extension, hunt groups, forwarding, transfers; answered or lost, most
lost callers called back later), so the missed-calls report and its roll-ups have something to count. Rows are
written with raw executemany (STACK.md §5); the roll-ups are built at the end unless --no-rollup.
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


LEG = 0x1_0000_0000   # extra legs' ids: above every call id (a call is named after its first leg, as the worker does)


def _talk(rnd: random.Random, mean: int) -> int:
    return 1 + int(rnd.expovariate(1 / mean))


def incoming_legs(rnd: random.Random, cid: int, start: int, offset: int, ext_i: int, extensions: int, party: str,
                  trunk: str, legs: list, extra: int) -> tuple[tuple, int]:
    """One incoming call's legs (store.LEG_COLUMNS order, appended to `legs`) as a PBX with its own start per leg
    (Asterisk, 3CX) prints them, and its summary (the worker's recompute: the first leg's start, extension and
    ring, the union of the talk periods, answered if any leg was, transferred if any was); `extra`: the next free
    id for a second leg. The shapes: 60 % ring one extension (85 % answered); 25 % a hunt group of 2-4 colleagues
    (the block of 4 extensions the first is in) ringing together, one answers (80 %) or the caller gives up;
    10 % ring-no-answer forwarding to a colleague after 15-20 s (70 % answered there); 5 % answered, then
    transferred to a colleague who answers (75 %) or not (a missed transferred call).
    Returns (start, extension, ring_s, talk_s, answered, transferred, legs, key) and the next free id."""
    key = f"gen-{cid}"
    block = ext_i - ext_i % 4
    u = rnd.random()
    spans: list[tuple[int, int, int, int, bool, bool]] = []   # (start, extension index, ring, talk, answered, transf.)
    if u < 0.60:
        answered = rnd.random() < 0.85
        spans.append((start, ext_i, rnd.randrange(2, 25) if answered else rnd.randrange(5, 60),
                      _talk(rnd, 180) if answered else 0, answered, False))
    elif u < 0.85:
        members = [ext_i] + [e for e in range(block, min(block + 4, extensions)) if e != ext_i][:rnd.randrange(1, 4)]
        ring = rnd.randrange(2, 25) if rnd.random() < 0.8 else 0
        who = members[rnd.randrange(len(members))] if ring else -1
        if not ring:
            ring = rnd.randrange(5, 60)
        for e in members:
            spans.append((start, e, ring, _talk(rnd, 180) if e == who else 0, e == who, False))
    elif u < 0.95:
        ring = rnd.randrange(15, 21)
        spans.append((start, ext_i, ring, 0, False, False))
        answered = rnd.random() < 0.7
        spans.append((start + ring, block + (ext_i + 1) % 4 if block + 3 < extensions else ext_i,
                      rnd.randrange(2, 20) if answered else rnd.randrange(5, 40), _talk(rnd, 150) if answered else 0,
                      answered, False))
    else:
        ring, talk = rnd.randrange(2, 15), _talk(rnd, 40)
        spans.append((start, ext_i, ring, talk, True, True))
        answered = rnd.random() < 0.75
        spans.append((start + ring + talk, block + (ext_i + 2) % 4 if block + 3 < extensions else ext_i,
                      rnd.randrange(2, 20) if answered else rnd.randrange(5, 60),
                      _talk(rnd, 200) if answered else 0, answered, False))
    total, end = 0, None   # the union of the talk periods (ingest/summary.py's talk_time)
    for begin, finish in sorted((s + r, s + r + t) for s, _, r, t, _, _ in spans if t):
        if end is None or begin >= end:
            total, end = total + finish - begin, finish
        elif finish > end:
            total, end = total + finish - end, finish
    for i, (at, e, ring, talk, answered, transferred) in enumerate(spans):
        lid = cid if i == 0 else extra
        extra += i > 0
        legs.append((lid, cid, "gen", key, at, offset, "in", str(2000 + e), party, trunk, ring, talk, int(answered),
                     int(transferred), "", 0, lid))
    return (str(2000 + ext_i), spans[0][2], total, any(s[4] for s in spans), any(s[5] for s in spans), len(spans),
            key), extra


def call_rows(rnd: random.Random, n: int, first_id: int, extensions: int, offsets: _Offsets, days: int,
              first_day: int, legs: list):
    """Yield n call rows (store.CALL_COLUMNS order) with starts on days [first_day, first_day + days); the incoming
    calls' legs are appended to `legs` (incoming_legs; the other calls have none), and 60 % of the incoming calls
    nobody answered are called back (an outgoing call from the first extension it rang to the caller's number,
    5 minutes to 2 days later, in place of the next outgoing call): the rest stay lost."""
    hours = rnd.choices(range(24), HOURS, k=4096)
    extra = first_id + LEG
    callbacks: list[tuple[int, str, str]] = []   # (local start, extension, number) of calls to return
    for i in range(n):
        day = first_day + rnd.randrange(days)
        if day % 7 in (2, 3) and rnd.random() < 0.7:   # 1970-01-01 was a Thursday: 2, 3 = Saturday, Sunday
            day = first_day + rnd.randrange(days)
        local = day * 86400 + hours[i & 4095] * 3600 + rnd.randrange(3600)
        start = local - offsets(local)
        r = rnd.random()
        ext_i = rnd.randrange(extensions)
        ext = str(2000 + ext_i)
        trunk = f"T{rnd.randrange(12) + 1:02d}"
        ring = rnd.randrange(40)
        if r < 0.33:
            party = f"+90532{rnd.randrange(10**7):07d}"
            offset = offsets(local)
            (ext, ring, talk, answered, transferred, n_legs, key), extra = incoming_legs(
                rnd, first_id + i, start, offset, ext_i, extensions, party, trunk, legs, extra)
            if not answered and rnd.random() < 0.6:
                callbacks.append((local + rnd.randrange(300, 2 * 86400), ext, party))
            yield (first_id + i, "gen", key, start, offset, "in", ext, party, trunk, ring, talk, answered,
                   transferred, "", n_legs, "mobile", "", None, "", "", "", False, False, "")
        elif r < 0.83:
            kind, prefix, digits, cents = KINDS[rnd.randrange(len(KINDS))]
            number = f"{prefix}{rnd.randrange(10**digits):0{digits}d}"
            if callbacks:
                local, ext, number = callbacks.pop()
                kind, cents = "mobile", 90
                start = local - offsets(local)
            answered = rnd.random() < 0.8
            talk = int(rnd.expovariate(1 / 150)) if answered else 0
            cost = f"{(talk + 59) // 60 * cents / 100:.2f}" if answered else "0.00"
            yield (first_id + i, "gen", "", start, offsets(local), "out", ext, number, trunk, ring, talk, answered,
                   False, "", 1, kind, number, cost, "TRY", kind.replace("_", " "),
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
    legs: list[tuple] = []
    gen = call_rows(rnd, calls, 1, extensions, offsets, YEARS * 365, START // 86400, legs)
    n_legs = 0
    # The rows go in without the indexes of the call and leg tables (random starts would update each index all
    # over its pages, a batch rewriting most of them), which are made again afterwards, sorted once: 10,000,000
    # calls in a fraction of the time.
    indexes = store.db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                                   "('call', 'leg') AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        store.db.execute_sql(f'DROP INDEX "{name}"')
    while True:
        batch = [row for _, row in zip(range(100_000), gen)]
        if not batch:
            break
        with store.db.atomic():
            _insert("call", store.CALL_COLUMNS, batch)
            _insert("leg", store.LEG_COLUMNS, legs)
        n_legs += len(legs)
        legs.clear()
    for _, sql in indexes:
        store.db.execute_sql(sql)
    t1 = time.perf_counter()
    store.db.execute_sql("ANALYZE")
    days = rollup.rebuild() if build_rollup else 0
    t2 = time.perf_counter()
    return {"calls": calls, "legs": n_legs, "generate_s": round(t1 - t0, 2), "rollup_build_s": round(t2 - t1, 2),
            "days": days}


def summary_legs(rnd: random.Random, call: tuple, extensions: int, legs: list, extra: int) -> tuple[int, int]:
    """The legs of one stored incoming call (id, start, offset, extension, party, trunk, ring, talk, answered) of a
    database generated before gen_calls wrote legs, in incoming_legs' shapes but so that the worker's summary of
    them is the stored row (the same first extension and ring, talk time and answer; none transferred): the
    call's leg count and the next free extra id."""
    cid, start, offset, ext, party, trunk, ring, talk, answered = call
    ext_i = int(ext) - 2000
    block = ext_i - ext_i % 4
    u = rnd.random()
    spans: list[tuple[int, int, int, int, bool]] = []
    if u < 0.25:   # a hunt group: all ring as long as the first; one of them answers
        members = [ext_i] + [e for e in range(block, min(block + 4, extensions)) if e != ext_i][:rnd.randrange(1, 4)]
        who = members[rnd.randrange(len(members))] if answered else -1
        spans += [(start, e, ring, talk if e == who else 0, e == who) for e in members]
    elif u < 0.35 and block + 3 < extensions:   # forwarded after the first extension's ring
        spans += [(start, ext_i, ring, 0, False), (start + ring, block + (ext_i + 1) % 4, rnd.randrange(2, 20),
                                                   talk, bool(answered))]
    elif u < 0.40 and answered and talk >= 2 and block + 3 < extensions:   # answered, then passed on
        first = rnd.randrange(1, talk)
        on = rnd.random() < 0.75
        spans += [(start, ext_i, ring, first if on else talk, True),
                  (start + ring + first, block + (ext_i + 2) % 4, rnd.randrange(2, 20), talk - first if on else 0, on)]
    else:
        spans.append((start, ext_i, ring, talk, bool(answered)))
    for i, (at, e, r, t, a) in enumerate(spans):
        lid = cid if i == 0 else extra
        extra += i > 0
        legs.append((lid, cid, "gen", "", at, offset, "in", str(2000 + e), party, trunk, r, t, int(a), 0, "", 0, lid))
    return len(spans), extra


def add_legs(path: Path, seed: int = 1, extensions: int = 1000) -> dict:
    """Write the legs of the incoming calls of a database generated before gen_calls wrote legs (its call rows and
    cubes stay as they are: the legs sum up to them) and build its missed-calls roll-ups again from them."""
    from appliance.reports import offers   # noqa: PLC0415 (only this conversion rebuilds them alone)
    rnd = random.Random(seed)
    t0 = time.perf_counter()
    store.open_db(path)
    if store.db.execute_sql("SELECT COUNT(*) FROM (SELECT 1 FROM leg LIMIT 1)").fetchone()[0]:
        raise SystemExit(f"{path} has legs already")
    indexes = store.db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leg' "
                                   "AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        store.db.execute_sql(f'DROP INDEX "{name}"')
    read = store.db.connection().cursor()
    read.execute("SELECT id, start_utc, utc_offset, extension, party, trunk, ring_s, talk_s, answered FROM call "
                 "WHERE direction = 'in' ORDER BY id")
    extra, n_legs = LEG + 1, 0
    while True:
        calls = read.fetchmany(100_000)
        if not calls:
            break
        legs: list[tuple] = []
        counts = []
        for call in calls:
            n, extra = summary_legs(rnd, call, extensions, legs, extra)
            if n > 1:
                counts.append((n, call[0]))
        with store.db.atomic():
            _insert("leg", store.LEG_COLUMNS, legs)
            store.db.connection().executemany("UPDATE call SET legs = ? WHERE id = ?", counts)
        n_legs += len(legs)
    for _, sql in indexes:
        store.db.execute_sql(sql)
    t1 = time.perf_counter()
    lo, hi = store.db.execute_sql("SELECT MIN(start_utc + utc_offset) / 86400, MAX(start_utc + utc_offset) / 86400 "
                                  "FROM call").fetchone()
    for first in range(lo, hi + 1, 31):
        with store.db.atomic():
            offers.rebuild_days(first, min(hi, first + 30))
    with store.db.atomic():
        offers.mark_scoped()   # every offer rebuilt: each carries its call's extension
    return {"legs": n_legs, "legs_s": round(t1 - t0, 2), "offers_rebuild_s": round(time.perf_counter() - t1, 2)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=10_000_000)
    p.add_argument("--out", type=Path, required=True, help="the database file to create")
    p.add_argument("--add-legs", action="store_true",
                   help="--out is a database generated before gen_calls wrote legs: write its incoming calls' legs "
                        "(summing up to its rows) and rebuild its missed-calls roll-ups")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--extensions", type=int, default=1000)
    p.add_argument("--branches", type=int, default=10)
    p.add_argument("--zone", default="Europe/Istanbul")
    p.add_argument("--no-rollup", action="store_true")
    a = p.parse_args(argv)
    if a.add_legs:
        print(json.dumps(add_legs(a.out, a.seed, a.extensions)))
        return
    print(json.dumps(generate(a.out, a.calls, a.seed, a.extensions, a.branches, a.zone, not a.no_rollup)))


if __name__ == "__main__":
    main()
