"""Call-centre test helpers: queue_log lines through the real driver and worker into a database, and its journeys."""
from __future__ import annotations

import json

from appliance import config, store
from appliance.ingest.worker import build_processor, process_all
from appliance.journal import JournalWriter
from appliance.paths import Paths

SOURCE = "file:/var/log/asterisk/queue_log"
CFG = "[pbx]\ndriver = asterisk_queue_log\n"


def feed(paths: Paths, lines, source: str = SOURCE) -> None:
    """Append queue_log lines (str or bytes) to the journal and let the worker store them (database left open)."""
    with JournalWriter(paths.journal) as w:
        w.append_many([((x if isinstance(x, bytes) else x.encode()) + b"\n", 0) for x in lines], source)
    store.open_db(paths.db)
    process_all(paths, build_processor(config.Config(text=CFG)))


def journeys(where: str = "1", args: tuple = ()) -> list[dict]:
    """The stored queue calls as dicts (rings and problems decoded), in ENTERQUEUE order."""
    cur = store.db.execute_sql(f"SELECT * FROM queue_call WHERE {where} ORDER BY entered_utc, id", args)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    for r in rows:
        r["rings"] = json.loads(r["rings"])
        r["problems"] = r["problems"].split(",") if r["problems"] else []
    return rows


def by_key(rows: list[dict]) -> dict[str, dict]:
    return {f"{r['call_key']}@{r['queue']}": r for r in rows}
