"""What a branch tells its central about itself beside its calls (APP-1): its quarantine count, the tariff versions
that price its calls and a version of its directory, sent with every request (headers, appliance/sync/wire.py) so
the central's branch health shows them and notes when they change.

The directory's version is a digest of its tables (people, placements, extensions, branches, departments): equal
on both sides means the same directory; the central notes the time it last changed. Cheap enough for every
request (a box's directory is thousands of rows, not millions).
"""
from __future__ import annotations

import hashlib
from urllib.parse import quote, unquote

from appliance.store.base import db

DIRECTORY_TABLES = ("branch", "department", "person", "placement", "extension_assignment")
MAX_TEXT = 1000     # a header's text, at most (a box with very many plans sends their first ones)


def quarantined() -> int:
    return db.execute_sql("SELECT COUNT(*) FROM quarantine").fetchone()[0]


def tariffs() -> str:
    """Each plan's newest version: "provider / plan @ YYYY-MM-DD", joined by "; " (sorted)."""
    rows = db.execute_sql("SELECT p.name, tp.name, MAX(v.valid_from) FROM tariff_version v "
                          "JOIN tariff_plan tp ON v.plan_id = tp.id JOIN tariff_provider p ON tp.provider_id = p.id "
                          "GROUP BY tp.id").fetchall()
    return "; ".join(sorted(f"{provider} / {plan} @ {since}" for provider, plan, since in rows))[:MAX_TEXT]


def directory() -> str:
    """"N people, digest": the number of people and the first 12 hex digits of the directory's SHA-256."""
    h = hashlib.sha256()
    for table in DIRECTORY_TABLES:
        for row in db.execute_sql(f'SELECT * FROM "{table}" ORDER BY id'):
            h.update(repr(row).encode("utf-8"))
        h.update(b"|")
    people = db.execute_sql("SELECT COUNT(*) FROM person").fetchone()[0]
    return f"{people} people, {h.hexdigest()[:12]}"


def encode(text: str) -> str:
    """Header-safe (HTTP headers are Latin-1: plan names may be any script)."""
    return quote(text, safe=" /@;,:")


def decode(text: str) -> str:
    return unquote(text)[:MAX_TEXT]
