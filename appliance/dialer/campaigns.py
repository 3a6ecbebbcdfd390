"""Campaigns: made from a Source (appliance/dialer/sources.py) with every number normalised and checked against the
do-not-call list; paused, resumed, closed; the agents' side (join, ready, ask for a call, set the result) and the
do-not-call list. The dialing itself is appliance/dialer/engine.py's, in the jobs process.

Callers hold the database: the CLI and the jobs process open it, the web binds these tables with
webui.db.write_access. Every state change of a contact is one transaction (BEGIN IMMEDIATE: the loop and the web
write the same rows).
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from appliance import config
from appliance.dialer import rules
from appliance.dialer.sources import Source
from appliance.rating import numbering
from appliance.store.base import IMMEDIATE
from appliance.store.dialer import MODES, OPEN_STATES, Attempt, Campaign, Contact, DialerAgent, DncNumber

CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
DNC_RESULT = "Do not call"


def _db():
    """The database the dialer's tables are bound to now: the store's, or the web's writable connection
    (webui.db.write_access binds them for one request)."""
    return Contact._meta.database


class CampaignError(ValueError):
    """A request that cannot be done: the message says why, for a person; `code` names the case for the web's
    translated messages (webui/dialer.py)."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Settings:
    """[dialer], read once."""
    channel: str = "Local/{number}@from-internal"
    number_format: str = "national"
    agent_context: str = "from-internal"
    caller_id: str = ""
    ring_timeout_s: int = 30
    tick_s: float = 1.0
    results: tuple[str, ...] = ()
    crm_timeout_s: float = 15.0
    max_contacts: int = 100000


def read_settings(cfg: config.Config) -> Settings:
    s = cfg.section("dialer")
    if "{number}" not in s.channel:
        raise config.ConfigError(f"{cfg.name}: [dialer] channel: {s.channel!r} has no {{number}}")
    results = tuple(dict.fromkeys(r.strip() for r in s.results.split(",") if r.strip()))
    if not results:
        raise config.ConfigError(f"{cfg.name}: [dialer] results: name at least one result")
    return Settings(s.channel, s.number_format, s.agent_context, s.caller_id, s.ring_timeout_s, s.tick_s, results,
                    s.crm_timeout_s, s.max_contacts)


def plan_of(cfg: config.Config) -> numbering.NumberingPlan:
    """The box's numbering plan ([numbers]); ConfigError when it has none: numbers cannot be normalised without it."""
    options = {k: v for k, v in vars(cfg.section("numbers")).items() if v != ""}
    if not options.get("country"):
        raise config.ConfigError(f"{cfg.name}: [numbers] country is not set: campaign numbers are normalised with "
                                 "the numbering plan")
    try:
        return numbering.plan_from_options(options)
    except ValueError as e:
        raise config.ConfigError(f"{cfg.name}: [numbers] {e}") from None


@dataclass(frozen=True)
class Imported:
    campaign: Campaign
    contacts: int
    dnc: list[tuple[int, str]]               # (line, number) on the do-not-call list
    invalid: list[tuple[int, str, str]]      # (line, as written, why)


def create(code: str, name: str, source: Source, plan: numbering.NumberingPlan, *, mode: str = "preview",
           timezone: str = "UTC", windows: str = "mon-fri 09:00-18:00", retries: rules.Retries = rules.Retries(),
           tenant: str = "", by: str = "", now: int | None = None) -> Imported:
    """A new campaign with its contacts, in one transaction; CampaignError for a bad setting or a code in use."""
    now = int(time.time()) if now is None else now
    if not CODE.match(code):
        raise CampaignError(f"campaign code {code!r}: lowercase letters, digits, . _ - (at most 40)")
    if not name.strip():
        raise CampaignError("a campaign needs a name")
    if mode not in MODES:
        raise CampaignError(f"mode {mode!r}: one of {', '.join(MODES)}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CampaignError(f"time zone {timezone!r}: an IANA name such as Europe/Istanbul") from None
    try:
        rules.parse_windows(windows)
    except rules.RuleError as e:
        raise CampaignError(str(e)) from None
    blocked = dnc_numbers()
    seen: dict[str, int] = {}
    rows, dnc, invalid = [], [], []
    for r in source.rows:
        number, why = rules.normalise(r.raw, plan)
        state = "pending"
        if why:
            state = "invalid"
            invalid.append((r.line, r.raw, why))
        elif number in seen:
            state, why = "invalid", f"the same number as line {seen[number]}"
            invalid.append((r.line, r.raw, why))
        elif number in blocked:
            state = "dnc"
            dnc.append((r.line, number))
        if number and number not in seen:
            seen[number] = r.line
        rows.append(dict(line=r.line, as_written=r.raw, number=number, state=state, problem=why,
                         fields=json.dumps(r.fields, ensure_ascii=False), updated_utc=now, next_utc=0))
    with _db().atomic(IMMEDIATE):
        if Campaign.get_or_none(Campaign.code == code) is not None:
            raise CampaignError(f"campaign {code!r} exists already")
        c = Campaign.create(code=code, name=name.strip(), tenant=tenant, mode=mode, state="active",
                            timezone=timezone, windows=windows.strip(), max_attempts=retries.max_attempts,
                            retry_busy_min=retries.busy_min, retry_no_answer_min=retries.no_answer_min,
                            retry_failed_min=retries.failed_min,
                            fields=json.dumps(list(source.fields), ensure_ascii=False), source=source.where,
                            created_utc=now, created_by=by)
        for i in range(0, len(rows), 500):
            Contact.insert_many([{**r, "campaign": c.id} for r in rows[i:i + 500]]).execute()
    return Imported(c, len(rows), dnc, invalid)


def retries_of(c: Campaign) -> rules.Retries:
    return rules.Retries(c.max_attempts, c.retry_busy_min, c.retry_no_answer_min, c.retry_failed_min)


def fields_of(c: Campaign) -> list[str]:
    return json.loads(c.fields)


def by_code(code: str) -> Campaign:
    c = Campaign.get_or_none(Campaign.code == code)
    if c is None:
        raise CampaignError(f"no campaign {code!r}")
    return c


def visible(tenant: str | None) -> list[Campaign]:
    """Campaigns of a tenant (None: every one), newest first."""
    q = Campaign.select().order_by(Campaign.id.desc())
    return list(q if tenant is None else q.where(Campaign.tenant == tenant))


def set_state(c: Campaign, state: str) -> None:
    """Pause (no new dials; calls ringing finish), resume or close a campaign; closing lets its agents go."""
    if state not in ("active", "paused", "closed"):
        raise CampaignError(f"state {state!r}: active, paused or closed")
    with _db().atomic(IMMEDIATE):
        Campaign.update(state=state).where(Campaign.id == c.id).execute()
        if state == "closed":
            DialerAgent.delete().where(DialerAgent.campaign == c.id).execute()
        if state != "active":     # a preview contact shown but not asked for goes back to the list
            Contact.update(state="pending", agent="").where(Contact.campaign == c.id,
                                                            Contact.state == "reserved").execute()


# -- the do-not-call list

def dnc_numbers() -> set[str]:
    return {r.number for r in DncNumber.select(DncNumber.number)}


def dnc_add(raw: str, plan: numbering.NumberingPlan, note: str = "", by: str = "", now: int | None = None) -> str:
    """Put a number on the list (normalised); every campaign's pending copy of it becomes dnc at once."""
    number, why = rules.normalise(raw, plan)
    if why:
        raise CampaignError(f"{raw!r}: {why}")
    now = int(time.time()) if now is None else now
    with _db().atomic(IMMEDIATE):
        DncNumber.insert(number=number, note=note, added_utc=now, added_by=by).on_conflict_ignore().execute()
        Contact.update(state="dnc", agent="", updated_utc=now).where(
            Contact.number == number, Contact.state.in_(("pending", "reserved"))).execute()
    return number


def dnc_remove(raw: str, plan: numbering.NumberingPlan) -> bool:
    number, why = rules.normalise(raw, plan)
    with _db().atomic(IMMEDIATE):
        return bool(DncNumber.delete().where(DncNumber.number == (number or raw.strip())).execute())


def dnc_list() -> list[DncNumber]:
    return list(DncNumber.select().order_by(DncNumber.number))


# -- the agent's side

def agent_of(username: str) -> DialerAgent | None:
    return DialerAgent.get_or_none(DialerAgent.username == username)


def held(username: str) -> Contact | None:
    """The contact the agent holds now (shown, asked for, ringing or answered), if any."""
    return (Contact.select().where(Contact.agent == username, Contact.state.in_(OPEN_STATES))
            .order_by(Contact.id).first())


def join(username: str, extension: str, c: Campaign, now: int | None = None) -> None:
    """Work this campaign at this extension (one campaign at a time: joining another leaves the first)."""
    if c.state != "active":
        raise CampaignError("this campaign is not active", "inactive")
    now = int(time.time()) if now is None else now
    with _db().atomic(IMMEDIATE):
        _release(username)
        DialerAgent.delete().where(DialerAgent.username == username).execute()
        DialerAgent.create(username=username, campaign=c.id, extension=extension, ready=False, since_utc=now)


def leave(username: str) -> None:
    with _db().atomic(IMMEDIATE):
        _release(username)
        DialerAgent.delete().where(DialerAgent.username == username).execute()


def _release(username: str) -> None:
    """A preview contact shown but not called goes back to the list; one being called stays with its agent."""
    Contact.update(state="pending", agent="").where(Contact.agent == username, Contact.state == "reserved").execute()


def set_ready(username: str, ready: bool) -> None:
    with _db().atomic(IMMEDIATE):
        if not DialerAgent.update(ready=ready).where(DialerAgent.username == username).execute():
            raise CampaignError("join a campaign first", "join")


def ask_call(username: str, contact_id: int, now: int | None = None) -> Attempt:
    """Preview: the agent clicks to call the contact shown to them; the loop originates it (never the request)."""
    now = int(time.time()) if now is None else now
    with _db().atomic(IMMEDIATE):
        a = agent_of(username)
        ct = Contact.get_or_none(Contact.id == contact_id)
        if a is None or ct is None or ct.agent != username or ct.state != "reserved":
            raise CampaignError("this contact is not the one shown to you", "stale")
        c = ct.campaign
        if c.state != "active":
            raise CampaignError("this campaign is not active", "inactive")
        if not rules.open_now(c.windows, ZoneInfo(c.timezone), now):
            raise CampaignError("outside the campaign's calling hours", "hours")
        if ct.number in dnc_numbers():
            Contact.update(state="dnc", agent="", updated_utc=now).where(Contact.id == ct.id).execute()
            raise CampaignError("the number is on the do-not-call list: it is not dialled", "dnc")
        Contact.update(state="queued", updated_utc=now).where(Contact.id == ct.id).execute()
        return Attempt.create(campaign=c.id, contact=ct.id, agent=username, extension=a.extension, state="queued",
                              created_utc=now)


def set_result(username: str, contact_id: int, result: str, note: str, results: tuple[str, ...], plan=None,
               now: int | None = None) -> Contact:
    """The agent's result (one of [dialer] results) and note for an answered call; 'Do not call' also lists the
    number. A contact whose call was not answered has no result to set: its retries are the dialer's."""
    now = int(time.time()) if now is None else now
    if result not in results:
        raise CampaignError("pick a result from the list", "result")
    if len(note) > 4000:
        raise CampaignError("the note is too long (at most 4000 characters)", "note")
    with _db().atomic(IMMEDIATE):
        ct = Contact.get_or_none(Contact.id == contact_id)
        if ct is None or ct.agent != username or ct.state != "connected":
            raise CampaignError("this call is not yours to close (or it was not answered)", "stale")
        Contact.update(state="done", result=result, note=note.strip(), updated_utc=now).where(
            Contact.id == ct.id).execute()
        if result == DNC_RESULT and ct.number:
            DncNumber.insert(number=ct.number, note=f"result of campaign {ct.campaign.code}", added_utc=now,
                             added_by=username).on_conflict_ignore().execute()
    return Contact.get_by_id(contact_id)
