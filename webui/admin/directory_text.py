"""The directory sync's and import's problems, change details and CSV file errors in the reader's language
(issue 20: they were English sentences on every page).

A report stores each problem's and change's text as a key and fields beside its English (appliance/directory/
texts.py, whose words `make messages` extracts into the web's catalogue); this says them with the catalogue. A
report from before these texts, or a problem in a server's or an OS's own words, shows as stored."""
from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo

import bottle

from appliance.directory import texts
from webui.i18n import N_, _, fmt_at, fmt_number

# where a person came from (appliance.store.directory.Person.origin), as their page says it
ORIGINS = {"manual": N_("added by hand"), "import": N_("loaded from a directory file"),
           "sync": N_("kept by the directory sync")}
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
PLAIN_NUMBERS = ("line", "column")          # a file's line and column numbers: no digit grouping


def said(text: object, stored: str, tz: tzinfo = timezone.utc) -> str:
    """A stored text in the user's language, its times in the zone `tz` (the page's); `stored` (its English as
    stored) when there is none."""
    def shown(field: str, value: object) -> str:
        if isinstance(value, int) and not isinstance(value, bool) and field not in PLAIN_NUMBERS:
            return fmt_number(value)
        if isinstance(value, str) and ISO_UTC.fullmatch(value):
            at = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            return fmt_at(int(at.timestamp()), tz, "medium")
        return str(value)
    return texts.say_or(text, stored, _, shown)


def problem_text(problem: dict, tz: tzinfo = timezone.utc) -> str:
    """A sync report's problem (appliance.directory.sync.SyncReport.to_dict) in the user's language."""
    return said(problem.get("text"), str(problem.get("message", "")), tz)


def change_text(change: dict, tz: tzinfo = timezone.utc) -> str:
    """A sync report's change's detail in the user's language."""
    return said(change.get("text"), str(change.get("detail", "")), tz)


def error_text(e: Exception, tz: tzinfo = timezone.utc) -> str:
    """A directory error (DirectoryError, a CSV file's CSVError) in the user's language, else as it says itself."""
    return said(getattr(e, "text", None), str(e), tz)


def row_problem(text: dict | None, stored: str) -> str:
    """A bad CSV row's problem without what became of the row ("; row skipped"): the upload refuses the whole
    file instead."""
    if texts.is_text(text) and text is not None and text["key"] in ("row_skipped", "ignored"):
        return said(text["fields"].get("problem"), stored)
    return stored


def origin_text(origin: str) -> str:
    """Where a person came from, in the user's language ("from <origin>" for one stored by a newer version)."""
    return _(ORIGINS[origin]) if origin in ORIGINS else _("from {origin}").format(origin=origin)


# for templates/directory_sync.tpl and directory_person.tpl, as webui.i18n's HELPERS
bottle.BaseTemplate.defaults.update(problem_text=problem_text, change_text=change_text, origin_text=origin_text)
