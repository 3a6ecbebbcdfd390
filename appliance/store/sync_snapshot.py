"""Branch → central sync of the branch's directory and tariffs themselves (APP-1), not only their versions.

A branch sends each of them whole, as a snapshot of its tables (rows with their validity periods, so the history
travels too), whenever its version (the SHA-256 of the snapshot) differs from the one the central holds: the
central says which it holds in every answer (appliance/central/server.py). A snapshot replaces the branch's
previous one in one transaction, so the central has either the old or the new one, never half; keyed by branch
and kind it is idempotent (a resend stores the same). A directory is thousands of rows, a tariff deck tens of
thousands: whole snapshots when they change cost less than keeping a second change log beside the calls'.
"""
from __future__ import annotations

from peewee import BigAutoField, BigIntegerField, TextField

from appliance.store.base import Base
from appliance.store.central_db import central_db

# what each kind carries: the branch's tables (each with its columns as the branch has them)
KINDS: dict[str, tuple[str, ...]] = {
    "directory": ("tenant", "branch", "department", "cost_centre", "person", "placement", "extension_assignment",
                  "trunk"),
    "tariffs": ("tariff_provider", "tariff_plan", "tariff_version", "tariff_band", "tariff_holiday",
                "tariff_destination", "tariff_rate"),
}


def generation_key(kind: str) -> str:
    """The sync_state key counting the changes of `kind`'s tables on a branch (bumped by TRIGGERS)."""
    return f"snapshot_gen_{kind}"


# On an enrolled branch, every change of a kind's tables bumps its generation in sync_state (in the change's
# transaction), so the sender rebuilds a snapshot only when something changed (a tariff deck's snapshot costs a
# few hundred ms of CPU: not every cycle).
TRIGGERS = [(f"sync_snap_{table}_{op[:3].lower()}",
             f"AFTER {op} ON \"{table}\" BEGIN INSERT OR REPLACE INTO sync_state (key, value) VALUES "
             f"('{generation_key(kind)}', COALESCE((SELECT CAST(value AS INTEGER) FROM sync_state "
             f"WHERE key = '{generation_key(kind)}'), 0) + 1); END")
            for kind, tables in KINDS.items() for table in tables for op in ("INSERT", "UPDATE", "DELETE")]


class CentralSnapshot(Base):
    """A branch's directory or tariffs as it last sent them: the snapshot's JSON ({"tables": {name: {"columns",
    "rows"}}}), its version and its number of rows."""
    id = BigAutoField()
    branch = TextField()
    kind = TextField()                     # a key of KINDS
    version = TextField()                  # SHA-256 hex of the snapshot as the branch made it
    doc = TextField()                      # the tables (JSON, UTF-8)
    rows = BigIntegerField(default=0)
    received_utc = BigIntegerField(default=0)

    class Meta:
        table_name = "central_snapshot"
        database = central_db
        indexes = ((("branch", "kind"), True),)
