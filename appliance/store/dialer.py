"""Campaign dialer tables (appliance/dialer/, CC-6): campaigns, their contacts (one number each, with the source's
custom fields), every dial attempt, the do-not-call list and the agents working a campaign now.

Times are UTC epoch seconds; a campaign's calling windows are in its own time zone (appliance/dialer/rules.py).
Contacts are written by the import (appliance/dialer/campaigns.py), claimed and dialled by the dialing loop in the
jobs process (appliance/dialer/engine.py), and closed by the agent's result (the web, through webui.db.write_access).
"""
from __future__ import annotations

from peewee import BooleanField, ForeignKeyField, IntegerField, TextField

from appliance.store.base import Base

MODES = ("preview", "progressive")
CAMPAIGN_STATES = ("active", "paused", "closed")
# pending: due at next_utc; reserved: shown to one agent (preview); queued: an attempt asked for, the loop dials it;
# dialing: ringing now; connected: answered, the agent sets the result; done: result set; exhausted: every attempt
# without an answer; dnc: on the do-not-call list (never dialled); invalid: not a number (never dialled)
CONTACT_STATES = ("pending", "reserved", "queued", "dialing", "connected", "done", "exhausted", "dnc", "invalid")
OPEN_STATES = ("reserved", "queued", "dialing", "connected")      # held by an agent
OUTCOMES = ("answered", "busy", "no_answer", "failed")


class Campaign(Base):
    """A list of numbers to call, how (mode), when (windows in a time zone) and how often (retries)."""
    id = IntegerField(primary_key=True)
    code = TextField(unique=True)              # short, stable: the CLI names a campaign by it
    name = TextField()
    tenant = TextField(default="")             # whose: its supervisors and agents ("" = the box's own)
    mode = TextField(default="preview")        # MODES
    state = TextField(default="active")        # CAMPAIGN_STATES
    timezone = TextField()                     # IANA name; the windows are its local time
    windows = TextField()                      # mon-fri 09:00-18:00, sat 10:00-14:00
    max_attempts = IntegerField(default=3)
    retry_busy_min = IntegerField(default=10)
    retry_no_answer_min = IntegerField(default=60)
    retry_failed_min = IntegerField(default=30)
    fields = TextField(default="[]")           # JSON list: the source's custom field names, in order
    source = TextField(default="")             # file name or CRM URL it came from
    created_utc = IntegerField()
    created_by = TextField(default="")


class Contact(Base):
    """One number of a campaign with its custom fields and where it stands."""
    id = IntegerField(primary_key=True)
    campaign = ForeignKeyField(Campaign, on_delete="CASCADE")
    line = IntegerField()                      # the source's line (CSV) or position (JSON), for the lists
    as_written = TextField()                   # the number as the source wrote it
    number = TextField(default="")             # E.164 (appliance.rating.numbering); "" when invalid
    fields = TextField(default="{}")           # JSON object: custom field -> value
    state = TextField(default="pending")       # CONTACT_STATES
    problem = TextField(default="")            # invalid: why
    attempts = IntegerField(default=0)
    next_utc = IntegerField(default=0)         # pending: not dialled before this
    agent = TextField(default="")              # the username holding it (OPEN_STATES) or who set the result
    last_outcome = TextField(default="")       # OUTCOMES of the last attempt
    result = TextField(default="")             # the agent's result ([dialer] results)
    note = TextField(default="")
    updated_utc = IntegerField(default=0)

    class Meta:
        indexes = ((("campaign", "state", "next_utc"), False),)


class Attempt(Base):
    """One dial of a contact: asked for (queued), ringing (dialing), ended with an outcome (done)."""
    id = IntegerField(primary_key=True)
    campaign = ForeignKeyField(Campaign, on_delete="CASCADE")
    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    agent = TextField()
    extension = TextField()
    state = TextField(default="queued")        # queued | dialing | done
    outcome = TextField(default="")            # OUTCOMES
    reason = TextField(default="")             # the OriginateResponse Reason, or why it failed
    uniqueid = TextField(default="")
    created_utc = IntegerField()
    started_utc = IntegerField(default=0)
    ended_utc = IntegerField(default=0)

    class Meta:
        indexes = ((("state",), False),)


class DncNumber(Base):
    """A number never to be called by any campaign (E.164)."""
    id = IntegerField(primary_key=True)
    number = TextField(unique=True)
    note = TextField(default="")
    added_utc = IntegerField()
    added_by = TextField(default="")


class DialerAgent(Base):
    """An agent working a campaign now, at one extension; in progressive mode `ready` lets the loop dial for them."""
    id = IntegerField(primary_key=True)
    username = TextField(unique=True)
    campaign = ForeignKeyField(Campaign, on_delete="CASCADE")
    extension = TextField()
    ready = BooleanField(default=False)
    since_utc = IntegerField()


MODELS_DIALER = (Campaign, Contact, Attempt, DncNumber, DialerAgent)
