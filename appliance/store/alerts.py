"""Alert tables: threshold rules and their notices, raise/clear condition state, watch marks, PBX cause codes.

Written only by the jobs process's alert pass (appliance/alerts.py) and `callbox alert`; times are UTC epoch
seconds. Amounts are exact decimal text, never floats.
"""
from __future__ import annotations

import logging

from peewee import BooleanField, IntegerField, TextField

from appliance.store.base import Base

log = logging.getLogger(__name__)


class AlertRule(Base):
    """A cost or duration threshold per person for a day or a month (REP-11).

    subject_kind person: `subject` is the person's external id; department: every person placed in the
    department named `subject`; role: every person whose web account has the role `subject`. The limit is per
    person either way. `limit` is decimal text: money in the calls' currency, or seconds of talk time."""
    id = IntegerField(primary_key=True)
    tenant = TextField()                   # tenant code
    measure = TextField()                  # cost | duration
    subject_kind = TextField()             # person | department | role
    subject = TextField()
    period = TextField()                   # day | month (PBX local time)
    limit = TextField()
    notify_manager = BooleanField(default=False)
    cc = TextField(default="")             # more recipients, comma-separated
    created_utc = IntegerField()


class AlertNotice(Base):
    """A threshold crossed: one row per rule, person and period, so each is e-mailed once."""
    id = IntegerField(primary_key=True)
    rule_id = IntegerField()
    subject = TextField()                  # the person's external id
    period = TextField()                   # 2026-11-22 | 2026-11
    at_utc = IntegerField()
    value = TextField()                    # the total when it was noticed (decimal text)
    recipients = TextField(default="")     # "" = nobody had an address (logged)

    class Meta:
        indexes = ((("rule_id", "subject", "period"), True),)


class AlertCondition(Base):
    """A watched condition (no data, link down, parse failures, journal, code rise) and whether it is raised."""
    key = TextField(primary_key=True)      # e.g. no_data:*, link, parse_failures, code:q850:34
    raised = BooleanField(default=False)
    pending_since = IntegerField(null=True)   # first seen bad, not yet held long enough to raise
    since_utc = IntegerField(null=True)    # raised at
    detail = TextField(default="")         # English, for `callbox alert status`, the log and rows from before words
    words = TextField(default="")          # JSON {"key", "fields"} of appliance.alerts.texts: read in any language
    value = IntegerField(default=0)
    updated_utc = IntegerField(default=0)


class AlertMark(Base):
    """The journal's end position at a moment: finds the lines received within a window."""
    at_utc = IntegerField(primary_key=True)
    ref = IntegerField()                   # parse.ref_id(journal end cursor)


class AlertSource(Base):
    """The newest PBX line seen from the sources of one business-hours entry (a source prefix, or *)."""
    key = TextField(primary_key=True)
    last_utc = IntegerField(null=True)
    watched_utc = IntegerField()           # since when it is watched (the reference before any line came)


class AlertCursor(Base):
    """How far a scan has gone: the journal (a ref id) or the legs examined for cause codes (a leg id)."""
    name = TextField(primary_key=True)
    pos = IntegerField()


class LegCode(Base):
    """A PBX cause/error code of one leg (not the normal-clearing ones), derived from its journal entry."""
    leg_id = IntegerField(primary_key=True)
    at_utc = IntegerField(index=True)
    driver = TextField()
    code_type = TextField()                # q850 | q850_name | disposition | 3cx_reason | completion_status
    code = TextField()
    trunk = TextField(default="")
    extension = TextField(default="")
    tenant = TextField(default="")


class DepartmentManager(Base):
    """The person (external id) who manages a department: copied on the department's threshold e-mails."""
    id = IntegerField(primary_key=True)
    tenant = TextField()
    department = TextField()               # the department's name, as the directory spells it
    person = TextField()

    class Meta:
        indexes = ((("tenant", "department"), True),)


MODELS_ALERTS = (AlertRule, AlertNotice, AlertCondition, AlertMark, AlertSource, AlertCursor, LegCode,
                 DepartmentManager)


def cursor(name: str, default: int | None = None) -> int | None:
    row = AlertCursor.get_or_none(AlertCursor.name == name)
    return row.pos if row else default


def set_cursor(name: str, pos: int) -> None:
    AlertCursor.insert(name=name, pos=pos).on_conflict_replace().execute()
