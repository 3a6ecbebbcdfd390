"""The branch's directory and tariffs as snapshots for its central (store/sync_snapshot.py says why whole).

A snapshot is {"kind", "branch", "version", "tables": {table: {"columns": [...], "rows": [[...], ...]}}}: every
row of the kind's tables (KINDS) as this box stores it, ordered by id. Its version is the SHA-256 of the tables'
canonical JSON, so the central can check it and both ends agree on it. It travels zlib-compressed (POST
/sync/snapshot/KIND, the SHA-256 of the body in wire.H_DIGEST, the version in H_VERSION); decode() refuses, with the
reason, a body that is truncated, corrupt, of another kind or branch, or whose rows are not what their version says.
"""
from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass

from appliance.store.base import db
from appliance.store.sync import get_state
from appliance.store.sync_snapshot import KINDS, generation_key
from appliance.sync import wire

H_VERSION = "X-Callbox-Snapshot-Version"
MAX_CELL = 1 << 16         # a cell's text, at most (a destination's prefixes are the longest: thousands of them)


@dataclass(frozen=True)
class Snapshot:
    kind: str
    branch: str
    version: str
    tables: dict
    rows: int


def _canonical(tables: dict) -> bytes:
    return json.dumps(tables, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def version_of(tables: dict) -> str:
    return hashlib.sha256(_canonical(tables)).hexdigest()


def tables(kind: str) -> dict:
    """The kind's tables as this box has them now (read in one transaction: a consistent snapshot)."""
    out = {}
    with db.atomic():
        for table in KINDS[kind]:
            cur = db.execute_sql(f'SELECT * FROM "{table}" ORDER BY id')
            columns = [d[0] for d in cur.description]
            out[table] = {"columns": columns,
                          "rows": [[bytes(v).hex() if isinstance(v, (bytes, memoryview)) else v for v in r]
                                   for r in cur.fetchall()]}
    return out


def current(kind: str) -> tuple[str, dict]:
    """(generation, tables) of `kind` now, read in one transaction: the generation counts the changes the tables
    hold (store/sync_snapshot.py TRIGGERS)."""
    with db.atomic():
        return get_state(generation_key(kind), "0"), tables(kind)


def encode(kind: str, branch: str, t: dict) -> tuple[str, bytes]:
    """(version, compressed body) of the snapshot of tables `t`."""
    version = version_of(t)
    doc = {"kind": kind, "branch": branch, "version": version, "tables": t}
    return version, zlib.compress(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def headers(body: bytes, version: str) -> dict[str, str]:
    return {wire.H_DIGEST: wire.digest(body), H_VERSION: version, "Content-Type": "application/octet-stream",
            "Content-Length": str(len(body))}


def _inflate(body: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        plain = inflater.decompress(body, wire.MAX_PLAIN)
    except zlib.error as e:
        raise wire.WireError(f"corrupt snapshot: {e}") from None
    if inflater.unconsumed_tail:
        raise wire.WireError(f"snapshot inflates beyond {wire.MAX_PLAIN >> 20} MiB")
    if not inflater.eof:
        raise wire.WireError("truncated snapshot: the compressed stream ends early")
    return plain


def _check_tables(kind: str, t) -> int:
    """The number of rows of well-formed tables `t` of `kind`; WireError naming what is wrong."""
    if not isinstance(t, dict) or set(t) != set(KINDS[kind]):
        raise wire.WireError(f"{kind} snapshot: its tables are not {', '.join(KINDS[kind])}")
    n = 0
    for name, table in t.items():
        columns = table.get("columns") if isinstance(table, dict) else None
        rows = table.get("rows") if isinstance(table, dict) else None
        if (not isinstance(columns, list) or not columns or "id" not in columns
                or not all(isinstance(c, str) for c in columns) or not isinstance(rows, list)):
            raise wire.WireError(f"{kind} snapshot: table {name} has no columns or rows")
        for row in rows:
            if not isinstance(row, list) or len(row) != len(columns) or not all(
                    v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                    or (isinstance(v, str) and len(v) <= MAX_CELL) for v in row):
                raise wire.WireError(f"{kind} snapshot: a bad row in table {name}: {str(row)[:80]!r}")
        n += len(rows)
    return n


def decode(body: bytes, head: dict[str, str], kind: str) -> Snapshot:
    """The snapshot in `body` (its headers as sent), checked; WireError with the reason otherwise."""
    if kind not in KINDS:
        raise wire.WireError(f"unknown snapshot kind {kind!r}")
    if head.get(wire.H_DIGEST) != wire.digest(body):
        raise wire.WireError("corrupt or truncated snapshot: its SHA-256 does not match the header")
    plain = _inflate(body)
    try:
        doc = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise wire.WireError(f"corrupt snapshot: not JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("kind") != kind or not isinstance(doc.get("branch"), str):
        raise wire.WireError(f"the snapshot is not a {kind} snapshot")
    rows = _check_tables(kind, doc.get("tables"))
    version = version_of(doc["tables"])
    if doc.get("version") != version or head.get(H_VERSION) != version:
        raise wire.WireError(f"{kind} snapshot: its rows are not those of its version")
    return Snapshot(kind, doc["branch"], version, doc["tables"], rows)
