"""The directory sync's and import's problems and change details as a key and fields (issue 20: they were English
sentences in every language).

A problem, a change's detail or a CSV file's error keeps its English text (the CLI, the log, `--json`'s "message"
and "detail") and beside it its text: {"key": ..., "fields": {...}} (text()). The web says it in the reader's
language (webui/admin/directory_text.py), the alert e-mails in the recipient's (appliance.alerts.texts); a report
stored before these texts has none and is shown as stored. A field is a value as it is (a name, a file name, an
OS's or a directory server's own words), a text of its own (a nested {"key", "fields"}: "people.csv line 7"), or a
list of either (said joined by ", "). N_ marks the English for `make messages` (webui/i18n_extract.py)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable


def N_(message: str) -> str:
    return message


TEXT = {
    # where in a CSV file (`where` and `at` fields)
    "at_line": N_("{file} line {line}"), "at_column": N_("{file} line {line}, column {column}"),
    "at_field": N_("{file} line {line}, column {column} ({field})"),
    # a CSV file that cannot be read at all (ValueError, see CSVError)
    "not_utf8": N_("{file}: line {line} is not UTF-8 (byte {byte}): save the file as UTF-8 (Excel: 'CSV UTF-8')"),
    "unknown_column": N_("{where}: unknown column {name!r} in the header (columns: {columns})"),
    "column_twice": N_("{where}: column {name!r} appears twice in the header"),
    "header_needs": N_("{where}: the header needs person_id and first_name or last_name (it has {names})"),
    "empty_file": N_("{file}: empty file (no header row)"),
    # a CSV row that cannot be read completely (bad_record); row_skipped / ignored say what became of it
    "row_skipped": N_("{problem}; row skipped"), "ignored": N_("{problem}; ignored"),
    "field_count": N_("{where}: field count {count}, the header has {expected}"),
    "other_tenant": N_("{where}: {tenant!r} is not tenant {only!r}"),
    "no_person_id": N_("{where}: no person_id"),
    "bad_date": N_("{where}: {value!r} is not an ISO 8601 date or time (e.g. 2026-03-01)"),
    # a source that cannot be read (source_error); {error} is a text above or a system's own words
    "source_failed": N_("{source}: {error}"), "no_people": N_("{source}: no people read"),
    "no_source": N_("no source configured: set [ldap] url and/or [directory] csv"),
    "ldap_password_twice": N_("[ldap] set password_file or password, not both"),
    "ldap_url": N_("[ldap] url {url!r} should start with ldap:// or ldaps://"),
    # consolidation and applying
    "duplicate_person": N_("{person} appears twice in {source} ({first}, {second}); the first is used"),
    "conflict": N_("{person} ({name}): {field} is {values}; using {source}"),
    "value_in": N_("{value} in {source}"),
    "unknown_tenant": N_("tenant {tenant!r} does not exist: {count} people skipped"),
    "unknown_branch": N_("unknown branch {name!r}: left empty for {people}"),
    "unknown_department": N_("unknown department {name!r}: left empty for {people}"),
    "unknown_cost_centre": N_("unknown cost centre {name!r}: left empty for {people}"),
    "no_extension": N_("{person} ({name}) has no extension"),
    "duplicate_extension": N_("extension {extension} is claimed by {claims}; given to {person}"),
    "backdated": N_("{where}: {what} {at} not possible ({error}); dated now instead"),
    "placement": N_("placement"), "move": N_("move"), "extension": N_("extension {extension}"),
    "since_always": N_("since always"), "the_beginning": N_("the beginning"),
    # why a dated change is refused (appliance.directory.organisation.DirectoryError)
    "rewrite_history": N_("{what} started at {start}: a change at {at} would rewrite history"),
    "placement_of": N_("the placement of {person}"),
    "placement_after": N_("{person} had a placement after {at}: moves only go forward"),
    "placement_needs_time": N_("{person} already has a placement: a move needs its time"),
    "extension_taken": N_("extension {extension} belongs to person {person}"),
    "takeover_needs_time": N_("extension {extension} is taken over: the take-over needs its time"),
    "extension_until": N_("extension {extension} was assigned until {until}, after {at}"),
    # refused edits (appliance.directory.edits, organisation) and trunk files (appliance.directory.trunks)
    "unit_branch": N_("branch"), "unit_department": N_("department"), "unit_cost_centre": N_("cost centre"),
    "needs_name": N_("a {kind} needs a name"), "unit_exists": N_("{kind} {name!r} exists already"),
    "no_unit": N_("no {kind} {id}"), "no_person": N_("no person {person}"),
    "no_unit_in": N_("no {kind} {id} in tenant {tenant}"), "no_person_in": N_("no person {person} in tenant {tenant}"),
    "person_needs_id": N_("a person needs an id"), "person_exists": N_("person {person!r} already exists"),
    "person_needs_name": N_("a person needs a first or last name"), "empty_extension": N_("an empty extension"),
    "trunk_not_in_service": N_("trunk {trunk!r} is not in service"),
    "trunk_started_later": N_("trunk {trunk} started later: an end before its start would rewrite history"),
    "trunk_needs_time": N_("trunk {trunk} already has a provider: a change needs its time"),
    "trunk_unknown_column": N_("{where}: unknown column {name!r} (columns: {columns})"),
    "trunk_column_twice": N_("{where}: column {name!r} appears twice"),
    "trunk_header_needs": N_("{where}: the header needs the column(s) {columns}"),
    "trunk_twice": N_("{where}: trunk {trunk!r} with this valid_from is already on line {line}"),
    "empty_field": N_("{where}: empty"),
    "trunk_not_utf8": N_("{where}: not UTF-8 (byte {byte}); save the file as UTF-8 (Excel: 'CSV UTF-8')"),
    "at_row": N_("line {line}: {error}"),
    # change details
    "ended": N_("no longer in any source"), "no_placement": N_("no placement"),
    "placed": N_("{place} (cost centre {cost_centre})"),
    "new_person": N_("{place}; extensions {extensions}"),
    "moved": N_("{old} → {new}"),
    "field_changed": N_("{field} {old!r} → {new!r}"),
    "first_name": N_("first_name"), "last_name": N_("last_name"), "email": N_("email"),
}


def iso(at: int) -> str:
    """A UTC time as messages give it."""
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def text(key: str, **fields: object) -> dict:
    """A text as stored: its key and fields."""
    if key not in TEXT:
        raise KeyError(f"no directory text {key!r}")
    return {"key": key, "fields": fields}


def is_text(value: object) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("key"), str) and value["key"] in TEXT
            and isinstance(value.get("fields", {}), dict))


def plain(key: str, value: object) -> str:
    """A field's value that is no text, as the English shows it."""
    return str(value)


def say(value: object, translate: Callable[[str], str] = N_, shown: Callable[[str, object], str] = plain,
        key: str = "") -> str:
    """A stored text (or a field's value) in words: `translate` gives a message's words in the language (English by
    default), `shown(field, value)` a value that is no text (a count, a time, a name). KeyError/IndexError/ValueError
    when a stored text lacks a field its words name (say_or keeps the stored English then)."""
    if isinstance(value, list):
        return ", ".join(say(v, translate, shown, key) for v in value)
    if not is_text(value):
        return shown(key, value)
    assert isinstance(value, dict)
    fields = {k: say(v, translate, shown, k) for k, v in (value.get("fields") or {}).items()}
    return translate(TEXT[value["key"]]).format(**fields)


def english(value: object) -> str:
    return say(value)


def say_or(value: object, stored: str, translate: Callable[[str], str] = N_,
           shown: Callable[[str, object], str] = plain) -> str:
    """`value` (a stored text, or a list of them) said, else `stored` (the English of a report from before these
    texts) as it is."""
    if not (is_text(value) or isinstance(value, list) and value and all(is_text(v) for v in value)):
        return stored
    try:
        return say(value, translate, shown)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return stored


class CSVError(ValueError):
    """A directory CSV file that cannot be read at all; str() is the English, .text the key and fields."""

    def __init__(self, key: str, **fields: object):
        self.text = text(key, **fields)
        super().__init__(english(self.text))


def error_text(e: Exception) -> object:
    """An exception as a field: its text when it has one (CSVError, DirectoryError, LDAPSourceError), else its
    own words."""
    found = getattr(e, "text", None)
    return found if is_text(found) else str(e)


def where_of(rec) -> dict | str:
    """Where a SourcePerson is, as a text ("people.csv line 7") or as its source says it (an LDAP DN)."""
    return rec.where_text or rec.where
