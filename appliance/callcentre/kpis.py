"""The queue KPIs (CC-2), defined here once: every report, the CLI and the web compute them with queue_kpis().

A queue call is one ENTERQUEUE (uniqueid + queue, appliance/callcentre/journeys.py); the period holds the calls
that ENTERED the queue in it (since inclusive, until exclusive). Calls whose ENTERQUEUE was never seen are not queue
calls: they are counted apart as data quality (quality.py), never in a KPI. The thresholds are configurable per
queue ([callcentre] in the INI, Rules below). DEFINITIONS is the documentation (README "Call-centre KPIs" repeats
it; tests/callcentre/test_kpis.py checks they agree).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from appliance.config import ConfigError
from appliance.store.base import db

DEFINITIONS: dict[str, str] = {
    "offered": "queue calls: ENTERQUEUE events (uniqueid + queue) in the period",
    "answered": "offered calls with a CONNECT",
    "abandoned": "offered calls ended by ABANDON without a CONNECT (the caller hung up waiting)",
    "timeout": "ended by EXITWITHTIMEOUT without a CONNECT (the queue's timeout)",
    "exit_empty": "ended by EXITEMPTY without a CONNECT (no member could take calls)",
    "exit_key": "ended by EXITWITHKEY without a CONNECT (the caller pressed a key to leave)",
    "short_abandoned": "abandoned with a wait of at most short_abandon_seconds (default 5): a misdial, not a lost call",
    "unterminated": "neither connected nor exited (still waiting, or the end was never logged)",
    "asa_s": "average speed of answer: the mean CONNECT holdtime of the answered calls",
    "service_level_pct": "answered with a CONNECT holdtime of at most sl_seconds (default 20) / "
                         "(offered - short_abandoned), in %",
    "lost_pct": "(abandoned + timeout + exit_empty + exit_key - short_abandoned) / (offered - short_abandoned), in %",
    "talk_s": "total talk time of the answered calls with an end event: the calltime of COMPLETECALLER, "
              "COMPLETEAGENT, TRANSFER, BLINDTRANSFER or ATTENDEDTRANSFER",
    "aht_s": "average handling time: (talk_s + wrapup_seconds per call) / answered calls with an end event",
    "over_5min": "answered calls with a talk time over long_call_seconds (default 300)",
    "max_wait_s": "the longest wait of an offered call: its CONNECT holdtime or its exit event's waittime",
    "outside_hours": "queue calls that entered while their queue was closed ([callcentre] opening_hours, "
                     "closed_days): counted here only, in no other figure (not offered, not lost)",
}
# the fields of `callbox queue kpis --json`, in this order (a contract with users' scripts: keep it)
FIELDS = ("queue",) + tuple(DEFINITIONS)


@dataclass(frozen=True)
class Rules:
    """The thresholds of a queue's KPIs (settings [callcentre]; per queue: [callcentre] queues)."""
    sl_seconds: int = 20
    short_abandon_seconds: int = 5
    long_call_seconds: int = 300
    wrapup_seconds: int = 0


RULE_KEYS = tuple(f.name for f in fields(Rules))


@dataclass(frozen=True)
class RuleBook:
    """The default Rules and those of queues that differ."""
    default: Rules = Rules()
    queues: tuple[tuple[str, Rules], ...] = ()

    def of(self, queue: str) -> Rules:
        return dict(self.queues).get(queue, self.default)

    def override(self, **values: int | None) -> RuleBook:
        """Every queue's rules with these values instead (command-line options); None leaves a value."""
        given = {k: v for k, v in values.items() if v is not None}
        if not given:
            return self
        return RuleBook(replace(self.default, **given), tuple((q, replace(r, **given)) for q, r in self.queues))


def _int_value(text: str, where: str) -> int:
    if not text.strip().isdigit():
        raise ConfigError(f"{where}: {text.strip()!r} is not a whole number of seconds")
    return int(text)


def parse_queue_rules(text: str, default: Rules, where: str = "[callcentre] queues") -> tuple[tuple[str, Rules], ...]:
    """`QUEUE = key=value, key=value` lines -> (queue, Rules); ConfigError naming a bad line."""
    found: dict[str, Rules] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        queue, sep, rest = line.partition("=")
        queue, here = queue.strip(), f"{where}: line {n} {line!r}"
        if not sep or not queue or queue in found:
            raise ConfigError(f"{here}: expected QUEUE = key=value, ... once per queue (keys: {', '.join(RULE_KEYS)})")
        values = {}
        for item in filter(None, (i.strip() for i in rest.split(","))):
            key, sep, value = (p.strip() for p in item.partition("="))
            if key not in RULE_KEYS or not sep:
                raise ConfigError(f"{here}: {item!r}: expected one of {', '.join(RULE_KEYS)} = seconds")
            values[key] = _int_value(value, here)
        found[queue] = replace(default, **values)
    return tuple(sorted(found.items()))


def rulebook(cfg) -> RuleBook:
    """The KPI rules of the configuration's [callcentre] section."""
    s = cfg.section("callcentre")
    default = Rules(*(getattr(s, k) for k in RULE_KEYS))
    return RuleBook(default, parse_queue_rules(s.queues, default))


def rule_sql(book: RuleBook, key: str, args: list) -> str:
    """SQL for this rule's value of the row's queue (a CASE over the queues that differ)."""
    whens = [(q, getattr(r, key)) for q, r in book.queues if getattr(r, key) != getattr(book.default, key)]
    for q, v in whens:
        args += [q, v]
    args.append(getattr(book.default, key))
    return f"(CASE queue {' '.join('WHEN ? THEN ?' for _ in whens)} ELSE ? END)" if whens else "?"


def period_where(since: int | None, until: int | None, queue: str | None, args: list, column: str = "entered_utc",
                 queues: frozenset[str] | None = None) -> str:
    """WHERE conditions of queue calls entered in [since, until) of `queue` (None: all) and of `queues` (None: all;
    a set, perhaps empty: only those), with its arguments."""
    where = ["seen_enter = 1"]
    for cond, value in ((f"{column} >= ?", since), (f"{column} < ?", until), ("queue = ?", queue)):
        if value is not None:
            where.append(cond)
            args.append(value)
    if queues is not None:
        where.append(f"queue IN ({', '.join('?' * len(queues))})" if queues else "0")
        args.extend(sorted(queues))
    return " AND ".join(where)


def secs(value: float | int | None) -> float | None:
    """Seconds and percentages as printed: 2 decimals; None stays None (a denominator of 0)."""
    return None if value is None else round(float(value), 2)


def ratio(num: float | int, den: float | int, scale: float = 1.0) -> float | None:
    return None if not den else secs(scale * num / den)


# what a set of queue calls sums to (per queue, or per queue and hour in the roll-ups, hours.py): the KPIs are computed
# from these sums, so the roll-ups and the queue calls give the same figures. All add up, but max_wait_s (the most).
SUM_COLUMNS = ("offered", "answered", "abandoned", "timeout", "exit_empty", "exit_key", "short_abandoned",
               "unterminated", "hold_s", "within_sl", "talk_s", "ended", "over", "max_wait_s", "outside")
OPEN = "COALESCE(closed, 0) = 0"    # entered while its queue was open (not yet classified: taken as open)


def sums_sql(book: RuleBook, args: list) -> str:
    """The SELECT expressions of SUM_COLUMNS over queue_call rows, each row's thresholds those of its queue in
    `book`; their arguments are appended to `args` (in the order of the placeholders). Standard SQL (no sum of a
    truth value): the same on SQLite and on a central's PostgreSQL (received.py)."""
    sa = rule_sql(book, "short_abandon_seconds", args)
    sl = rule_sql(book, "sl_seconds", args)
    long_ = rule_sql(book, "long_call_seconds", args)
    o = OPEN

    def n(cond: str) -> str:       # how many rows meet `cond`
        return f"COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0)"

    def total(cond: str, column: str) -> str:
        return f"COALESCE(SUM(CASE WHEN {cond} THEN {column} END), 0)"
    answered = f"{o} AND outcome = 'answered'"
    return ", ".join([
        n(o), n(answered), n(f"{o} AND outcome = 'abandoned'"), n(f"{o} AND outcome = 'timeout'"),
        n(f"{o} AND outcome = 'exit_empty'"), n(f"{o} AND outcome = 'exit_key'"),
        n(f"{o} AND outcome = 'abandoned' AND wait_s <= {sa}"), n(f"{o} AND outcome = ''"),
        total(answered, "wait_s"), n(f"{answered} AND wait_s <= {sl}"),
        total(f"{answered} AND talk_s IS NOT NULL", "talk_s"), n(f"{answered} AND talk_s IS NOT NULL"),
        n(f"{answered} AND talk_s > {long_}"), f"MAX(CASE WHEN {o} THEN wait_s END)", n("closed > 0")])


def fingerprint(book: RuleBook) -> str:
    """What the roll-ups' threshold counts depend on: they serve only a RuleBook with this fingerprint."""
    return repr(book)


def _hours(since: int | None, until: int | None) -> tuple[int | None, int | None]:
    """The whole UTC hours inside [since, until): [first, end) (None: unbounded)."""
    return (None if since is None else -(-since // 3600)), (None if until is None else until // 3600)


MAX_PIECES = 50    # partial and dirty stretches of a range read from the queue calls, at most; more: all of it


def _raw(book: RuleBook, since: int | None, until: int | None, queue: str | None, hourly: bool = False,
         step: int = 3600) -> list[tuple]:
    args: list = []
    sums = sums_sql(book, args)
    where = period_where(since, until, queue, args)
    by = f"queue, entered_utc / {int(step)}" if hourly else "queue"
    return db.execute_sql(f"SELECT {by}, {sums} FROM queue_call WHERE {where} GROUP BY {by}", args).fetchall()


def _pieces(first: int | None, end: int | None, dirty: list[int]) -> list[tuple[int | None, int | None]]:
    """The stretches [a, b) of epoch seconds the roll-ups do not cover: before the first whole hour, after the last,
    and the dirty hours between (adjacent ones joined)."""
    out: list[tuple[int | None, int | None]] = []
    if first is not None:
        out.append((None, first * 3600))
    for h in dirty:
        if out and out[-1][1] == h * 3600:
            out[-1] = (out[-1][0], (h + 1) * 3600)
        else:
            out.append((h * 3600, (h + 1) * 3600))
    if end is not None:
        out.append((end * 3600, None))
    return out


def _sums(book: RuleBook, since: int | None, until: int | None, queue: str | None, hourly: bool = False
          ) -> list[tuple]:
    """(queue, *SUM_COLUMNS) rows ((queue, hour, *SUM_COLUMNS) when `hourly`: per UTC hour, entered_utc // 3600):
    the whole clean hours from the roll-ups when they were summed with `book`'s rules,
    the rest (the partial hours at both ends, dirty hours) from the queue calls, each stretch by its index; else
    everything from the queue calls."""
    state = dict(db.execute_sql("SELECT key, value FROM queue_state WHERE key IN ('hours_built', 'hours_rules')"))
    first, end = _hours(since, until)
    if state.get("hours_built") != "1" or state.get("hours_rules") != fingerprint(book) \
            or (first is not None and end is not None and end <= first):
        return _raw(book, since, until, queue, hourly)
    span: list[str] = ["1"]
    args: list[int | str] = []
    for cond, value in (("hour >= ?", first), ("hour < ?", end)):
        if value is not None:
            span.append(cond)
            args.append(value)
    dirty = [h for h, in db.execute_sql(f"SELECT hour FROM queue_hour_dirty WHERE {' AND '.join(span)} ORDER BY hour",
                                        args)]
    pieces = _pieces(first, end, dirty)
    if len(pieces) > MAX_PIECES:
        return _raw(book, since, until, queue, hourly)
    rows = []
    for a, b in pieces:
        lo = since if a is None else a if since is None else max(a, since)
        hi = until if b is None else b if until is None else min(b, until)
        if lo is None or hi is None or lo < hi:
            rows += _raw(book, lo, hi, queue, hourly)
    totals = ", ".join(f"MAX({c})" if c == "max_wait_s" else f"SUM({c})" for c in SUM_COLUMNS)
    if queue is not None:
        span.append("queue = ?")
        args.append(queue)
    by = "queue, hour" if hourly else "queue"
    return rows + db.execute_sql(f"SELECT {by}, {totals} FROM queue_hour WHERE {' AND '.join(span)} AND hour NOT "
                                 f"IN (SELECT hour FROM queue_hour_dirty) GROUP BY {by}", args).fetchall()


def add_sums(have: list | None, values) -> list:
    """`values` (SUM_COLUMNS, and any further sums) added to `have` (None: nothing yet); max_wait_s the most."""
    if have is None:
        return list(values)
    m = SUM_COLUMNS.index("max_wait_s")
    for i, v in enumerate(values):
        if i != m:
            have[i] += v
        elif v is not None and (have[i] is None or v > have[i]):
            have[i] = v
    return have


def queue_sums(book: RuleBook, since: int | None = None, until: int | None = None,
               queue: str | None = None) -> dict[str, list]:
    """queue -> its SUM_COLUMNS over the calls entered in [since, until)."""
    with db.atomic():      # one snapshot: the roll-ups and the queue calls read as of the same moment
        parts = _sums(book, since, until, queue)
    summed: dict[str, list] = {}
    for q, *values in parts:
        summed[q] = add_sums(summed.get(q), values)
    return summed


def hour_sums(book: RuleBook, since: int | None = None, until: int | None = None,
              queues: frozenset[str] | None = None, step: int = 3600) -> list[tuple]:
    """(queue, n, *SUM_COLUMNS, wrapped talk) of the calls entered in [since, until) per `step` seconds they entered
    in (n = entered_utc // step; a step may come in two parts: add them). wrapped talk = talk_s + wrapup_seconds per
    ended call (the queue's). Whole hours come from the roll-ups; other steps (a zone offset of 30 or 45 minutes)
    from the queue calls."""
    with db.atomic():
        parts = _sums(book, since, until, None, hourly=True) if step == 3600 else \
            _raw(book, since, until, None, hourly=True, step=step)
    talk, ended = SUM_COLUMNS.index("talk_s") + 2, SUM_COLUMNS.index("ended") + 2
    return [(*row, row[talk] + row[ended] * book.of(row[0]).wrapup_seconds) for row in parts
            if queues is None or row[0] in queues]


def queue_names() -> list[str]:
    """Every queue with queue calls, sorted."""
    return [q for q, in db.execute_sql("SELECT DISTINCT queue FROM queue_call WHERE seen_enter = 1 ORDER BY queue")]


def queue_kpis(book: RuleBook, since: int | None = None, until: int | None = None,
               queue: str | None = None) -> list[dict]:
    """The KPIs of every queue with calls entered in [since, until) (epoch seconds; None: unbounded), by queue."""
    summed = queue_sums(book, since, until, queue)
    return [{"queue": q} | kpi_values(summed[q], book.of(q).wrapup_seconds) for q in sorted(summed)]


def kpi_values(values, wrap: int = 0, wrapped: float | None = None) -> dict:
    """The KPIs (FIELDS but the queue) of SUM_COLUMNS `values`; AHT adds `wrap` seconds per ended call, or takes
    `wrapped` (talk plus wrap-up, summed over queues whose wrap-up differs) when given."""
    (offered, answered, abandoned, timeout, exit_empty, exit_key, short, unterminated, hold, within_sl, talk, ended,
     over, max_wait, outside) = values[:len(SUM_COLUMNS)]
    base = offered - short
    wrapped = talk + ended * wrap if wrapped is None else wrapped
    return {"offered": offered, "answered": answered, "abandoned": abandoned, "timeout": timeout,
            "exit_empty": exit_empty, "exit_key": exit_key, "short_abandoned": short, "unterminated": unterminated,
            "asa_s": ratio(hold, answered), "service_level_pct": ratio(within_sl, base, 100),
            "lost_pct": ratio(abandoned + timeout + exit_empty + exit_key - short, base, 100),
            "talk_s": secs(talk), "aht_s": ratio(wrapped, ended), "over_5min": over,
            "max_wait_s": secs(max_wait), "outside_hours": outside}
