"""A campaign's progress and results (counts by state, attempts by outcome, results, per agent), its contacts as
listed (invalid and do-not-call numbers with why), and the CSV export with every contact and its custom fields."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from appliance.dialer.campaigns import fields_of
from appliance.reports.csv_cells import row as csv_row
from appliance.store.dialer import CONTACT_STATES, OUTCOMES, Campaign, Contact

EXPORT_COLUMNS = ("line", "number", "as_written", "state", "problem", "attempts", "last_outcome", "result", "note",
                  "agent", "updated")


def _db():
    """The database the dialer's tables are bound to now: the store's, or the web's writable connection
    (webui.db.write_access binds them for one request)."""
    return Contact._meta.database


def _rows(sql: str, cid: int) -> list[tuple]:
    return list(_db().execute_sql(sql, (cid,)).fetchall())


def progress(c: Campaign) -> dict:
    """{"states": {state: n}, "total", "dialable", "finished", "done_pct", "outcomes", "attempts", "results",
    "agents": {username: {outcome: n, "results": n}}}."""
    states: Counter[str] = Counter({s: 0 for s in CONTACT_STATES})
    for state, n in _rows("SELECT state, COUNT(*) FROM contact WHERE campaign_id = ? GROUP BY state", c.id):
        states[state] = n
    outcomes: Counter[str] = Counter({o: 0 for o in OUTCOMES})
    agents: dict[str, Counter[str]] = {}
    for agent, outcome, n in _rows("SELECT agent, outcome, COUNT(*) FROM attempt WHERE campaign_id = ? AND "
                                   "state = 'done' GROUP BY agent, outcome", c.id):
        outcomes[outcome] += n
        agents.setdefault(agent, Counter())[outcome] += n
    results: Counter[str] = Counter()
    for agent, result, n in _rows("SELECT agent, result, COUNT(*) FROM contact WHERE campaign_id = ? AND "
                                  "state = 'done' GROUP BY agent, result", c.id):
        results[result] += n
        agents.setdefault(agent, Counter())["results"] += n
    total = sum(states.values())
    dialable = total - states["invalid"] - states["dnc"]
    finished = states["done"] + states["exhausted"]
    return {"states": dict(states), "total": total, "dialable": dialable, "finished": finished,
            "done_pct": round(100 * finished / dialable, 1) if dialable else 100.0,
            "outcomes": dict(outcomes), "attempts": sum(outcomes.values()), "results": dict(results.most_common()),
            "agents": {a: dict(n) for a, n in sorted(agents.items())}}


def listed(c: Campaign, states: tuple[str, ...], limit: int = 500) -> list[Contact]:
    """The campaign's contacts in these states, in source order (invalid and do-not-call numbers: the lists)."""
    return list(Contact.select().where(Contact.campaign == c.id, Contact.state.in_(states))
                .order_by(Contact.line).limit(limit))


def contact_fields(ct: Contact) -> dict[str, str]:
    return json.loads(ct.fields)


def export_csv(c: Campaign) -> str:
    """Every contact (source order) with its state, attempts, result, note, agent and custom fields; times in the
    campaign's zone with their offset; every cell safe from spreadsheet formulas (reports.csv_cells)."""
    tz = ZoneInfo(c.timezone)
    extra = fields_of(c)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(list(EXPORT_COLUMNS) + extra)
    for ct in Contact.select().where(Contact.campaign == c.id).order_by(Contact.line).iterator():
        f = json.loads(ct.fields)
        updated = datetime.fromtimestamp(ct.updated_utc, tz).isoformat(timespec="seconds") if ct.updated_utc else ""
        w.writerow(csv_row([ct.line, ct.number, ct.as_written, ct.state, ct.problem, ct.attempts, ct.last_outcome,
                            ct.result, ct.note, ct.agent, updated] + [f.get(k, "") for k in extra]))
    return out.getvalue()


def summary_json(c: Campaign) -> dict:
    """The campaign and its progress, as `callbox campaign show --json` prints it."""
    return {"code": c.code, "name": c.name, "tenant": c.tenant, "mode": c.mode, "state": c.state,
            "timezone": c.timezone, "windows": c.windows, "max_attempts": c.max_attempts,
            "retry_min": {"busy": c.retry_busy_min, "no_answer": c.retry_no_answer_min, "failed": c.retry_failed_min},
            "fields": fields_of(c), "source": c.source, "created_utc": c.created_utc, "progress": progress(c)}
