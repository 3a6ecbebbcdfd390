"""Scheduled reports (REP-10): run a saved report or template for each recipient with THEIR scope, mail it as
PDF/CSV, upload it to a file server; the every-minute check that runs due schedules once (no catch-up flood).

Each recipient gets the report run with their own account and scope (reports.run): an account ("user:NAME",
address from its directory person or "user:NAME=ADDRESS"), or a directory person ("person:[TENANT:]ID") who
is read as their enabled account if they have one, else as staff seeing their own calls only. Every
(schedule, recipient, period) is queued at most once (store_schedules.ScheduleDelivery + the outbox key), so
a second run of the same period never mails twice. When a schedule fires: appliance/schedule_rules.py.
"""
from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Callable, Iterable, Mapping

from appliance import config, localtime
from appliance.access import users
from appliance.access.users import Account
from appliance.delivery import mail, mail_text, upload
from appliance.delivery.schedule_rules import (Recipient, ScheduleError, check_recipient, last_at_or_before, next_after,
                                               parse_rule, resolve)
from appliance.directory import hunt_groups
from appliance.rating import transfers
from appliance.reports import engine as reports
from appliance.reports.ranges import DATE_RANGES, RangeError, Window, resolve as resolve_range
from appliance.store import reports as store_reports
from appliance.store import schedules as ss
from appliance.store import users as su

log = logging.getLogger(__name__)
__all__ = ["ScheduleError", "add", "check_due", "delivery", "parse_rule", "run_now", "run_schedule"]

FORMATS = ("pdf", "csv")
DEFAULT_UPLOAD_NAME = "{report}_{period}.{ext}"
UPLOAD_FIELDS = ("report", "schedule", "range", "period", "ext")
CONSOLE = Account(0, "schedule", "administrator", "all", "", "")   # an upload without --upload-as: every call


@dataclass
class RunResult:
    """One run: its slot, period and every recipient's status (queued, already, skipped, error)."""
    schedule_id: int
    name: str
    slot_utc: int
    period: str
    outcome: str
    items: list[dict]


# ---- one run ----

@dataclass(frozen=True)
class Context:
    """What every run needs from the configuration."""
    tz: tzinfo
    pbx_tenant: str
    data_dir: Path
    language: str = "en"    # [mail] language: of recipients without a web account language
    transfer_charge: str = "first"   # [rating] transfer_charge: whose extension a transferred call's cost is on
    hunt_groups: Mapping[str, str] = field(default_factory=dict)   # [directory] hunt_groups: named in the files

    @classmethod
    def of(cls, cfg: config.Config, data_dir: Path) -> Context:
        pbx = cfg.section("pbx")
        return cls(localtime.zone(pbx.timezone), pbx.tenant, Path(data_dir), cfg.section("mail").language,
                   transfers.rule(cfg), hunt_groups.configured(cfg))


def period_of(window: Window, slot: int, tz: tzinfo, lang: str = "en") -> tuple[str, str]:
    """(tag, text in `lang`) of the period a run covers: its dates when it is whole days that ended by the slot
    (the same for any run of that period), else the dates and the slot's time ("as of": the data may grow)."""
    first = last = None
    if window.first_day is not None and window.end_day is not None:
        first = date(1970, 1, 1) + timedelta(days=window.first_day)
        last = date(1970, 1, 1) + timedelta(days=window.end_day - 1)
    days = "" if first is None else first.isoformat() if first == last else f"{first}_{last}"
    text = "" if first is None else first.isoformat() if first == last else f"{first} – {last}"
    if first is not None and window.until is not None and window.until <= slot:
        return days, text
    at = datetime.fromtimestamp(slot, tz)
    return ((days + "_" if days else "") + "asof_" + at.strftime("%Y-%m-%dT%H%M"),
            (text + ", " if text else "") + mail_text.text(lang, "as_of", time=at.strftime("%Y-%m-%d %H:%M")))


def _saved(report_id: int) -> tuple[str, dict]:
    row = store_reports.SavedReport.get_or_none(store_reports.SavedReport.id == report_id)
    if row is None:
        raise ScheduleError(f"saved report or template {report_id} does not exist (any more)")
    return row.name, json.loads(row.spec)


def _spec(spec: dict, range_name: str, extra_filters: dict | None = None) -> reports.Spec:
    d = dict(spec)
    if range_name:
        d.update(range=range_name, since=None, until=None)
    out = reports.Spec.from_dict(d)
    return replace(out, filters={**out.filters, **extra_filters}) if extra_filters else out


def _slug(text: str) -> str:
    return re.sub(r"\s+", "_", re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", text).strip()) or "report"


@dataclass(frozen=True)
class Job:
    """One run of a schedule: the saved report, the slot and the period it covers."""
    s: ss.Schedule
    ctx: Context
    name: str
    spec: dict
    slot: int
    window: Window
    tag: str
    text: str

    @property
    def formats(self) -> list[str]:
        return [f for f in self.s.formats.split(",") if f]

    def text_in(self, lang: str) -> str:
        """The period's text in `lang`."""
        return period_of(self.window, self.slot, self.ctx.tz, lang)[1]

    def run(self, account: Account, extra_filters: dict | None = None) -> reports.Result:
        spec = _spec(self.spec, self.s.range, extra_filters)
        return reports.run(spec, account, self.ctx.pbx_tenant, self.slot, tz=self.ctx.tz,
                           transfer_charge=self.ctx.transfer_charge, hunt_groups=self.ctx.hunt_groups)


def _prepare(s: ss.Schedule, ctx: Context, slot: int) -> Job:
    name, spec = _saved(s.report_id)
    rspec = _spec(spec, s.range)
    window = resolve_range(rspec.range, ctx.tz, slot, rspec.since, rspec.until)
    return Job(s, ctx, name, spec, slot, window, *period_of(window, slot, ctx.tz))


def _files(formats, stem: str, title: str, subtitle: str, result, lang: str):
    """appliance.delivery.report_files.files, imported when a schedule fires: the PDF/CSV makers and what they load
    (the charts, the report words and babel's dates and numbers, about 2 MB) stay out of an idle jobs process."""
    from appliance.delivery.report_files import files   # late: see the docstring (issue 14, the footprint)
    return files(formats, stem, title, subtitle, result, lang)


def _mail_one(job: Job, r: Recipient, account: Account) -> list[int]:
    lang = mail_text.language(account.language, job.ctx.language)
    scope, period = mail_text.text(lang, f"scope_{account.scope}"), job.text_in(lang)
    files = _files(job.formats, f"{_slug(job.name)}_{job.tag}", job.name, f"{period} · {scope}",
                   job.run(account), lang)
    body = mail_text.text(lang, "schedule_body", report=job.name, period=period, scope=scope,
                          schedule=job.s.name, rule=job.s.rule)
    return [mail.queue([r.address], f"{job.name}: {period}", body, files,
                       key=f"schedule:{job.s.id}:{r.ident}:{job.tag}")]


def _upload(job: Job) -> list[int]:
    s, account = job.s, CONSOLE
    if s.upload_as:
        found = users.get(s.upload_as) if su.open_if_present(job.ctx.data_dir) else None
        if found is None or found.username in users.disabled_usernames():
            raise ScheduleError(f"upload account {s.upload_as!r} does not exist or is disabled")
        account = found
    result = job.run(account, {"branch": [s.branch]} if s.branch else None)
    ids = []
    lang = mail_text.language("", job.ctx.language)      # a file server's copy: in [mail] language
    for file, data in _files(job.formats, "x", job.name, job.text_in(lang) + (f" · {s.branch}" if s.branch else ""),
                             result, lang):
        filename = upload_name(s.upload_name, report=job.name, schedule=s.name,
                               range=s.range or job.spec.get("range", ""), period=job.tag,
                               ext=file.rpartition(".")[2])
        ids.append(upload.queue(s.upload_target, filename, data, branch=s.branch,
                                key=f"schedule:{s.id}:upload:{s.upload_target}:{job.tag}:{filename}",
                                now=job.window.since if job.window.since is not None else job.slot))
    return ids


def upload_name(template: str, **fields: str) -> str:
    """The uploaded file's name from the schedule's template; ScheduleError for a bad template or name."""
    template = template or DEFAULT_UPLOAD_NAME
    try:
        name = template.format(**{k: _slug(v) if k in ("report", "schedule") else v for k, v in fields.items()})
    except (KeyError, IndexError, ValueError) as e:
        raise ScheduleError(f"upload name {template!r}: unknown or bad field {e} "
                            f"(known: {', '.join(UPLOAD_FIELDS)})") from None
    try:
        upload.check_filename(name)
    except ValueError as e:
        raise ScheduleError(str(e)) from None
    return name


def _deliver(job: Job, ident: str, now: int, send: Callable[[], list[int]]) -> dict:
    """Queue one recipient's copy unless this period was queued for them before: their status item. Any
    failure is that recipient's (status error), never the others'."""
    try:
        if ss.delivered(job.s.id, ident, job.tag):
            return {"recipient": ident, "status": "already"}
        ids = send()
    except Exception as e:   # a bad address, a report or PDF error, a full disk: recorded on the run
        log.warning("schedule %s: %s failed: %s", job.s.name, ident, e)
        return {"recipient": ident, "status": "error", "detail": str(e) or type(e).__name__}
    ss.record_delivery(job.s.id, ident, job.tag, ids, now)
    return {"recipient": ident, "status": "queued", "outbox": ids}


def _recipient(job: Job, entry: str, now: int) -> dict:
    r = resolve(entry, job.ctx.pbx_tenant, job.ctx.data_dir)
    if r.problem or r.account is None:
        if not r.skip:
            log.warning("schedule %s: %s", job.s.name, r.problem)
        return {"recipient": r.ident, "status": "skipped" if r.skip else "error", "detail": r.problem}
    account = r.account
    return _deliver(job, r.ident, now, lambda: _mail_one(job, r, account))


def _outcome(items: list[dict]) -> str:
    ok = sum(i["status"] in ("queued", "already") for i in items)
    bad = sum(i["status"] == "error" for i in items)
    return "nothing" if not ok and not bad else "ok" if not bad else "partial" if ok else "failed"


def run_schedule(ctx: Context, s: ss.Schedule, slot: int, *, manual: bool = False, note: str = "",
                 now: float | None = None) -> RunResult:
    """Run `s` for the slot: each recipient's report with their own scope, mailed; the upload. A problem is
    an item with status error (never raised); the run is recorded on the schedule."""
    started = int(time.time() if now is None else now)
    items: list[dict] = [{"recipient": "", "status": "note", "detail": note}] if note else []
    tag = ""
    try:
        job = _prepare(s, ctx, slot)
    except (ScheduleError, reports.ReportError, RangeError) as e:
        items.append({"recipient": "", "status": "error", "detail": str(e)})
    else:
        tag = job.tag
        items += [_recipient(job, entry, started) for entry in json.loads(s.recipients)]
        if s.upload_target:
            items.append(_deliver(job, f"upload:{s.upload_target}", started, lambda: _upload(job)))
    outcome = _outcome(items)
    ss.record_run(s, slot, started, int(time.time() if now is None else now), outcome, items, manual)
    log.info("schedule %s (%s) ran for %s: %s", s.name, s.id, tag or "-", outcome)
    return RunResult(s.id, s.name, slot, tag, outcome, items)


# ---- what became of a run: its outbox items ----

def delivery(detail: str | list[dict]) -> tuple[str, str]:
    """(status, why) of a run from what its items queued, as the outbox has it now: "failed" (why: the outbox's
    last error, or the item's own error) when any copy failed, else "queued" while any waits, else "sent" when
    the outbox delivered them; ("", "") when the run queued nothing (its outcome says why). A run's outcome
    ("ok") only says the copies were queued: an e-mail that cannot be sent (mail not configured) is "failed"
    here. An item pruned from the outbox counts as sent (pending items are never pruned; a discarded one is
    failed until it is pruned)."""
    items = json.loads(detail) if isinstance(detail, str) else detail
    items = items or []
    ids = [int(i) for it in items if it.get("status") == "queued" for i in it.get("outbox") or []]
    states = ss.outbox_states(ids)
    failed, queued, sent = [], 0, 0
    for it in items:
        if it.get("status") == "error":
            failed.append(f"{it.get('recipient') or 'schedule'}: {it.get('detail') or 'error'}")
    for i in ids:
        state, attempts, error = states.get(i, ("delivered", 0, ""))
        if state == "discarded":
            failed.append(f"#{i}: {error or 'discarded'}")
        elif state == "pending" and attempts:
            failed.append(f"#{i}: {error or 'delivery failed'} (retrying)")
        elif state == "pending":
            queued += 1
        else:
            sent += 1
    if failed:
        return "failed", "; ".join(dict.fromkeys(failed))
    return ("queued", "") if queued else ("sent", "") if sent else ("", "")


def not_configured(cfg: config.Config, upload_targets: Iterable[str] = ()) -> list[str]:
    """What the schedules and alerts pages warn about: "mail" when [mail] host or from_address is empty (every
    e-mail fails), "upload" when [upload] does not read, "upload:NAME" per target in `upload_targets` (those
    the schedules name) that [upload] targets does not define."""
    out = []
    m = cfg.section("mail")
    if not m.host or not m.from_address:
        out.append("mail")
    wanted = sorted({t for t in upload_targets if t})
    if wanted:
        try:
            known = upload.targets(cfg)
        except config.ConfigError:
            return out + ["upload"]
        out += [f"upload:{t}" for t in wanted if t not in known]
    return out


# ---- the every-minute check, run-now, adding and listing ----

def check_due(cfg: config.Config, data_dir: Path, now: float | None = None) -> list[RunResult]:
    """Run every due schedule once, for its latest slot at or before now (missed slots are not caught up one
    by one); its next run is claimed first, so concurrent checks never run it twice."""
    ctx, t = Context.of(cfg, data_dir), int(time.time() if now is None else now)
    out = []
    for s in ss.due(t):
        due_at: int = s.next_run_utc or 0   # due() selects only schedules that have one
        try:
            rule = parse_rule(s.rule)
        except ScheduleError as e:
            ss.claim(s.id, due_at, None)
            ss.record_run(s, due_at, t, t, "failed", [{"recipient": "", "status": "error", "detail": str(e)}], False)
            continue
        slot = max(last_at_or_before(rule, t, ctx.tz) or due_at, due_at)
        if not ss.claim(s.id, due_at, next_after(rule, t, ctx.tz)):
            continue   # another worker has it
        note = "" if slot == due_at else (f"missed since {_local(due_at, ctx.tz)} (the box was off or busy): "
                                          f"ran once, for {_local(slot, ctx.tz)}")
        try:
            out.append(run_schedule(ctx, s, slot, note=note, now=t))
        except Exception as e:   # a broken schedule must not stop the others; it is recorded and logged
            log.exception("schedule %s failed", s.name)
            ss.record_run(s, slot, t, t, "failed", [{"recipient": "", "status": "error", "detail": str(e)}], False)
    for s, who in ss.take_requests():   # "Send now" from the web page: as `callbox schedule run-now`
        try:
            out.append(run_schedule(ctx, s, t, manual=True, note=f"sent now, as {who} asked", now=t))
        except Exception as e:
            log.exception("schedule %s (sent now) failed", s.name)
            ss.record_run(s, t, t, t, "failed", [{"recipient": "", "status": "error", "detail": str(e)}], True)
    return out


def run_now(cfg: config.Config, data_dir: Path, ident: str | int, at: float | None = None) -> RunResult:
    """Run a schedule now (or as if at `at`), whatever its rule says; its next run is unchanged. Periods
    already sent to a recipient are not sent again."""
    s = ss.find(ident)
    if s is None:
        raise ScheduleError(f"no schedule {ident!r}")
    t = int(time.time())
    return run_schedule(Context.of(cfg, data_dir), s, int(t if at is None else at), manual=True, now=t)


def _local(t: int | None, tz: tzinfo) -> str:
    return "" if t is None else datetime.fromtimestamp(t, tz).isoformat(timespec="minutes")


def add(cfg: config.Config, data_dir: Path, name: str, rule: str, report_id: int, *, range_name: str = "",
        formats: tuple[str, ...] = FORMATS, recipients: tuple[str, ...] = (), upload_target: str = "",
        upload_name_template: str = "", upload_as: str = "", branch: str = "", enabled: bool = True,
        created_by: str = "", now: float | None = None) -> ss.Schedule:
    """Check and store a schedule; its first run is the rule's next slot after now. ScheduleError for any
    bad part (naming it)."""
    ctx, t = Context.of(cfg, data_dir), int(time.time() if now is None else now)
    if not name.strip() or any(not c.isprintable() for c in name):
        raise ScheduleError("a schedule needs a name (printable text)")
    if ss.find(name.strip()) is not None or name.strip().isdigit():
        raise ScheduleError(f"schedule name {name.strip()!r} is taken (or is all digits)")
    r = parse_rule(rule)
    report_name, spec = _saved(report_id)
    if range_name and range_name not in DATE_RANGES[:-1]:
        raise ScheduleError(f"range {range_name!r}: one of {', '.join(DATE_RANGES[:-1])}")
    try:
        _spec(spec, range_name)
    except reports.ReportError as e:
        raise ScheduleError(f"saved report {report_id}: {e}") from None
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ScheduleError(f"formats: one or more of {', '.join(FORMATS)}")
    people = [check_recipient(x) for x in recipients]
    _check_upload(cfg, ctx, upload_target, upload_name_template, upload_as)
    if not people and not upload_target:
        raise ScheduleError("a schedule needs recipients (user:NAME, person:ID) or an upload target")
    nxt = next_after(r, t, ctx.tz)
    if nxt is None:
        raise ScheduleError(f"{r.text!r} never fires")
    s = ss.Schedule.create(name=name.strip(), rule=r.text, report_id=report_id, range=range_name,
                           formats=",".join(f for f in FORMATS if f in formats), recipients=json.dumps(people),
                           upload_target=upload_target, upload_name=upload_name_template, upload_as=upload_as,
                           branch=branch.strip(), enabled=enabled, created_by=created_by, created_utc=t,
                           next_run_utc=nxt)
    log.info("schedule %s (%s) added by %s: %s, report %s %r", s.name, s.id, created_by or "-", r.text,
             report_id, report_name)
    return s


def _check_upload(cfg: config.Config, ctx: Context, target: str, template: str, upload_as: str) -> None:
    if not target:
        if template or upload_as:
            raise ScheduleError("an upload file name or upload account needs an upload target")
        return
    if target not in upload.targets(cfg):
        raise ScheduleError(f"no upload target {target!r} in [upload] targets")
    upload_name(template, report="r", schedule="s", range="last_month", period="2024-01-01", ext="pdf")
    if upload_as and (not su.open_if_present(ctx.data_dir) or users.get(upload_as) is None):
        raise ScheduleError(f"no web user {upload_as!r} to upload as")
