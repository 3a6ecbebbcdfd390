"""The web's only way to the data: callbox.db read-only, the web's own tables in it writable, and users.db.

The web process never creates or upgrades callbox.db (the worker does) and never writes a call row:
`read_access` points the store at it once it has this release's schema, and `write_access` binds the tables
of one area (directory, tariffs, reports, schedules, outbox, alerts, shop, customers) to a second, writable
connection for one request. Pages use the models and query helpers re-exported below, and the small named queries at the
end, rather than `appliance.store` itself (an import-linter contract will say so).
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import bottle
from peewee import OperationalError, SqliteDatabase

from appliance import store
from appliance.store import versioned  # results kept per database version (also webui.offload)
from appliance.store import (Call, CallTenant, Leg, LinkEvent, Quarantine, calls, last_events, local_iso,
                             quarantined)
from appliance.store.alerts import AlertRule, MODELS_ALERTS
from appliance.store.customers import MODELS_CUSTOMERS
from appliance.store.dialer import MODELS_DIALER
from appliance.store.messages import MODELS_MESSAGES, MODELS_NOTES
from appliance.store.pricing import MODELS_PRICING
from appliance.store.directory import (MODELS_DIRECTORY, NAMED, Person, Placement, Tenant, names, open_extensions,
                                       open_placement)
from appliance.store.outbox import MODELS_OUTBOX, OutboxItem
from appliance.store.outbox import STATES as OUTBOX_STATES
from appliance.store.outbox import counts as outbox_counts
from appliance.store.reports import (ReportAccessError, SavedReport, TimeRange, delete_report, list_reports,
                                     list_templates, publish_template, save_report)
from appliance.store.schedules import MODELS_SCHEDULES, Schedule, request_run
from appliance.store.shop import MODELS_SHOP
from appliance.store.callcentre import MODELS_EVALUATION
from appliance.store.schedules import remove as remove_schedule
from appliance.store.tariffs import MODELS_TARIFFS, TariffVersion
from appliance.store.users import FILE_NAME as USERS_FILE
from appliance.store.users import close_users_db, open_users_db, users_db
from appliance.central import archive as central_archive
from appliance.central import branches as central_branches
from appliance.sync import sender as sync_sender
from appliance.store.central_db import CentralDbError
from appliance.store.central_db import connection as central_connection
from webui.i18n import _

__all__ = [
    # callbox.db: the call tables and their helpers (appliance.store)
    "Call", "Leg", "LinkEvent", "Quarantine", "calls", "counts", "last_events", "local_iso", "quarantined",
    # the directory (appliance.store.directory)
    "MODELS_DIRECTORY", "NAMED", "Person", "Placement", "Tenant", "names", "open_extensions", "open_placement",
    # alerts, outbox, reports, schedules, tariffs
    "MODELS_ALERTS", "AlertRule", "MODELS_OUTBOX", "OUTBOX_STATES", "OutboxItem", "outbox_counts",
    "ReportAccessError", "SavedReport", "TimeRange", "delete_report", "list_reports", "list_templates",
    "publish_template", "save_report", "MODELS_SCHEDULES", "Schedule", "remove_schedule", "request_run",
    "MODELS_TARIFFS", "TariffVersion",
    # the callshop's sessions and booth-call statuses (appliance.shop writes them)
    "MODELS_SHOP",
    # call evaluations (webui.callcentre_evaluate writes them)
    "MODELS_EVALUATION",
    # customers, their top-ups, invoices (appliance.customers writes them; triggers keep issued invoices as issued)
    "MODELS_CUSTOMERS",
    # call notes, customers' numbers and notes addresses (appliance.messages.notes writes them); messages to customers
    "MODELS_NOTES", "MODELS_MESSAGES",
    # the sell side's price lists, markups and exchange rates (appliance.pricing writes them)
    "MODELS_PRICING",
    # the campaign dialer's campaigns, contacts, attempts, agents and do-not-call list (appliance.dialer writes them)
    "MODELS_DIALER",
    # users.db
    "users_db",
]

callbox_db = store.db      # one object for the process's life: read_access points it at the file
# One writer at a time in this process (gevent-patched in the web process); sqlite's busy_timeout covers
# the worker.
WRITE_LOCK = threading.Lock()


class NotReady(bottle.HTTPError):
    """callbox.db does not exist yet, or not with this release's schema (the worker creates and upgrades it):
    raised by write_access, it answers the request 503."""

    def __init__(self):
        super().__init__(503, _("No database yet: the worker creates it."))


def read_access(data_dir: Path) -> bool:
    """Point callbox_db read-only at <data>/callbox.db once the worker has created it with this release's
    schema; False until then."""
    return store.attach_readonly(Path(data_dir) / "callbox.db")


def read(data_dir: Path, fn):
    """fn() with a connection to callbox.db; NotReady (503) until the worker has made it with this release's schema.
    (webui.reports.common.offload does the same in gevent's threadpool, for long report queries.)"""
    if not read_access(data_dir):
        raise NotReady()
    with connection():
        return fn()


def connection():
    """A connection to callbox.db for the length of a `with` block (after read_access): opened by the block's first
    query (peewee's autoconnect), closed at its end; a page whose data is all kept (webui.db.versioned) opens none."""
    return _Connection()


class _Connection:
    """Closes at the end of the block the connection a query in it opened (one opened before stays open)."""

    def __enter__(self) -> None:
        self.was_closed = callbox_db.is_closed()

    def __exit__(self, *exc) -> None:
        if self.was_closed and not callbox_db.is_closed() and not callbox_db.in_transaction():
            callbox_db.close()


# The box-wide totals scan every call, leg and quarantined line: about a second at 10,000,000 calls, on every
# status and administrator's home page. They are counted again only when the file changed since (the web writes
# no call: another process did) and then no more often than COUNT_COST_SHARE of the time: counts that took 0.5 s
# serve for up to 50 s, counts that took 2 ms (a small box, a test) for 0.2 s.
COUNT_COST_SHARE = 0.01
_counted: dict[str, tuple[tuple, float, float, dict[str, int]]] = {}   # file -> (changes, at, took, counts)


def file_changes(path: Path) -> tuple:
    """What a commit by another process changes: the WAL file (appended to) or, after a checkpoint, the file."""
    out: list = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            st = p.stat()
            out += [st.st_mtime_ns, st.st_size, st.st_ino]
        except OSError:
            out += [None, None, None]
    return tuple(out)


def counts() -> dict[str, int]:
    """The status page's totals (appliance.store.counts), the scans of whole tables reused as said above; the line
    counts (one row) always read."""
    path = Path(str(callbox_db.database).removeprefix("file:").split("?", 1)[0])     # file:PATH?mode=ro
    now, changes = time.monotonic(), file_changes(path)
    hit = _counted.get(str(path))
    if hit is not None and (hit[0] == changes or now - hit[1] < hit[2] / COUNT_COST_SHARE):
        scanned = hit[3]
    else:
        started = time.monotonic()
        scanned = {k: v for k, v in store.counts().items() if k not in ("lines", "ignored")}
        _counted[str(path)] = (changes, now, time.monotonic() - started, scanned)
    cursor = store.Cursor.get_or_none(store.Cursor.name == "parse")
    return {**scanned, "lines": cursor.lines if cursor else 0, "ignored": cursor.ignored if cursor else 0}


@contextmanager
def write_access(data_dir: Path, models: tuple) -> Iterator[None]:
    """Bind `models` (never the call tables) to a writable connection to callbox.db inside one transaction."""
    if not read_access(data_dir):
        raise NotReady()
    rw = SqliteDatabase(str(Path(data_dir) / "callbox.db"),
                        pragmas={"busy_timeout": store.BUSY_TIMEOUT_MS, "foreign_keys": 1})
    with WRITE_LOCK, versioned.writing():     # what is kept per version is not used meanwhile
        try:
            with callbox_db.connection_context(), rw.bind_ctx(models, bind_refs=False, bind_backrefs=False):
                with rw.atomic(store.IMMEDIATE):
                    yield
        finally:
            rw.close()


def open_users(data_dir: Path) -> None:
    """Open <data>/users.db (created if missing: the web process may write accounts and sessions)."""
    open_users_db(Path(data_dir) / USERS_FILE)


def close() -> None:
    """Close both databases (the web server stopping)."""
    store.close_db()
    close_users_db()


# ---- the named queries pages would otherwise write themselves ----

def newest_call_start() -> int | None:
    """The start of the newest stored call (an index lookup), or None."""
    return callbox_db.execute_sql("SELECT MAX(start_utc) FROM call").fetchone()[0]


def person(person_id: int) -> Person | None:
    """A directory person by id."""
    return Person.get_or_none(Person.id == person_id)


def tenant(tenant_id: int) -> Tenant | None:
    """A directory tenant by id."""
    return Tenant.get_or_none(Tenant.id == tenant_id)


def people_by_name(tenant_id: int, then_by_id: bool = False, only: set[int] | None = None) -> list[Person]:
    """The tenant's people by last and first name (then external id, for a list that must not reorder); with
    `only`, just the people of those ids (a staff member's bill: one person, not the tenant's thousands)."""
    def build() -> list[Person]:
        order = (Person.last_name, Person.first_name) + ((Person.external_id,) if then_by_id else ())
        query = Person.select().where(Person.tenant_id == tenant_id)
        if only is not None:
            query = query.where(Person.id.in_(sorted(only)))
        return list(query.order_by(*order))
    # thousands of people on every bill page of an administrator: read once per change of the database
    return list(versioned.cached("people_by_name", (tenant_id, then_by_id, None if only is None else frozenset(only)),
                                 build))


def placed_now(tenant_id: int) -> dict[int, Placement]:
    """person id -> their open placement, for the tenant's people placed now."""
    return {p.person_id: p for p in Placement.select().where(Placement.tenant_id == tenant_id,
                                                             Placement.valid_to.is_null())}


def alert_rule(rule_id: int) -> AlertRule | None:
    """A threshold rule by id."""
    return AlertRule.get_or_none(AlertRule.id == rule_id)


def time_range_names() -> set[str]:
    """The names of the stored (custom) time ranges."""
    return {r.name for r in TimeRange.select()}


def saved_report_names() -> dict[int, str]:
    """id -> name of every saved report and template."""
    return {r.id: r.name for r in SavedReport.select(SavedReport.id, SavedReport.name)}


def schedules_by_name() -> list[Schedule]:
    """Every report schedule, by name."""
    return list(Schedule.select().order_by(Schedule.name))


def tariff_versions(plan_id: int) -> list[dict]:
    """A plan's versions (id, valid_from, currency, imported_utc), oldest first."""
    TV = TariffVersion
    return list(TV.select(TV.id, TV.valid_from, TV.currency, TV.imported_utc)
                .where(TV.plan == plan_id).order_by(TV.valid_from).dicts())


def stored_tenant_codes(data_dir: Path) -> set[str]:
    """The tenant codes the store knows: those of the directory and those stored calls carry (empty before the
    worker made the database)."""
    if not read_access(data_dir):
        return set()
    try:
        with connection():
            return ({t.code for t in Tenant.select(Tenant.code)} |
                    {c.code for c in CallTenant.select(CallTenant.code) if c.code})
    except OperationalError:      # the tables are not there yet
        return set()


# A central's received data (appliance/store/central_db.py): SQLite (callbox.db) or PostgreSQL ([central] database).
def use_central(cfg, data_dir: Path) -> str:
    """Bind the central's tables as [central] database says (once per process, again after callbox.db was opened
    anew); "" or the reason it cannot (the page says it; nothing else stops)."""
    try:
        store.open_central_of(cfg, Path(data_dir))
    except (CentralDbError, ValueError) as e:
        return str(e)
    return ""


def sync_status(data_dir: Path, url_override: str = "") -> dict | None:
    """A branch box's sync to its central (`callbox sync status`'s fields); None when this box is not enrolled or
    its database is not there yet."""
    if not (Path(data_dir) / "sync" / "central.json").exists() or not read_access(data_dir):
        return None
    try:
        with connection():
            return sync_sender.status(Path(data_dir), url_override)
    except OperationalError:      # the tables are not there yet
        return None


def journal_archive(data_dir: Path, branch: str) -> tuple[int, int]:
    """(segments, bytes) of a branch box's raw journal archived on this central ([sync] archive_journal)."""
    try:
        return central_archive.archived(Path(data_dir), branch)
    except (central_archive.ArchiveRefused, OSError):
        return 0, 0


def branch_health(silent_s: int) -> list[dict]:
    """Every enrolled branch box with its health (appliance.central.branches.listing)."""
    with central_connection():
        return central_branches.listing(silent_s)
