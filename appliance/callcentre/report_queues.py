"""Call-centre reports of the queues (CC-3): the summary, service level, ASA and AHT over local hours, days, weeks
and months, the queue x hour heat map, the answered and the lost by wait band, calls over 5 minutes, transfers,
repeat callers, data quality and the caller journey search.

Every figure is a KPI of kpis.py, summed the same way (kpis.hour_sums and queue_sums read the hour roll-ups), so a
report agrees with the summary, the CLI and the wallboard.
"""
from __future__ import annotations

import json

from appliance.callcentre import kpis, quality
from appliance.callcentre.kpis import SUM_COLUMNS, add_sums, kpi_values, period_where
from appliance.callcentre.tables import WAIT_BANDS, Ask, Col, Table, band_sql, bucket, share, total_row, \
    whole_hour_zone
from appliance.store.base import db

LOST = ("abandoned", "timeout", "exit_empty", "exit_key")
LIST_MAX = 5000          # rows a listing report gives at most (the newest); the table says when it stops there
_KPI_KINDS = {"offered": "count", "answered": "count", "abandoned": "count", "timeout": "count",
              "exit_empty": "count", "exit_key": "count", "short_abandoned": "count", "unterminated": "count",
              "asa_s": "seconds", "service_level_pct": "percent", "lost_pct": "percent", "talk_s": "seconds",
              "aht_s": "seconds", "over_5min": "count", "max_wait_s": "seconds", "outside_hours": "count"}
assert tuple(_KPI_KINDS) == kpis.FIELDS[1:]


def _col(kpi: str) -> Col:
    kind = "count" if kpi == "lost" else _KPI_KINDS[kpi]
    return Col(kpi, kind, adds=kpi not in ("asa_s", "aht_s", "max_wait_s"))


def _kpi_row(values: list) -> dict:
    """The KPIs of summed values that end with the wrapped talk (kpis.hour_sums), and the lost count."""
    row = kpi_values(values, wrapped=values[len(SUM_COLUMNS)])
    row["lost"] = sum(row[k] for k in LOST) - row["short_abandoned"]
    return row


def _all_sums(ask: Ask) -> dict[str, list]:
    """queue -> SUM_COLUMNS + wrapped talk over the period."""
    out: dict[str, list] = {}
    for q, values in kpis.queue_sums(ask.book, ask.since, ask.until).items():
        if ask.keeps(q):
            talk, ended = values[SUM_COLUMNS.index("talk_s")], values[SUM_COLUMNS.index("ended")]
            out[q] = [*values, talk + ended * ask.book.of(q).wrapup_seconds]
    return out


def summary(ask: Ask) -> Table:
    """Per queue every KPI (kpis.DEFINITIONS), and the box's totals."""
    cols = [Col("queue", "text")] + [_col(k) for k in _KPI_KINDS]
    sums = _all_sums(ask)
    rows = [[q] + list(kpi_values(v, wrapped=v[-1]).values()) for q, v in sorted(sums.items())]
    total = None
    for v in sums.values():
        total = add_sums(total, list(v))
    totals = [""] + list(kpi_values(total, wrapped=total[-1]).values()) if total else None
    return Table(cols, rows, totals, chart=("bar", ("offered", "answered")))


def period_sums(ask: Ask, by: str, with_queue: bool = False) -> dict:
    """(local period) or (queue, local period) -> summed values, from the hour roll-ups (15-minute steps of the queue
    calls where the zone's offset is not a whole hour)."""
    step = 3600 if whole_hour_zone(ask.tz, ask.since, ask.until) else 900
    out: dict = {}
    for q, n, *values in kpis.hour_sums(ask.book, ask.since, ask.until, ask.queues, step):
        period = bucket(n * step, ask.tz, by)
        key = (q, period) if with_queue else period
        out[key] = add_sums(out.get(key), values)
    return out


PERIOD_KINDS = {"hour": "hour", "day": "text", "week": "text", "weekday": "weekday", "month": "text"}
PERIOD_MEASURES = ("offered", "answered", "lost", "service_level_pct", "lost_pct", "asa_s", "aht_s", "max_wait_s")


def by_period(by: str, measures: tuple[str, ...] = PERIOD_MEASURES, chart: tuple[str, ...] | None = None):
    """A report of the KPIs per local `by` (hour of the day, day, ISO week, weekday, month), in time order."""
    def report(ask: Ask) -> Table:
        cols = [Col(by, PERIOD_KINDS[by])] + [_col(m) for m in measures]
        sums = period_sums(ask, by)
        rows, total = [], None
        for key in sorted(sums, key=lambda k: int(k) if by in ("hour", "weekday") else k):
            row = _kpi_row(sums[key])
            rows.append([key] + [row[m] for m in measures])
            total = add_sums(total, list(sums[key]))
        totals = None
        if total is not None:
            t = _kpi_row(total)
            totals = [""] + [t[m] for m in measures]
        return Table(cols, rows, totals, chart=("line" if by != "weekday" else "bar", chart or measures[:1]))
    return report


def heatmap(ask: Ask) -> Table:
    """Offered calls per queue and local hour of the day (00-23), and each queue's total."""
    sums = period_sums(ask, "hour", with_queue=True)
    offered = SUM_COLUMNS.index("offered")
    queues = sorted({q for q, _ in sums})
    cols = [Col("queue", "text")] + [Col(f"h{h:02d}") for h in range(24)] + [Col("offered")]
    rows = []
    for q in queues:
        cells = [sums[(q, f"{h:02d}")][offered] if (q, f"{h:02d}") in sums else 0 for h in range(24)]
        rows.append([q, *cells, sum(cells)])
    return Table(cols, rows, total_row(cols, rows, 1) if rows else None, note="heatmap")


def _band_rows(ask: Ask, outcomes: tuple[str, ...], column: str) -> dict[int, dict[str, int]]:
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues) + f" AND {kpis.OPEN}"
    found: dict[int, dict[str, int]] = {}
    for band, outcome, n in db.execute_sql(
            f"SELECT {band_sql(column)} AS band, outcome, COUNT(*) FROM queue_call WHERE {where} AND outcome IN "
            f"({', '.join('?' * len(outcomes))}) AND {column} IS NOT NULL GROUP BY band, outcome",
            [*args, *outcomes]):
        found.setdefault(band, {})[outcome] = n
    return found


def answered_by_wait(ask: Ask, found: dict[int, dict[str, int]] | None = None) -> Table:
    """Answered calls by how long they waited (CONNECT holdtime), each band's share and the share up to it (`found`:
    the counts by band and outcome, when not this box's: a branch box's on a central)."""
    cols = [Col("band", "text"), Col("answered"), Col("share_pct", "percent"), Col("cumulative_pct", "percent")]
    found = _band_rows(ask, ("answered",), "wait_s") if found is None else found
    counts = [found.get(i, {}).get("answered", 0) for i in range(len(WAIT_BANDS))]
    whole, upto, rows = sum(counts), 0, []
    for (label, _, _), n in zip(WAIT_BANDS, counts):
        upto += n
        rows.append([label, n, share(n, whole), share(upto, whole)])
    return Table(cols, rows, ["", whole, share(whole, whole), None], chart=("bar", ("answered",)))


def lost_by_wait(ask: Ask, found: dict[int, dict[str, int]] | None = None) -> Table:
    """Calls that left the queue unanswered, by how long they waited and how they left; short abandons are in the
    first band (they are not lost calls in the KPIs). `found` as answered_by_wait's."""
    cols = [Col("band", "text")] + [Col(k) for k in LOST] + [Col("unanswered"), Col("share_pct", "percent"),
                                                             Col("cumulative_pct", "percent")]
    found = _band_rows(ask, LOST, "wait_s") if found is None else found
    per = [[found.get(i, {}).get(k, 0) for k in LOST] for i in range(len(WAIT_BANDS))]
    whole, upto, rows = sum(map(sum, per)), 0, []
    for (label, _, _), counts in zip(WAIT_BANDS, per):
        upto += sum(counts)
        rows.append([label, *counts, sum(counts), share(sum(counts), whole), share(upto, whole)])
    return Table(cols, rows, total_row(cols, rows, 1, share_pct=share(whole, whole)),
                 chart=("bar", ("unanswered",)))


def _listing(sql_where: str, args: list, order: str = "entered_utc DESC") -> list[tuple]:
    return db.execute_sql(
        "SELECT entered_utc, queue, caller, agent, wait_s, talk_s, end_event, transfer_to, outcome, rings, id "
        f"FROM queue_call WHERE {sql_where} ORDER BY {order} LIMIT ?", [*args, LIST_MAX + 1]).fetchall()


def long_calls(ask: Ask) -> Table:
    """Answered calls with a talk time over the queue's long_call_seconds (300 by default), newest first."""
    cols = [Col("entered", "time"), Col("queue", "text"), Col("caller", "text"), Col("agent", "agent"),
            Col("wait_s", "seconds"), Col("talk_s", "seconds")]
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues)
    over = kpis.rule_sql(ask.book, "long_call_seconds", args)
    found = _listing(f"{where} AND outcome = 'answered' AND talk_s > {over}", args)
    rows = [[r[0], r[1], r[2], r[3], r[4], r[5]] for r in found[:LIST_MAX]]
    return _listed(Table(cols, rows, total_row(cols, rows, 4), keys=4), len(found))


def _listed(table: Table, found: int) -> Table:
    if found > LIST_MAX:
        table.note = "list_max"
    return table


def transfers(ask: Ask) -> Table:
    """Answered calls the agent transferred, per queue, agent and where to (extension@context, or the attended
    transfer's method:data), with their talk time before the transfer."""
    cols = [Col("queue", "text"), Col("agent", "agent"), Col("transfer_to", "text"), Col("calls"),
            Col("talk_s", "seconds")]
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues)
    rows = [list(r) for r in db.execute_sql(
        f"SELECT queue, agent, transfer_to, COUNT(*), IFNULL(SUM(talk_s), 0) FROM queue_call WHERE {where} "
        "AND end_event IN ('TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER') GROUP BY queue, agent, transfer_to "
        "ORDER BY queue, agent, transfer_to", args)]
    return Table(cols, rows, total_row(cols, rows, 3), keys=3, chart=("bar", ("calls",)))


def repeat_callers(ask: Ask) -> Table:
    """Callers who entered a queue more than once in the period, most calls first: how many were answered and lost,
    the first and the last (callers with a number: "anonymous" is many people)."""
    cols = [Col("caller", "text"), Col("calls"), Col("answered"), Col("lost"), Col("first", "time"),
            Col("last", "time")]
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues)
    found = db.execute_sql(
        f"SELECT caller, COUNT(*) AS n, SUM(outcome = 'answered'), SUM(outcome IN ({', '.join('?' * len(LOST))})), "
        f"MIN(entered_utc), MAX(entered_utc) FROM queue_call WHERE {where} AND caller GLOB '*[0-9][0-9][0-9][0-9]*' "
        "GROUP BY caller "
        "HAVING n > 1 ORDER BY n DESC, caller LIMIT ?", [*LOST, *args, LIST_MAX + 1]).fetchall()
    rows = [list(r) for r in found[:LIST_MAX]]
    return _listed(Table(cols, rows, total_row(cols, rows, 1), chart=("bar", ("calls",))), len(found))


def data_quality(ask: Ask) -> Table:
    """Per queue the queue calls the KPIs flag (journeys.PROBLEMS), by problem."""
    doc = quality.quality(ask.since, ask.until)
    problems = list(doc["definitions"])
    cols = [Col("queue", "text"), Col("flagged")] + [Col(p) for p in problems]
    rows = [[q["queue"], q["flagged"], *(q["problems"].get(p, 0) for p in problems)]
            for q in doc["queues"] if ask.keeps(q["queue"])]
    table = Table(cols, rows, total_row(cols, rows, 1))
    table.note = "quality"
    return table


def journeys(ask: Ask) -> Table:
    """The queue calls of a caller (any part of the number; none: the latest), newest first: queue, how long it
    waited, who was rung and did not answer, who answered, how it ended."""
    cols = [Col("entered", "time"), Col("queue", "text"), Col("caller", "text"), Col("outcome", "text"),
            Col("wait_s", "seconds"), Col("rung", "text"), Col("agent", "agent"), Col("talk_s", "seconds"),
            Col("end_event", "text"), Col("queue_call", "count")]
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues)
    digits = "".join(ch for ch in ask.caller if ch.isalnum())
    if digits:
        where += " AND caller LIKE ? ESCAPE '\\'"
        args.append(f"%{digits}%")
    found = _listing(where, args)
    rows = []
    for entered, queue, caller, agent, wait, talk, end, to, outcome, rings, qcid in found[:LIST_MAX]:
        missed = [a for a, event, *_ in json.loads(rings) if event == "RINGNOANSWER"]
        rows.append([entered, queue, caller, outcome or "unterminated", wait, ", ".join(missed), agent, talk,
                     end + (f" {to}" if to else ""), qcid])
    return _listed(Table(cols, rows, None, keys=3, link="queue_call"), len(found))
