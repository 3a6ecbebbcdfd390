"""Targets per agent and per queue, and the rankings against them (CC-5).

[callcentre] agent_targets and queue_targets, one line per agent (as queue_log names it) or queue, `*` for the rest:

    agent_targets =
        * = answer_rate_pct >= 90, calls_per_hour >= 8, aht_s <= 240, occupancy_pct >= 70
        PJSIP/250 = calls_per_hour >= 4
    queue_targets =
        * = service_level_pct >= 80, asa_s <= 20, lost_pct <= 5

A line of its own replaces the `*` line for that agent or queue. The agents' ranking orders them by targets met,
then by calls answered; the queues' by targets met, then by service level.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from appliance.callcentre import agents, kpis
from appliance.callcentre.kpis import ratio
from appliance.callcentre.tables import Ask, Col, Table, avg
from appliance.config import ConfigError

AGENT_METRICS = ("answered", "calls_per_hour", "answer_rate_pct", "aht_s", "occupancy_pct")
QUEUE_METRICS = ("offered", "answered", "service_level_pct", "asa_s", "lost_pct", "aht_s")
ITEM = re.compile(r"^(?P<metric>[a-z_0-9]+)\s*(?P<op>>=|<=)\s*(?P<value>\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Target:
    metric: str
    op: str          # ">=" (at least) or "<=" (at most)
    value: float

    def met(self, value: float | None) -> bool | None:
        """Whether `value` meets the target; None when there is no value (nothing to judge)."""
        if value is None:
            return None
        return value >= self.value if self.op == ">=" else value <= self.value


@dataclass(frozen=True)
class Targets:
    """name ("*": the default) -> its targets."""
    lines: tuple[tuple[str, tuple[Target, ...]], ...] = ()

    def of(self, name: str) -> tuple[Target, ...]:
        table = dict(self.lines)
        return table.get(name, table.get("*", ()))


def parse(text: str, metrics: tuple[str, ...], where: str) -> Targets:
    """`NAME = metric >= value, ...` lines -> Targets; ConfigError naming the bad line."""
    found: dict[str, tuple[Target, ...]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, rest = (p.strip() for p in line.partition("="))
        here = f"{where}: line {n} {line!r}"
        if not sep or not name or name in found:
            raise ConfigError(f"{here}: expected NAME = metric >= value, ... once per name (metrics: "
                              f"{', '.join(metrics)})")
        items = []
        for item in filter(None, (i.strip() for i in rest.split(","))):
            m = ITEM.match(item)
            if not m or m["metric"] not in metrics:
                raise ConfigError(f"{here}: {item!r}: expected metric >= value or metric <= value (metrics: "
                                  f"{', '.join(metrics)})")
            items.append(Target(m["metric"], m["op"], float(m["value"])))
        found[name] = tuple(items)
    return Targets(tuple(sorted(found.items())))


def of_config(cfg) -> tuple[Targets, Targets]:
    """(agent targets, queue targets) of [callcentre]."""
    s = cfg.section("callcentre")
    return (parse(s.agent_targets, AGENT_METRICS, "[callcentre] agent_targets"),
            parse(s.queue_targets, QUEUE_METRICS, "[callcentre] queue_targets"))


def _judge(values: dict, targets: tuple[Target, ...]) -> tuple[int, int, str]:
    """(targets met, targets judged, the missed ones as text)."""
    met, judged, missed = 0, 0, []
    for t in targets:
        ok = t.met(values.get(t.metric))
        if ok is None:
            continue
        judged += 1
        if ok:
            met += 1
        else:
            missed.append(f"{t.metric} {t.op} {t.value:g}")
    return met, judged, ", ".join(missed)


def agent_values(r: dict, aht: float | None) -> dict:
    """An agent's ranked measures (AGENT_METRICS) from its agents.agent_kpis row and its AHT."""
    available = (r["login_s"] or 0) - (r["pause_s"] or 0)
    return {"answered": r["answered"], "answer_rate_pct": r["answer_rate_pct"], "aht_s": aht,
            "occupancy_pct": r["occupancy_pct"],
            "calls_per_hour": ratio(r["answered"] * 3600, available) if available > 0 else None}


def judged_row(names: list, values: dict, metrics: tuple[str, ...], targets: tuple[Target, ...]) -> list:
    """A ranking's row before it is ranked: [0, *names, *the metrics' values, met, judged, missed]."""
    met, judged, missed = _judge(values, targets)
    return [0, *names, *(values[m] for m in metrics), met, judged, missed]


def ranked(rows: list[list], names: int, metrics: tuple[str, ...], then: str) -> list[list]:
    """judged_row's rows ordered by the share of targets met, then by the metric `then` (more first), then by their
    `names` columns; numbered from 1."""
    met, by = 1 + names + len(metrics), 1 + names + metrics.index(then)
    rows.sort(key=lambda r: (-(r[met] / r[met + 1] if r[met + 1] else 0), -(r[by] or 0), r[1:1 + names]))
    for i, row in enumerate(rows, 1):
        row[0] = i
    return rows


AGENT_COLUMNS = [Col("answered"), Col("calls_per_hour", "number"), Col("answer_rate_pct", "percent"), avg("aht_s"),
                 Col("occupancy_pct", "percent"), Col("targets_met"), Col("targets"), Col("missed", "text")]
QUEUE_COLUMNS = [Col("offered"), Col("answered"), Col("service_level_pct", "percent"), avg("asa_s"),
                 Col("lost_pct", "percent"), avg("aht_s"), Col("targets_met"), Col("targets"), Col("missed", "text")]


def agent_rows(ask: Ask, targets: Targets, names: tuple = ()) -> list[list]:
    """This box's agents' judged_row rows, each named by `names` then the agent."""
    aht = _agent_aht(ask)
    return [judged_row([*names, r["agent"]], agent_values(r, aht.get(r["agent"])), AGENT_METRICS,
                       targets.of(r["agent"]))
            for r in agents.agent_kpis(ask.book, ask.since, ask.until, queues=ask.queues)]


def agent_ranking(ask: Ask, targets: Targets) -> Table:
    """Per agent: answered, calls per available hour (logged in, not paused), answer rate, AHT, occupancy; the targets
    met of those that apply, which were missed, and the rank."""
    cols = [Col("rank"), Col("agent", "agent")] + AGENT_COLUMNS
    rows = ranked(agent_rows(ask, targets), 1, AGENT_METRICS, "answered")
    return Table(cols, rows, None, keys=2, chart=("bar", ("answered",)))


def _agent_aht(ask: Ask) -> dict[str, float | None]:
    args: list = []
    where = kpis.period_where(ask.since, ask.until, None, args, queues=ask.queues)
    out: dict[str, list] = {}
    for agent, queue, talk, ended in kpis.db.execute_sql(
            f"SELECT agent, queue, IFNULL(SUM(talk_s), 0), SUM(talk_s IS NOT NULL) FROM queue_call WHERE {where} "
            "AND outcome = 'answered' GROUP BY agent, queue", args):
        have = out.setdefault(agent, [0, 0])
        have[0] += talk + ended * ask.book.of(queue).wrapup_seconds
        have[1] += ended
    return {a: ratio(w, n) for a, (w, n) in out.items()}


def queue_rows(ask: Ask, targets: Targets, names: tuple = ()) -> list[list]:
    """This box's queues' judged_row rows, each named by `names` then the queue."""
    return [judged_row([*names, r["queue"]], r, QUEUE_METRICS, targets.of(r["queue"]))
            for r in kpis.queue_kpis(ask.book, ask.since, ask.until) if ask.keeps(r["queue"])]


def queue_ranking(ask: Ask, targets: Targets) -> Table:
    """Per queue: its KPIs against its targets, the targets met, which were missed, and the rank."""
    cols = [Col("rank"), Col("queue", "text")] + QUEUE_COLUMNS
    rows = ranked(queue_rows(ask, targets), 1, QUEUE_METRICS, "service_level_pct")
    return Table(cols, rows, None, keys=2, chart=("bar", ("service_level_pct",)))
