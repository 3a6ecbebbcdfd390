"""A branch's queue calls through the relay the test controls, on SQLite and PostgreSQL: the link cut mid-batch,
then the queue log going on while the link is down; the central ends up with the branch's queue calls exactly (the
same ids and facts, no duplicate) and the same KPIs per queue."""
import json
import random
import sqlite3

import pytest

from appliance import store
from appliance.paths import Paths
from cc_helpers import feed
from pg_server import engine, postgres  # noqa: F401  (fixtures)
from sync_helpers import cli, cli_json, generate, make_branch
from test_outages import central, relay  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow   # a central process
FACTS = "rid, queue, entered_utc, outcome, wait_s, talk_s, agent, closed"


def queue_log(n: int, first: int, seed: int) -> list[str]:
    """`n` queue calls from `first` (epoch s) a minute apart: answered and completed, abandoned or timed out."""
    rnd = random.Random(seed)
    lines = []
    for i in range(n):
        t, uid, q = first + 60 * i, f"{first + 60 * i}.{i}", rnd.choice(("sales", "support", "Müşteri"))
        lines.append(f"{t}|{uid}|{q}|NONE|ENTERQUEUE||05{rnd.randint(10**8, 10**9 - 1)}|1")
        wait = rnd.randint(0, 90)
        kind = rnd.random()
        if kind < 0.7:
            agent, talk = f"PJSIP/{rnd.randint(201, 209)}", rnd.randint(5, 600)
            lines += [f"{t + wait}|{uid}|{q}|{agent}|CONNECT|{wait}|{t + wait}.9|3",
                      f"{t + wait + talk}|{uid}|{q}|{agent}|COMPLETECALLER|{wait}|{talk}|1"]
        elif kind < 0.9:
            lines.append(f"{t + wait}|{uid}|{q}|NONE|ABANDON|1|1|{wait}")
        else:
            lines.append(f"{t + wait}|{uid}|{q}|NONE|EXITWITHTIMEOUT|1|1|{wait}")
    return lines


def branch_facts(data) -> set:
    con = sqlite3.connect(data / "callbox.db", timeout=30)
    try:
        return set(con.execute(f"SELECT {FACTS.replace('rid', 'id')} FROM queue_call"))
    finally:
        con.close()


def assert_same(c, data, name):
    theirs = c.query(f"SELECT {FACTS} FROM central_queue_call WHERE branch = ?", (name,))
    assert len(theirs) == len(set(theirs))          # no queue call twice
    assert set(theirs) == branch_facts(data)


def test_queue_calls_survive_a_cut_mid_batch_and_a_link_down(central, relay, tmp_path):  # noqa: F811
    b = tmp_path / "branch"
    make_branch(b, central, "izmir", relay.url)
    feed(Paths(b), queue_log(1500, 1_780_000_000, seed=1))
    store.close_db()
    generate(b, 300, 1, seed=1)
    relay.cut_after = 6000                      # the first connection dies inside the first batch
    rc, out, err = cli("sync", "now", "--data", str(b), "--json")
    assert rc == 1 and json.loads(out)["sent"] == 0
    assert central.query("SELECT COUNT(*) FROM central_queue_call")[0][0] == 0     # nothing of a half batch
    assert cli_json("sync", "now", "--data", str(b), "--json") == {"sent": 300, "pending": 0}
    assert_same(central, b, "izmir")

    relay.down()                                # the queue log goes on while the link is down
    feed(Paths(b), queue_log(800, 1_780_200_000, seed=2))
    store.close_db()
    rc, out, err = cli("sync", "now", "--data", str(b), "--json")
    assert rc == 1
    relay.up = True
    cli_json("sync", "now", "--data", str(b), "--json")
    assert_same(central, b, "izmir")
    assert len(branch_facts(b)) == 2300
