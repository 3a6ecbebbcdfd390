"""Organisation pages (DIR-1..4): people by branch and department, a person's history, dated edits, trunks, sync.

Administrators and supervisors view the tenants they may see (their own; every tenant with scope all), and
within a tenant the people of their scope (appliance.access.scope.visible_people: own, themselves;
department / branch, the people whose current, or for people who left last, placement is in the user's
current department / branch); only administrators edit, load trunks and run a sync, and the sync report shows
them only what `scope.sync_report_for` leaves (their tenant's people, changes and problems; all of it for scope
all). The web process opens callbox.db read-only (no route may write a call row), so edits go through
`db.write_access`: a second, writable connection bound to the directory's tables only, for the length of one
request (webui.db).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

import bottle
from bottle import request, response
from peewee import OperationalError

from appliance import config, localtime
from appliance.access import scope
from appliance.access.users import Account
from appliance.directory import organisation as directory
from appliance.directory import sync as directory_sync
from appliance.directory import trunks as directory_trunks
from webui import TEMPLATE_LOOKUP, db, row_id
from webui.admin.directory_text import error_text
from webui.auth import csrf_token, current_user
from webui.i18n import N_, _, fmt_day, fmt_number, ngettext

log = logging.getLogger(__name__)
MAX_UPLOAD = 2 * 1024 * 1024            # a trunk file is a few KB


def _tenant(user: Account, code: str, default: str) -> tuple[db.Tenant | None, list[db.Tenant]]:
    """The chosen tenant among those the user sees, else the box's own ([directory] tenant) or the first. On a new
    box no tenant is stored yet (only the directory import or an edit stores one): its administrator gets the box's
    own tenant unsaved (id None), so the page offers its forms; the first edit stores it (directory_edit)."""
    tenants = scope.visible_tenants(user)
    by_code = {t.code: t for t in tenants}
    new = db.Tenant(code=default, name=default)
    new = new if _may_edit(user, new) else None
    if code:
        if code in by_code:
            return by_code[code], tenants
        if code == default and new is not None and not tenants:
            return new, tenants
        raise bottle.HTTPError(404, _("No tenant {code!r} that you may see.").format(code=code))
    return by_code.get(default) or (tenants[0] if tenants else new), tenants


def organisation(tid: int, q: str = "", only: set[int] | None = None) -> dict:
    """{branch: {department: [person dicts]}} of the people placed now, and the people who left; `q` filters
    on name, id, e-mail, extension, branch and department (case ignored); `only` keeps these person ids."""
    names = {kind: db.names(tid, kind) for kind in db.NAMED}
    exts: dict[int, list[str]] = {}
    for row in db.open_extensions(tid):
        exts.setdefault(row.person_id, []).append(row.extension)
    placed = db.placed_now(tid)
    tree: dict[str, dict[str, list[dict]]] = {}
    left: list[dict] = []
    needle = directory.casefold(q)
    for p in db.people_by_name(tid):
        if only is not None and p.id not in only:
            continue
        pl = placed.get(p.id)
        branch = names["branch"].get(pl.branch_id) if pl else None
        dept = names["department"].get(pl.department_id) if pl else None
        row = {"id": p.id, "external_id": p.external_id, "name": f"{p.first_name} {p.last_name}".strip(),
               "email": p.email, "extensions": exts.get(p.id, []), "ended_utc": p.ended_utc}
        text = " ".join([row["name"], p.external_id, p.email, branch or "", dept or ""] + row["extensions"])
        if needle and needle not in directory.casefold(text):
            continue
        if p.ended_utc is not None:
            left.append(row)
        else:
            tree.setdefault(branch or "", {}).setdefault(dept or "", []).append(row)
    ordered = {b: dict(sorted(tree[b].items(), key=lambda kv: (kv[0] == "", kv[0].casefold())))
               for b in sorted(tree, key=lambda b: (b == "", b.casefold()))}
    return {"tree": ordered, "left": left}


def overview_page(code: str, default: str, tz, q: str = "", status: int = 200, error: str = "", done: str = "",
                  form: dict | None = None) -> str:
    """The tenant's organisation; for its administrators the forms to add people, name units and load a CSV file
    (`form`: the values a refused form is shown again with)."""
    user = _viewer()
    try:
        tenant, tenants = _tenant(user, code, default)
        org = (organisation(tenant.id, q, scope.visible_people(user, tenant)) if tenant and tenant.id
               else {"tree": {}, "left": []})
        choices = ({kind: sorted(db.names(tenant.id, kind).items(), key=lambda kv: kv[1].casefold())
                    for kind in db.NAMED} if tenant and tenant.id else {kind: [] for kind in db.NAMED})
    except OperationalError:             # the worker made the file but not the tables yet
        tenant, tenants, org, choices = None, [], {"tree": {}, "left": []}, {kind: [] for kind in db.NAMED}
    return _render("directory", status, tenant=tenant, tenants=tenants, q=q, error=error, done=done,
                   form=form or {}, choices=choices, editable=tenant is not None and _may_edit(user, tenant),
                   today=datetime.now(tz).date().isoformat(), **org)


def _zone(cfg: config.Config):
    return localtime.zone(cfg.section("pbx").timezone)


def parse_date(text: str, tz) -> int:
    """A form's date ('2024-03-01') or date and time ('2024-03-01T09:30') in PBX local time, as epoch seconds."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise directory.DirectoryError(_("{text!r} is not a date (YYYY-MM-DD, optionally THH:MM)").format(text=text)) \
            from None
    if dt.tzinfo is not None:
        return int(dt.timestamp())
    return localtime.to_utc(dt.replace(microsecond=0), tz)[0]


# the directory sync report's kinds of change and problem (appliance/directory/sync.py, organisation.py, csv_source.py)
SYNC_KINDS = {"new_person": N_("new person"), "returned": N_("returned"), "moved": N_("moved"), "ended": N_("ended"),
              "details": N_("details changed"), "extension_added": N_("extension added"),
              "extension_removed": N_("extension removed"), "new_branch": N_("new branch"),
              "new_department": N_("new department"), "new_cost_centre": N_("new cost centre"),
              "bad_record": N_("bad row"), "duplicate_person": N_("person twice"), "conflict": N_("conflict"),
              "source_error": N_("source failed"), "unknown_tenant": N_("unknown tenant"),
              "unknown_branch": N_("unknown branch"), "unknown_department": N_("unknown department"),
              "unknown_cost_centre": N_("unknown cost centre"), "no_extension": N_("no extension"),
              "duplicate_extension": N_("extension twice"), "backdated": N_("dated now")}


def sync_kind(kind: str) -> str:
    """A sync report's kind of change or problem in the user's language (the stored code when it is a new one)."""
    return _(SYNC_KINDS[kind]) if kind in SYNC_KINDS else kind


def _render(name: str, status: int = 200, **values) -> str:
    response.status = status
    response.set_header("Cache-Control", "no-store")
    return bottle.template(name, template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), user=current_user(),
                           kind_text=sync_kind, **values)


def _may_edit(user: Account, tenant: db.Tenant) -> bool:
    return user.is_admin and (user.scope == "all" or user.tenant == tenant.code)


def _person(pid: int) -> tuple[db.Person, db.Tenant]:
    """The person and their tenant, if the logged-in user may see that tenant (else 404: no hint it exists)."""
    person = db.person(pid)
    user = current_user()
    assert user is not None
    tenant = db.tenant(person.tenant_id) if person else None
    if tenant is None or tenant.id not in {t.id for t in scope.visible_tenants(user)}:
        raise bottle.HTTPError(404, _("No person {id}.").format(id=pid))
    only = scope.visible_people(user, tenant)
    if only is not None and person.id not in only:
        raise bottle.HTTPError(404, _("No person {id}.").format(id=pid))
    return person, tenant


def person_page(pid: int, tz, status: int = 200, error: str = "", done: str = "") -> str:
    """The person, their history of moves and extensions, and (for administrators) the edit forms."""
    person, tenant = _person(pid)
    current = db.open_placement(tenant.id, person.id)
    return _render("directory_person", status, person=person, tenant=tenant, tz=tz, error=error, done=done,
                   history=directory.history(tenant.id, person.id), current=current,
                   extensions=[r.extension for r in db.open_extensions(tenant.id, person.id)],
                   choices={kind: sorted(db.names(tenant.id, kind).items(), key=lambda kv: kv[1].casefold())
                            for kind in db.NAMED},
                   editable=_may_edit(current_user(), tenant), today=datetime.now(tz).date().isoformat())


def _form_id(forms, name: str) -> int | None:
    value = forms.get(name, "").strip()
    if not value:
        return None
    if row_id(value) is None:
        raise directory.DirectoryError(_("{name}: {value!r} is not an id").format(name=name, value=value))
    return int(value)


def _edit(data_dir: Path, tz, change) -> str:
    """Run change(forms, tenant_id, person_id) writably on the form's person; a DirectoryError is a form error."""
    forms = request.forms.decode()
    pid = row_id(forms.get("person", "")) or 0
    try:
        with db.write_access(data_dir, db.MODELS_DIRECTORY):
            person, tenant = _person(pid)
            if not _may_edit(current_user(), tenant):
                raise bottle.HTTPError(403, _("You may not edit this tenant's directory."))
            done = change(forms, tenant.id, person.id)
    except directory.DirectoryError as e:
        with db.connection():
            return person_page(pid, tz, 400, error=error_text(e, tz))
    log.info("directory edit by %s: person %d: %s", current_user().username, pid, done)
    with db.connection():
        return person_page(pid, tz, done=done)


def _viewer() -> Account:
    """The logged-in user if they may view the organisation (the guard's SUPERVISORS rule, for these routes)."""
    user = current_user()
    if user is None or user.role not in ("administrator", "supervisor"):
        raise bottle.HTTPError(403, _("For administrators and supervisors only."))
    return user


def trunks_page(code: str, default: str, tz, status: int = 200, error: str = "", done: str = "") -> str:
    """The tenant's trunks/lines with their providers over time; the CSV upload form for its administrators."""
    user = _viewer()
    try:
        tenant, tenants = _tenant(user, code, default)
        rows = directory_trunks.trunks(tenant.id) if tenant and tenant.id else []
    except OperationalError:                     # the worker made the file but not the tables yet
        tenant, tenants, rows = None, [], []
    return _render("directory_trunks", status, tenant=tenant, tenants=tenants, trunks=rows, tz=tz, error=error,
                   done=done, editable=tenant is not None and _may_edit(user, tenant),
                   today=datetime.now(tz).date().isoformat())


def _load_trunks(code: str, default: str, tz) -> str:
    """Apply the uploaded trunk CSV (form field `file`) to the form's tenant; returns the summary line."""
    user = _viewer()
    tenant, _tenants = _tenant(user, code, default)
    if tenant is None or not _may_edit(user, tenant):
        raise bottle.HTTPError(403, _("You may not edit this tenant's trunks."))
    upload = request.files.get("file")
    if upload is None:
        raise directory_trunks.TrunkFileError(_("choose a trunk CSV file to upload"))
    name = upload.raw_filename or "trunks.csv"
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        too_big = _("{name}: larger than {mb} MB").format(name=name, mb=MAX_UPLOAD // 2**20)
        raise directory_trunks.TrunkFileError(too_big)
    rows = directory_trunks.read_text(directory_trunks.decode(data, name), name, tz)
    result = directory_trunks.apply(tenant.id, rows, int(time.time()))
    log.info("trunk upload %s by %s: %s", name, user.username, result.text().splitlines()[0])
    said = ngettext("{name}: trunks of tenant {tenant}: {rows} row, {added} added, {changed} changed, {unchanged} "
                    "unchanged", "{name}: trunks of tenant {tenant}: {rows} rows, {added} added, {changed} changed, "
                    "{unchanged} unchanged", result.rows)       # the language's plural rules: "1 row"
    return said.format(name=name, tenant=result.tenant, rows=fmt_number(result.rows),
                       added=fmt_number(len(result.added)), changed=fmt_number(len(result.changed)),
                       unchanged=fmt_number(result.unchanged))


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """/directory, /directory/person/<id>, the edits (/directory/move, /directory/extension), /directory/trunks
    (POST: CSV upload), /directory/sync."""
    app = bottle.Bottle()
    data_dir, tz = Path(data_dir), _zone(cfg)
    default_tenant = cfg.section("directory").tenant

    def reading():
        if not db.read_access(data_dir):
            raise bottle.HTTPError(503, _("No database yet: the worker creates it."))
        return db.connection()

    @app.get("/directory")
    def overview():
        query = request.query.decode()
        with reading():
            return overview_page(query.get("tenant", "").strip(), default_tenant, tz, query.get("q", "").strip())

    @app.get("/directory/person/<pid>")
    def person(pid: str):
        if row_id(pid) is None:
            raise bottle.HTTPError(404, _("No person {id}.").format(id=repr(pid)))
        with reading():
            return person_page(int(pid), tz)

    @app.post("/directory/move")
    def move():
        def change(forms, tid, pid):
            at = parse_date(forms.get("date", ""), tz)
            directory.move_person(tid, pid, at, _form_id(forms, "branch"), _form_id(forms, "department"),
                                  _form_id(forms, "cost_centre"))
            return _("Moved from {date}.").format(date=fmt_day(forms.get("date", "")))
        return _edit(data_dir, tz, change)

    @app.post("/directory/extension")
    def extension():
        def change(forms, tid, pid):
            at, ext = parse_date(forms.get("date", ""), tz), forms.get("extension", "").strip()
            if forms.get("action") == "release":
                if not directory.release_extension(tid, pid, ext, at):
                    raise directory.DirectoryError(_("this person does not hold extension {ext!r}").format(ext=ext))
                return _("Extension {ext} released from {date}.").format(ext=ext, date=fmt_day(forms.get("date", "")))
            directory.assign_extension(tid, pid, ext, at, replace=forms.get("replace") == "1")
            return _("Extension {ext} assigned from {date}.").format(ext=ext, date=fmt_day(forms.get("date", "")))
        return _edit(data_dir, tz, change)

    @app.get("/directory/trunks")
    def trunks():
        with reading():
            return trunks_page(request.query.decode().get("tenant", "").strip(), default_tenant, tz)

    @app.post("/directory/trunks")
    def trunks_upload():
        forms = request.forms.decode()
        code = forms.get("tenant", "").strip()
        try:
            with db.write_access(data_dir, db.MODELS_DIRECTORY):
                done = _load_trunks(code, default_tenant, tz)
        except directory_trunks.TrunkFileError as e:
            with db.connection():
                return trunks_page(code, default_tenant, tz, 400, error=error_text(e, tz))
        with db.connection():
            return trunks_page(code, default_tenant, tz, done=done)

    def may_sync(user: Account) -> bool:
        """The sync writes the [directory] tenant: its administrators and those of the whole box run it."""
        return user.scope == "all" or user.tenant == default_tenant

    @app.get("/directory/sync")
    def sync_page():
        with reading():
            try:
                report = scope.sync_report_for(current_user(), directory_sync.last_report())
            except OperationalError:
                report = None
        return _render("directory_sync", report=report, ran=False, tz=tz, may_sync=may_sync(current_user()))

    @app.post("/directory/sync")
    def sync_now():
        user = current_user()
        if not may_sync(user):
            raise bottle.HTTPError(403, _("The sync writes the [directory] tenant: not yours."))
        try:
            with db.write_access(data_dir, db.MODELS_DIRECTORY):
                report = scope.sync_report_for(user, directory_sync.sync_once(cfg).to_dict())
        except config.ConfigError as e:
            return _render("directory_sync", 400, report=None, ran=False, tz=tz, error=str(e), may_sync=True)
        log.info("directory sync run from the web by %s", user.username)
        return _render("directory_sync", report=report, ran=True, tz=tz, may_sync=True)

    return app
