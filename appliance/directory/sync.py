"""Directory sources (CSV, LDAP) consolidated by precedence and applied as dated changes, with a report (DIR-4)."""
from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from appliance import config
from appliance.directory import csv_source as directory_csv
from appliance.directory import ldap_source as directory_ldap
from appliance.directory import organisation as directory
from appliance.directory.organisation import Problem, SourcePerson, casefold, consolidate, parse_field_precedence
from appliance.directory import texts
from appliance.directory.texts import english, error_text, text, where_of
from appliance.store import IMMEDIATE, db
from appliance.store import directory as sd

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Change:
    kind: str        # new_person, moved, ended, returned, details, extension_added, extension_removed, new_<kind>
    tenant: str
    person_id: str
    name: str
    detail: str      # in English (the CLI); `text` as a key and fields (appliance.directory.texts) when it has words
    text: dict | list | None = None   # (a list of texts: "details", one per field changed)


@dataclass(slots=True)
class SyncReport:
    """What a sync or import read, changed and found wrong. `applied` is False when nothing was changed."""
    at_utc: int
    kind: str
    applied: bool = False
    sources: dict[str, int] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"at_utc": self.at_utc, "kind": self.kind, "applied": self.applied, "sources": self.sources,
                "changes": [asdict(c) for c in self.changes],
                "problems": [dict(asdict(p), people=list(p.people)) for p in self.problems]}

    def text(self) -> str:
        at = texts.iso(self.at_utc)
        read = ", ".join(f"{s} {n} people" for s, n in self.sources.items()) or "no source read"
        out = [f"directory {self.kind} at {at}: {read}; " + ("applied" if self.applied else "NOTHING CHANGED")]
        out.append(f"changes ({len(self.changes)}):")
        out += [f"  {c.kind:<18} {c.tenant}  {c.person_id}  {c.name}: {c.detail}".rstrip(": ") for c in self.changes]
        out.append(f"problems ({len(self.problems)}):")
        out += [f"  {p.kind:<20} {p.tenant}  {p.message}" for p in self.problems]
        return "\n".join(out)


def iso(at: int | None) -> str | dict:
    """UTC time for messages; None is "since always" (a text)."""
    return text("since_always") if at is None else texts.iso(at)


def read_section(cfg: config.Config, name: str):
    """The section's typed values (every key is declared in config.SETTINGS)."""
    return cfg.section(name)


def _record(report: SyncReport) -> SyncReport:
    sd.SyncRun.create(at_utc=report.at_utc, kind=report.kind, applied=report.applied,
                      report=json.dumps(report.to_dict(), ensure_ascii=False))
    log.info("directory %s: %d changes, %d problems%s", report.kind, len(report.changes), len(report.problems),
             "" if report.applied else ", nothing applied")
    return report


def _read_sources(cfg: config.Config, settings, report: SyncReport) -> tuple[dict[str, list[SourcePerson]], list[str]]:
    order = [s.strip() for s in settings.precedence.split(",") if s.strip()]
    if set(order) - {"csv", "ldap"}:
        raise config.ConfigError(f"[directory] precedence: {settings.precedence!r}: sources are csv and ldap")
    ldap = read_section(cfg, "ldap")
    wanted = {"csv": bool(settings.csv), "ldap": bool(ldap.url)}
    order = [s for s in order if wanted[s]]
    by_source: dict[str, list[SourcePerson]] = {}
    for source in order:
        try:
            if source == "csv":
                tz = directory_csv.zone_of(cfg)
                by_source[source], problems = directory_csv.read(Path(settings.csv), tz, settings.tenant)
                report.problems += problems
            else:
                base = Path(cfg.path).parent if cfg.path else Path(".")
                by_source[source] = directory_ldap.fetch(ldap, settings.tenant, base)
        except (OSError, ValueError, directory_ldap.LDAPSourceError) as e:
            report.problems.append(Problem.of("source_error", settings.tenant, text(
                "source_failed", source=source, error=error_text(e))))
            continue
        report.sources[source] = len(by_source[source])
        if not by_source[source]:   # a wrong filter or an emptied file must not end everyone
            report.problems.append(Problem.of("source_error", settings.tenant, text("no_people", source=source)))
    return by_source, order


def sync_once(cfg: config.Config, now: int | None = None) -> SyncReport:
    """Read every configured source, consolidate, apply the differences as of `now`, record and return the
    report. If any source fails or is empty, nothing is changed. The store's database must be open."""
    report = SyncReport(int(time.time()) if now is None else now, "sync")
    settings = read_section(cfg, "directory")
    by_source, order = _read_sources(cfg, settings, report)
    if not order:
        report.problems.append(Problem.of("source_error", settings.tenant, text("no_source")))
    if any(p.kind == "source_error" for p in report.problems):
        return _record(report)
    field_order = parse_field_precedence(settings.field_precedence, order)
    merged, problems = consolidate(by_source, order, settings.tenant, field_order)
    report.problems += problems
    apply(merged, report, origin="sync", end_missing=True, create_names=settings.create_departments,
          tenants={settings.tenant})
    report.applied = True
    return _record(report)


def import_file(path: Path, cfg: config.Config, now: int | None = None) -> SyncReport:
    """Load a CSV file once (`callbox directory import`): adds and updates people, creates tenants, branches and
    departments it names, and ends nobody (people missing from the file are left as they are)."""
    settings = read_section(cfg, "directory")
    records, problems = directory_csv.read(path, directory_csv.zone_of(cfg), settings.tenant)
    return import_records(records, problems, settings.tenant, now)


def import_records(records: list[SourcePerson], problems: list[Problem], default_tenant: str, now: int | None = None,
                   tenants: set[str] | None = None) -> SyncReport:
    """Apply a read CSV file's people as an import (the CLI's file, the web's upload): `tenants` None lets the
    file create any tenant it names; a set limits the run to those tenants (a record of another is a problem)."""
    report = SyncReport(int(time.time()) if now is None else now, "import")
    report.sources["csv"] = len(records)
    report.problems += problems
    merged, problems = consolidate({"csv": records}, ["csv"], default_tenant)
    report.problems += problems
    apply(merged, report, origin="import", end_missing=False, create_names=True, tenants=tenants)
    report.applied = True
    return _record(report)


def last_report() -> dict | None:
    """The most recent sync or import report (for the directory page)."""
    row = sd.SyncRun.select().order_by(sd.SyncRun.id.desc()).first()
    return json.loads(row.report) if row else None


def apply(merged: list[SourcePerson], report: SyncReport, origin: str, end_missing: bool, create_names: bool,
          tenants: set[str] | None) -> None:
    """Make the stored directory match `merged` as of report.at_utc, adding changes and problems to `report`.

    `tenants`: the tenants this run may create and (with end_missing) whose people missing from `merged` are
    ended; None lets any tenant named be created (an import)."""
    by_tenant: dict[str, list[SourcePerson]] = {}
    for rec in merged:
        by_tenant.setdefault(rec.tenant, []).append(rec)
    with db.atomic(IMMEDIATE):
        for code in sorted(set(by_tenant) | (tenants or set())):
            tid = sd.tenant_id(code, create=tenants is None or code in tenants)
            if tid is None:
                ids = tuple(r.person_id for r in by_tenant[code])
                report.problems.append(Problem.of("unknown_tenant", code, text(
                    "unknown_tenant", tenant=code, count=len(ids)), ids))
                continue
            _TenantApply(tid, code, report, origin, create_names).run(by_tenant.get(code, []), end_missing)


class _TenantApply:
    def __init__(self, tid: int, code: str, report: SyncReport, origin: str, create_names: bool):
        self.tid, self.code, self.report, self.origin, self.create = tid, code, report, origin, create_names
        self.now = report.at_utc
        self.people = {casefold(k): p for k, p in sd.people(tid).items()}
        self.initial = not self.people
        self.ids = {kind: sd.named_ids(tid, kind) for kind in sd.NAMED}
        self.names = {kind: sd.names(tid, kind) for kind in sd.NAMED}
        self.unknown: dict[tuple[str, str], list[str]] = {}

    def change(self, kind: str, rec, detail: str | dict | list = "") -> None:
        name = rec.name if isinstance(rec, SourcePerson) else f"{rec.first_name} {rec.last_name}".strip()
        said = detail if isinstance(detail, (dict, list)) else None
        self.report.changes.append(Change(kind, self.code, rec.person_id if isinstance(rec, SourcePerson)
                                          else rec.external_id, name, english(detail), said))

    def problem(self, kind: str, said: dict, people: tuple[str, ...] = ()) -> None:
        self.report.problems.append(Problem.of(kind, self.code, said, people))

    def run(self, records: list[SourcePerson], end_missing: bool) -> None:
        wanted = self._resolve_extensions(records)
        if end_missing:
            seen = {casefold(r.person_id) for r in records}
            for key, p in self.people.items():
                if key not in seen and p.origin == "sync" and p.ended_utc is None:
                    directory.end_person(self.tid, p.id, self.now)
                    self.change("ended", p, text("ended"))
        for rec in records:
            holder = self.people.get(casefold(rec.person_id))
            if holder is None:
                continue
            for row in sd.open_extensions(self.tid, holder.id):
                if row.extension not in wanted[casefold(rec.person_id)]:
                    directory.release_extension(self.tid, holder.id, row.extension, self.now)
                    self.change("extension_removed", rec, row.extension)
        for rec in records:
            self._upsert(rec, wanted[casefold(rec.person_id)])
        for (kind, name), ids in self.unknown.items():
            self.problem(f"unknown_{kind}", text(f"unknown_{kind}", name=name, people=", ".join(ids)), tuple(ids))

    def _resolve_extensions(self, records: list[SourcePerson]) -> dict[str, set[str]]:
        """Each extension to one person: its current holder if they still claim it, else the first by id."""
        holders = {row.extension: row.person_id for row in sd.open_extensions(self.tid)}
        key_of: dict[int | None, str] = {p.id: k for k, p in self.people.items()}
        claims: dict[str, list[SourcePerson]] = {}
        for rec in records:
            for ext in rec.extensions:
                claims.setdefault(ext, []).append(rec)
            if not rec.extensions:
                self.problem("no_extension", text("no_extension", person=rec.person_id, name=rec.name),
                             (rec.person_id,))
        wanted: dict[str, set[str]] = {casefold(r.person_id): set() for r in records}
        for ext, recs in claims.items():
            recs = sorted(recs, key=lambda r: (casefold(r.person_id) != key_of.get(holders.get(ext)),
                                               casefold(r.person_id)))
            wanted[casefold(recs[0].person_id)].add(ext)
            if len(recs) > 1:
                who = ", ".join(f"{r.person_id} ({r.name})" for r in recs)
                self.problem("duplicate_extension", text("duplicate_extension", extension=ext, claims=who,
                                                         person=recs[0].person_id), tuple(r.person_id for r in recs))
        return wanted

    def _place(self, rec: SourcePerson) -> tuple[int | None, int | None, int | None]:
        out = []
        for kind in ("branch", "department", "cost_centre"):
            name = " ".join(getattr(rec, kind).split())
            found = self.ids[kind].get(name.casefold()) if name else None
            if name and found is None and self.create:
                found = self.ids[kind][name.casefold()] = sd.create_named(self.tid, kind, name)
                self.names[kind][found] = name
                self.report.changes.append(Change(f"new_{kind}", self.code, "", "", name))
            elif name and found is None:
                self.unknown.setdefault((kind, name), []).append(rec.person_id)
            out.append(found)
        return out[0], out[1], out[2]

    def _show(self, place) -> str | dict:
        b, d, c = (self.names[k].get(i) for k, i in zip(("branch", "department", "cost_centre"), place))
        shown = ", ".join(filter(None, (d, b)))
        return text("placed", place=shown, cost_centre=c) if c else shown or text("no_placement")

    def _dated(self, fn, at: int | None, rec: SourcePerson, what: dict) -> None:
        """fn(at), or fn(now) with a problem when `at` would rewrite history."""
        try:
            fn(at)
        except directory.DirectoryError as e:
            if at == self.now:
                raise
            fn(self.now)
            self.problem("backdated", text("backdated", where=where_of(rec), what=what, at=iso(at),
                                           error=error_text(e)), (rec.person_id,))

    def _upsert(self, rec: SourcePerson, exts: set[str]) -> None:
        p = self.people.get(casefold(rec.person_id))
        place = self._place(rec)
        start = rec.valid_from if rec.valid_from is not None else (None if self.initial else self.now)
        if p is None:
            pid = directory.add_person(self.tid, rec.person_id, rec.first_name, rec.last_name, rec.email,
                                       self.origin)
            self._dated(lambda at: directory.move_person(self.tid, pid, at, *place), start, rec, text("placement"))
            self.change("new_person", rec, text("new_person", place=self._show(place),
                                                extensions=" ".join(sorted(exts)) or "-"))
            fresh = True
        else:
            pid, fresh = p.id, p.ended_utc is not None
            self._update_person(p, rec)
            current = sd.open_placement(self.tid, pid)
            old = (current.branch_id, current.department_id, current.cost_centre_id) if current else None
            if p.ended_utc is not None:
                directory.move_person(self.tid, pid, self.now, *place)
                self.change("returned", rec, text("new_person", place=self._show(place),
                                                  extensions=" ".join(sorted(exts)) or "-"))
            elif old != place:
                at = self._move_time(rec, current, start)
                self._dated(lambda at: directory.move_person(self.tid, pid, at, *place), at, rec, text("move"))
                self.change("moved", rec, text("moved", old=self._show(old) if old else text("no_placement"),
                                               new=self._show(place)))
        held = {row.extension for row in sd.open_extensions(self.tid, pid)}
        for ext in sorted(exts - held):
            at = start if p is None else self.now
            self._dated(lambda at: directory.assign_extension(self.tid, pid, ext, at, replace=True), at, rec,
                        text("extension", extension=ext))
            if not fresh:
                self.change("extension_added", rec, ext)

    def _move_time(self, rec: SourcePerson, current: sd.Placement | None, start: int | None) -> int | None:
        """valid_from dates the row's current state: a move when it is later than the current placement's
        start; otherwise it is the start of an earlier state and the move is dated now."""
        if current is None:
            return start
        if rec.valid_from is not None and (current.valid_from is None or rec.valid_from > current.valid_from):
            return rec.valid_from
        return self.now

    def _update_person(self, p: sd.Person, rec: SourcePerson) -> None:
        changed = [f for f in ("first_name", "last_name", "email") if getattr(rec, f) and
                   getattr(rec, f) != getattr(p, f)]
        if self.origin == "sync" and p.origin != "sync":
            p.origin = "sync"
            p.save()
        if changed:
            detail = [text("field_changed", field=text(f), old=getattr(p, f), new=getattr(rec, f)) for f in changed]
            for f in changed:
                setattr(p, f, getattr(rec, f))
            p.save()
            self.change("details", rec, detail)
