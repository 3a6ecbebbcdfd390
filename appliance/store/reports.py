"""Report tables: saved reports, published templates and named time ranges.

Saved reports and templates store a reports.Spec as JSON and are re-run on current data by id. The roll-up
tables are in appliance/store/rollups.py.
"""
from __future__ import annotations

import copy
import json
import logging
import time

from peewee import IntegerField, TextField

from appliance.store import versioned
from appliance.store.base import Base

log = logging.getLogger(__name__)


class SavedReport(Base):
    """A user's named report (owner = username, casefolded) or, with owner "", a template admins publish."""
    id = IntegerField(primary_key=True)
    owner = TextField(index=True)          # casefolded username; "" for a template
    name = TextField()
    spec = TextField()                     # reports.Spec.as_dict() as JSON
    audience_roles = TextField(default="")   # templates: comma-separated roles that see it
    audience_users = TextField(default="")   # templates: comma-separated casefolded usernames that see it
    created_by = TextField(default="")
    created_utc = IntegerField()
    updated_utc = IntegerField()


class TimeRange(Base):
    """A named time-of-week range an admin defined (overrides the built-in default of the same name)."""
    name = TextField(primary_key=True)
    label = TextField(default="")
    days = TextField()                     # ISO weekdays, e.g. "1-5" or "6,7"
    start = TextField()                    # local HH:MM
    end = TextField()                      # local HH:MM; <= start wraps past midnight; == start: the whole day


MODELS_REPORTS = (SavedReport, TimeRange)


def now() -> int:
    return int(time.time())


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


# ---- saved reports and templates (REP-2) ----

class ReportAccessError(LookupError):
    """No such saved report or template for this user (the message never tells which of the two)."""


def _key(username: str) -> str:
    return username.casefold()


def _csv(values) -> str:
    return ",".join(sorted({v.strip().casefold() for v in values if v.strip()}))


def save_report(owner: str, name: str, spec: dict, report_id: int | None = None) -> int:
    """Save (or, with report_id, overwrite) the user's named report; returns its id."""
    if not name.strip():
        raise ValueError("a saved report needs a name")
    t = now()
    if report_id is not None:
        row = SavedReport.get_or_none(SavedReport.id == report_id, SavedReport.owner == _key(owner))
        if row is None:
            raise ReportAccessError(f"no saved report {report_id}")
        SavedReport.update(name=name.strip(), spec=dumps(spec), updated_utc=t).where(SavedReport.id == row.id).execute()
        return row.id
    return SavedReport.create(owner=_key(owner), name=name.strip(), spec=dumps(spec), created_by=owner,
                              created_utc=t, updated_utc=t).id


def publish_template(admin: str, name: str, spec: dict, roles=(), usernames=(), template_id: int | None = None) -> int:
    """Publish (or update) a template to the given roles and/or users; the caller checks `admin` is one."""
    if not name.strip():
        raise ValueError("a template needs a name")
    fields = dict(name=name.strip(), spec=dumps(spec), audience_roles=_csv(roles), audience_users=_csv(usernames),
                  updated_utc=now())
    if template_id is not None:
        if not SavedReport.update(**fields).where(SavedReport.id == template_id, SavedReport.owner == "").execute():
            raise ReportAccessError(f"no template {template_id}")
        return template_id
    return SavedReport.create(owner="", created_by=admin, created_utc=fields["updated_utc"], **fields).id


def _visible(row: SavedReport, username: str, role: str) -> bool:
    if row.owner:
        return row.owner == _key(username)
    return role in row.audience_roles.split(",") or _key(username) in row.audience_users.split(",")


def _as_dict(row: SavedReport) -> dict:
    return {"id": row.id, "name": row.name, "template": not row.owner, "spec": json.loads(row.spec),
            "roles": [r for r in row.audience_roles.split(",") if r],
            "users": [u for u in row.audience_users.split(",") if u], "created_by": row.created_by,
            "updated_utc": row.updated_utc}


def list_reports(username: str, role: str) -> list[dict]:
    """The user's own saved reports, then the templates published to them or their role (by name). Read once per
    change of the database (every report page shows them; versioned.py), each caller getting its own copies."""
    if SavedReport._meta.database.in_transaction():      # a writer's own changes are not in the version yet
        return _list_reports(username, role)
    return copy.deepcopy(versioned.cached("reports.list", (username, role), lambda: _list_reports(username, role)))


def _list_reports(username: str, role: str) -> list[dict]:
    rows = SavedReport.select().where((SavedReport.owner == _key(username)) | (SavedReport.owner == ""))
    return [_as_dict(r) for r in sorted(rows, key=lambda r: (not r.owner, r.name.casefold(), r.id))
            if _visible(r, username, role)]


def list_templates() -> list[dict]:
    """Every template with its audience (the admins' page), read once per change of the database as list_reports."""
    if SavedReport._meta.database.in_transaction():
        return _list_templates()
    return copy.deepcopy(versioned.cached("reports.templates", None, _list_templates))


def _list_templates() -> list[dict]:
    return [_as_dict(r) for r in SavedReport.select().where(SavedReport.owner == "").order_by(SavedReport.name)]


def get_report(report_id: int, username: str, role: str) -> dict:
    """A saved report or template the user may run; ReportAccessError otherwise."""
    row = SavedReport.get_or_none(SavedReport.id == report_id)
    if row is None or not _visible(row, username, role):
        raise ReportAccessError(f"no saved report {report_id}")
    return _as_dict(row)


def delete_report(report_id: int, username: str, is_admin: bool = False) -> bool:
    """Delete the user's own saved report, or (admins) a template."""
    cond = (SavedReport.owner == _key(username)) | ((SavedReport.owner == "") if is_admin else (SavedReport.id < 0))
    return SavedReport.delete().where(SavedReport.id == report_id, cond).execute() > 0
