"""The audit log's details as a key and fields (issue 20: they were English text, shown so in every language).

An entry's detail is stored as JSON {"key": ..., "fields": {...}} (encode); the web says it in the reader's language
(webui/admin/users.py, whose catalogue has these texts), the app log and anything else in English (english). An
older entry's detail is plain text: shown as it is. A detail that names no text (a recording's file name, a right)
stays plain text."""
from __future__ import annotations

import json
import re

TEXT = {
    "access": "role {role}, scope {scope}, tenant {tenant}, person {person}",
    "access_changed": "role {old_role} → {role}, scope {old_scope} → {scope}, tenant {old_tenant} → {tenant}, "
                      "person {old_person} → {person}",
    "lockout": "{failures} failed logins: locked for {seconds} s",
    "wallboard_queues": "queues {queues}",
    "every_queue": "every queue",
    "evaluation": "{points} of {most} points, agent {agent}",
}


# what an entry points at (its target), when it is not a user's name: stored as these English words (a call, a queue
# call, a login throttle's key), which the web says in the reader's language (target); any other target as it is
TARGETS = {"call": "call {id}", "queue_call": "queue call {id}", "pair": "{user} from {address}",
           "addr": "address {address}"}
TARGET_FORMS = (("call", re.compile(r"call (?P<id>\d+)")), ("queue_call", re.compile(r"queue call (?P<id>\d+)")),
                ("pair", re.compile(r"pair:(?P<user>[^|]*)\|(?P<address>.*)")),
                ("addr", re.compile(r"addr:(?P<address>.*)")))
# the rights an entry's detail names (right_granted, right_revoked; appliance.access.rights.RIGHTS)
RIGHT_NAMES = {"listen": "listen to recordings"}


def target(stored: str) -> tuple[str, dict] | None:
    """(key, fields) of a stored target in TARGETS' words, None for another (a user's name, a wallboard's)."""
    for key, form in TARGET_FORMS:
        m = form.fullmatch(stored)
        if m is not None:
            return key, m.groupdict()
    return None


def encode(key: str, **fields: str | int) -> str:
    """A detail as stored: the text's key (TEXT) and its fields."""
    if key not in TEXT:
        raise KeyError(f"no audit text {key!r}")
    return json.dumps({"key": key, "fields": fields}, ensure_ascii=False, sort_keys=True)


def parse(stored: str) -> tuple[str, dict] | None:
    """(key, fields) of a stored detail, None for plain text (an older entry's, or one naming no text)."""
    if not stored.startswith("{"):
        return None
    try:
        doc = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("key") not in TEXT or not isinstance(doc.get("fields", {}), dict):
        return None
    return doc["key"], dict(doc.get("fields") or {})


def say(template: str, fields: dict, stored: str) -> str:
    """`template` filled in with `fields`; `stored` (as it is) when a field is missing."""
    try:
        return template.format(**{k: ("–" if v in ("", None) else v) for k, v in fields.items()})
    except (KeyError, IndexError, ValueError):
        return stored


def english(stored: str) -> str:
    """A stored detail in English (the log, the CLI); plain text as it is."""
    found = parse(stored)
    return stored if found is None else say(TEXT[found[0]], found[1], stored)
