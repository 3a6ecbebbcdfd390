"""Call evaluation (CC-5): a supervisor scores a queue call on a form of criteria, and the scores appear in the agent
reports.

[callcentre] evaluation_form, one criterion per line with its most points:

    evaluation_form =
        Greeting and name = 5
        Understood the request = 10
        Solved it on the call = 10

An evaluation keeps the form as it was (criteria and points), so changing the form later leaves the scores given
before as they were. An agent's score is the points given over the points possible, in %.
"""
from __future__ import annotations

import json
import time

from appliance.callcentre.kpis import period_where, ratio
from appliance.callcentre.tables import Ask, Col, Table, share
from appliance.config import ConfigError
from appliance.store.base import db
from appliance.store.callcentre import CallEvaluation

MAX_POINTS = 100
NOTE_MAX = 2000


class EvaluationError(ValueError):
    """A form filled in wrongly; the message names the criterion."""


def parse(text: str, where: str = "[callcentre] evaluation_form") -> tuple[tuple[str, int], ...]:
    """`CRITERION = POINTS` lines -> ((criterion, most points), ...) in their order; ConfigError naming a bad line."""
    out: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, points = (p.strip() for p in line.rpartition("="))
        if not sep or not name or name in out or not points.isdigit() or not 1 <= int(points) <= MAX_POINTS:
            raise ConfigError(f"{where}: line {n} {line!r}: expected CRITERION = POINTS (1 to {MAX_POINTS}), once "
                              "per criterion")
        out[name] = int(points)
    return tuple(out.items())


def form_of(cfg) -> tuple[tuple[str, int], ...]:
    return parse(cfg.section("callcentre").evaluation_form)


def check(form: tuple[tuple[str, int], ...], given: dict[str, str]) -> dict[str, int]:
    """The points given for each criterion (text from a form), each a whole number from 0 to its most points."""
    if not form:
        raise EvaluationError("no evaluation form: set [callcentre] evaluation_form")
    out = {}
    for name, most in form:
        text = (given.get(name) or "").strip()
        if not text.isdigit() or int(text) > most:
            raise EvaluationError(f"{name}: a whole number from 0 to {most}")
        out[name] = int(text)
    return out


def queue_call(qcid: int) -> dict | None:
    """The facts of a queue call an evaluation is about."""
    row = db.execute_sql("SELECT id, queue, agent, entered_utc, caller, outcome, wait_s, talk_s FROM queue_call "
                         "WHERE id = ? AND seen_enter = 1", (qcid,)).fetchone()
    names = ("id", "queue", "agent", "entered_utc", "caller", "outcome", "wait_s", "talk_s")
    return dict(zip(names, row)) if row else None


def record(call: dict, evaluator: str, scores: dict[str, int], form: tuple[tuple[str, int], ...], note: str = "",
           now: int | None = None) -> int:
    """Store an evaluation of `call` (queue_call facts); the caller binds CallEvaluation to a writable database."""
    row = CallEvaluation.create(
        queue_call_id=call["id"], queue=call["queue"], agent=call["agent"], entered_utc=call["entered_utc"],
        evaluator=evaluator, at_utc=int(time.time() if now is None else now),
        scores=json.dumps({"form": [list(c) for c in form], "points": scores}, ensure_ascii=False),
        points=sum(scores.values()), max_points=sum(most for _, most in form), note=note.strip()[:NOTE_MAX])
    return row.id


def of_call(qcid: int) -> list[dict]:
    """The evaluations of a queue call, newest first."""
    out = []
    rows = CallEvaluation.select().where(CallEvaluation.queue_call_id == qcid)
    for e in rows.order_by(CallEvaluation.at_utc.desc(), CallEvaluation.id.desc()):
        kept = json.loads(e.scores)
        out.append({"evaluator": e.evaluator, "at_utc": e.at_utc, "points": e.points, "max_points": e.max_points,
                    "score_pct": share(e.points, e.max_points), "note": e.note,
                    "scores": [(name, kept["points"].get(name), most) for name, most in kept["form"]]})
    return out


def by_agent(ask: Ask) -> dict[str, tuple[int, int, int]]:
    """agent -> (evaluations, points, points possible) of the calls entered in the period (of the asked queues)."""
    args: list = []
    where = period_where(ask.since, ask.until, None, args, queues=ask.queues).replace("seen_enter = 1", "1")
    return {a: (n, p, m) for a, n, p, m in db.execute_sql(
        f"SELECT agent, COUNT(*), SUM(points), SUM(max_points) FROM call_evaluation WHERE {where} GROUP BY agent",
        args)}


def report(ask: Ask) -> Table:
    """Per agent: calls evaluated, points given and possible, the score in %."""
    cols = [Col("agent", "agent"), Col("evaluated"), Col("points"), Col("max_points"), Col("score_pct", "percent")]
    rows: list[list] = [[a, n, p, m, share(p, m)] for a, (n, p, m) in sorted(by_agent(ask).items())]
    points, most = sum(r[2] for r in rows), sum(r[3] for r in rows)
    return Table(cols, rows, [""] + [sum(r[1] for r in rows), points, most, ratio(points, most, 100)] if rows
                 else None, chart=("bar", ("score_pct",)))
