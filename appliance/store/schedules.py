"""Report schedule tables (REP-10): the schedules, a record of each run, and what each run queued (for dedupe).

A schedule's `next_run_utc` is claimed with a compare-and-set before it runs, so two jobs workers (or a
worker and a slow previous check) never run the same schedule twice. `ScheduleDelivery` holds one row per
(schedule, recipient, period) that was queued: a second run of the same period finds it and sends nothing,
even after the outbox has delivered (and so forgotten) the first e-mail.
"""
from __future__ import annotations

import json
import logging

from peewee import BooleanField, IntegerField, TextField

from appliance.store.base import IMMEDIATE, Base, db
from appliance.store.outbox import OutboxItem

log = logging.getLogger(__name__)
KEEP_RUNS = 100                         # runs kept per schedule (the newest)


class Schedule(Base):
    """A report delivered at times given by `rule` (schedules.parse_rule) in the box's zone."""
    id = IntegerField(primary_key=True)
    name = TextField(unique=True)
    rule = TextField()                  # canonical text: "daily 07:00", "weekly mon 07:00", "cron 0 7 * * 1-5"
    report_id = IntegerField()          # store_reports.SavedReport: a saved report or a template
    range = TextField(default="")       # named date range; "" = the saved report's own
    formats = TextField(default="pdf,csv")
    recipients = TextField(default="[]")   # JSON list: "user:NAME[=ADDRESS]", "person:[TENANT:]ID"
    upload_target = TextField(default="")  # [upload] targets name; "" = no upload
    upload_name = TextField(default="")    # file name template; "" = schedules.DEFAULT_UPLOAD_NAME
    upload_as = TextField(default="")      # the account whose scope the upload has; "" = every call
    branch = TextField(default="")         # upload: keep this branch's calls; the path's {branch}
    enabled = BooleanField(default=True)
    created_by = TextField(default="")
    created_utc = IntegerField()
    next_run_utc = IntegerField(null=True, index=True)   # None: the rule never fires again
    last_run_utc = IntegerField(null=True)
    last_slot_utc = IntegerField(null=True)
    last_outcome = TextField(default="")   # ok | partial | failed | nothing
    last_detail = TextField(default="")
    run_requested_by = TextField(default="")   # "Send now" on the web page: who asked; the jobs process runs it


class ScheduleRun(Base):
    """One run: the slot it was for, when it ran, the outcome and each recipient's result (JSON)."""
    id = IntegerField(primary_key=True)
    schedule_id = IntegerField(index=True)
    slot_utc = IntegerField()
    started_utc = IntegerField()
    finished_utc = IntegerField()
    manual = BooleanField(default=False)
    outcome = TextField()
    detail = TextField(default="[]")


class ScheduleDelivery(Base):
    """What a run queued for one recipient and period (the dedupe record) and its outbox item(s)."""
    id = IntegerField(primary_key=True)
    schedule_id = IntegerField()
    recipient = TextField()
    period = TextField()
    outbox_ids = TextField(default="")
    queued_utc = IntegerField()

    class Meta:
        indexes = ((("schedule_id", "recipient", "period"), True),)


MODELS_SCHEDULES = (Schedule, ScheduleRun, ScheduleDelivery)


def find(ident: str | int) -> Schedule | None:
    """A schedule by id (digits) or name."""
    text = str(ident).strip()
    if text.isdigit():
        found = Schedule.get_or_none(Schedule.id == int(text))
        if found is not None:
            return found
    return Schedule.get_or_none(Schedule.name == text)


def due(now: int) -> list[Schedule]:
    """Enabled schedules whose next run is at or before `now`, oldest first."""
    return list(Schedule.select().where(Schedule.enabled == True, Schedule.next_run_utc.is_null(False),  # noqa: E712
                                        Schedule.next_run_utc <= now).order_by(Schedule.next_run_utc, Schedule.id))


def claim(schedule_id: int, expected_next: int, new_next: int | None) -> bool:
    """Move the schedule's next run from `expected_next` to `new_next`; False if another worker did first."""
    return bool(Schedule.update(next_run_utc=new_next)
                .where(Schedule.id == schedule_id, Schedule.next_run_utc == expected_next).execute())


def request_run(schedule_id: int, username: str) -> bool:
    """Ask the jobs process to run the schedule at its next check (the web's "Send now"); False if no such one."""
    return bool(Schedule.update(run_requested_by=username or "?").where(Schedule.id == schedule_id).execute())


def take_requests() -> list[tuple[Schedule, str]]:
    """The schedules whose run was requested, each claimed (compare-and-set) so only one worker runs it."""
    out = []
    for s in Schedule.select().where(Schedule.run_requested_by != ""):
        if Schedule.update(run_requested_by="").where(Schedule.id == s.id,
                                                      Schedule.run_requested_by == s.run_requested_by).execute():
            out.append((s, s.run_requested_by))
    return out


def delivered(schedule_id: int, recipient: str, period: str) -> bool:
    return ScheduleDelivery.select().where(ScheduleDelivery.schedule_id == schedule_id,
                                           ScheduleDelivery.recipient == recipient,
                                           ScheduleDelivery.period == period).exists()


def record_delivery(schedule_id: int, recipient: str, period: str, outbox_ids: list[int], now: int) -> bool:
    """Store the dedupe record; False if a concurrent run stored it first (its items are already queued)."""
    inserted = (ScheduleDelivery.insert(schedule_id=schedule_id, recipient=recipient, period=period,
                                        outbox_ids=",".join(map(str, outbox_ids)), queued_utc=now)
                .on_conflict_ignore().execute())
    return bool(inserted)


def record_run(s: Schedule, slot: int, started: int, finished: int, outcome: str, detail: list[dict],
               manual: bool) -> int:
    """Store a run and the schedule's last-run fields; prune the schedule's runs beyond KEEP_RUNS."""
    text = json.dumps(detail, ensure_ascii=False)
    with db.atomic(IMMEDIATE):
        run_id = ScheduleRun.create(schedule_id=s.id, slot_utc=slot, started_utc=started, finished_utc=finished,
                                    manual=manual, outcome=outcome, detail=text).id
        Schedule.update(last_run_utc=finished, last_slot_utc=slot, last_outcome=outcome,
                        last_detail=text).where(Schedule.id == s.id).execute()
        old = (ScheduleRun.select(ScheduleRun.id).where(ScheduleRun.schedule_id == s.id)
               .order_by(ScheduleRun.id.desc()).offset(KEEP_RUNS))
        ScheduleRun.delete().where(ScheduleRun.id.in_([r.id for r in old])).execute()
    return run_id


def outbox_states(ids: list[int]) -> dict[int, tuple[str, int, str]]:
    """id -> (state, attempts, last error) of the outbox items that still exist (delivered and discarded rows
    are pruned after a while)."""
    if not ids:
        return {}
    rows = (OutboxItem.select(OutboxItem.id, OutboxItem.state, OutboxItem.attempts, OutboxItem.last_error)
            .where(OutboxItem.id.in_(ids)))
    return {r.id: (r.state, r.attempts, r.last_error) for r in rows}


def runs(schedule_id: int, limit: int = 20) -> list[ScheduleRun]:
    """The schedule's newest runs first."""
    return list(ScheduleRun.select().where(ScheduleRun.schedule_id == schedule_id)
                .order_by(ScheduleRun.id.desc()).limit(limit))


def remove(schedule_id: int) -> bool:
    """Delete a schedule with its runs and dedupe records; False if there was none."""
    with db.atomic(IMMEDIATE):
        ScheduleRun.delete().where(ScheduleRun.schedule_id == schedule_id).execute()
        ScheduleDelivery.delete().where(ScheduleDelivery.schedule_id == schedule_id).execute()
        return Schedule.delete().where(Schedule.id == schedule_id).execute() > 0
