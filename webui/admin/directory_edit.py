"""The organisation's edits from the web, for a tenant's administrators (DIR-1, DIR-4): add a person, change their
details, end them (dated), add and rename branches, departments and cost centres, upload the directory CSV file,
and add, change or end one line.

Every change goes through the code the CSV/LDAP import and `callbox directory` use (appliance.directory: the
dated model, its import and the trunk file's rows), through `db.write_access` like the edits in
webui.admin.directory; an uploaded file with unreadable rows is refused whole with each row's line and column.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import bottle
from bottle import request

from appliance import config
from appliance.access import scope
from appliance.directory import csv_source as directory_csv
from appliance.directory import edits
from appliance.directory import organisation as directory
from appliance.directory import sync as directory_sync
from appliance.directory import trunks as directory_trunks
from webui import db
from webui.admin.directory import (MAX_UPLOAD, _edit, _form_id, _may_edit, _render, _tenant, _viewer, _zone,
                                   overview_page, parse_date, trunks_page)
from webui.admin.directory_text import error_text, row_problem
from webui.auth import current_user
from webui.i18n import _, fmt_day

log = logging.getLogger(__name__)
KINDS = ("branch", "department", "cost_centre")


def _labels() -> dict[str, str]:
    return {"branch": _("Branch"), "department": _("Department"), "cost_centre": _("Cost centre")}


def _admin_tenant(code: str, default: str) -> db.Tenant:
    """The form's tenant, if the logged-in user administers it (else 403; a tenant they cannot see is 404)."""
    user = _viewer()
    tenant, _tenants = _tenant(user, code, default)
    if tenant is None or not _may_edit(user, tenant):
        raise bottle.HTTPError(403, _("You may not edit this tenant's directory."))
    if tenant.id is None:         # the box's own tenant on a new box: stored by its first edit
        tenant = db.Tenant.get_by_id(db.tenant_id(tenant.code, create=True))
    return tenant


def _upload(name_default: str) -> tuple[str, str]:
    """The uploaded file (form field `file`): its name and its UTF-8 text; a missing, large or non-UTF-8 file
    raises DirectoryError."""
    upload = request.files.get("file")
    if upload is None:
        raise directory.DirectoryError(_("choose a CSV file to upload"))
    name = upload.raw_filename or name_default
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise directory.DirectoryError(_("{name}: larger than {mb} MB").format(name=name, mb=MAX_UPLOAD // 2**20))
    try:
        return name, directory_csv.decode(data, name)
    except ValueError as e:
        raise directory.DirectoryError(str(e), getattr(e, "text", None)) from None


def import_upload(tenant: db.Tenant, tz) -> dict:
    """Load the uploaded directory CSV into `tenant` as `callbox directory import` does (adds and updates people,
    creates the units it names, ends nobody). Any unreadable row refuses the whole file: DirectoryError lists
    them. Returns the import's report as the sync page shows it."""
    name, text = _upload("people.csv")
    try:
        records, problems = directory_csv.read_text(text, name, tz, tenant.code, only_tenant=tenant.code)
    except ValueError as e:
        raise directory.DirectoryError(str(e), getattr(e, "text", None)) from None
    # the import's own words end "; ignored" / "; row skipped": here the whole file waits for the fix
    bad = [row_problem(p.text, p.message.removesuffix("; ignored").removesuffix("; row skipped"))
           for p in problems if p.kind == "bad_record"]
    if bad:
        raise directory.DirectoryError(_("{name}: nothing loaded, fix these rows first:").format(name=name)
                                       + "\n" + "\n".join(bad))
    if not records:
        raise directory.DirectoryError(_("{name}: no people in the file").format(name=name))
    report = directory_sync.import_records(records, problems, tenant.code, tenants={tenant.code})
    log.info("directory upload %s by %s: %s", name, current_user().username, report.text().splitlines()[0])
    return report.to_dict()


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """POST /directory/person/new, /directory/person/details, /directory/person/end, /directory/units,
    /directory/import, /directory/trunks/line."""
    app = bottle.Bottle()
    data_dir, tz = Path(data_dir), _zone(cfg)
    default_tenant = cfg.section("directory").tenant

    def on_overview(change):
        """Run change(forms, tenant) writably; a DirectoryError shows the overview again with the form's values."""
        forms = request.forms.decode()
        code = forms.get("tenant", "").strip()
        try:
            with db.write_access(data_dir, db.MODELS_DIRECTORY):
                done = change(forms, _admin_tenant(code, default_tenant))
        except directory.DirectoryError as e:
            with db.connection():
                return overview_page(code, default_tenant, tz, status=400, error=error_text(e, tz), form=dict(forms))
        log.info("directory edit by %s: %s", current_user().username, done)
        if isinstance(done, int):               # a new person: their page
            return bottle.redirect(f"/directory/person/{done}", 303)
        with db.connection():
            return overview_page(code, default_tenant, tz, done=done)

    @app.post("/directory/person/new")
    def new_person():
        def change(forms, tenant):
            at = parse_date(forms.get("date", ""), tz)
            if not forms.get("external_id", "").strip():
                raise directory.DirectoryError(_("Id: a person needs an id (the directory's key, e.g. their login)"))
            if not (forms.get("first_name", "").strip() or forms.get("last_name", "").strip()):
                raise directory.DirectoryError(_("Name: a person needs a first or last name"))
            if db.Person.get_or_none(db.Person.tenant_id == tenant.id,
                                     db.Person.external_id == forms["external_id"].strip()):
                raise directory.DirectoryError(_("Id: {id!r} is somebody else's already").format(
                    id=forms["external_id"].strip()))
            place = tuple(_form_id(forms, kind) for kind in KINDS)
            return edits.new_person(tenant.id, forms["external_id"], forms.get("first_name", ""),
                                    forms.get("last_name", ""), forms.get("email", ""), at, place,
                                    forms.get("extension", ""))
        return on_overview(change)

    @app.post("/directory/units")
    def units():
        def change(forms, tenant):
            kind = forms.get("kind", "")
            if kind not in KINDS:
                raise directory.DirectoryError(_("choose branch, department or cost centre"))
            name, label = " ".join(forms.get("name", "").split()), _labels()[kind]
            if not name:
                raise directory.DirectoryError(_("{what}: a name is needed").format(what=label))
            if name.casefold() in {n.casefold() for n in db.names(tenant.id, kind).values()}:
                raise directory.DirectoryError(_("{what} “{name}” exists already").format(what=label, name=name))
            if forms.get("id", "").strip():
                old = edits.rename_named(tenant.id, kind, _form_id(forms, "id") or 0, name)
                return _("{what} “{old}” is now “{name}”.").format(what=label, old=old, name=name)
            edits.add_named(tenant.id, kind, name)
            return _("{what} “{name}” added.").format(what=label, name=name)
        return on_overview(change)

    @app.post("/directory/import")
    def import_csv():
        forms = request.forms.decode()
        code = forms.get("tenant", "").strip()
        try:
            with db.write_access(data_dir, db.MODELS_DIRECTORY):
                report = import_upload(_admin_tenant(code, default_tenant), tz)
        except directory.DirectoryError as e:
            with db.connection():
                return overview_page(code, default_tenant, tz, status=400, error=error_text(e, tz))
        user = current_user()
        return _render("directory_sync", report=scope.sync_report_for(user, report), ran=True, tz=tz,
                       may_sync=user.scope == "all" or user.tenant == default_tenant)

    @app.post("/directory/person/details")
    def details():
        def change(forms, tid, pid):
            changed = edits.set_details(tid, pid, forms.get("first_name", ""), forms.get("last_name", ""),
                                        forms.get("email", ""))
            return _("Details saved.") if changed else _("Nothing to change.")
        return _edit(data_dir, tz, change)

    @app.post("/directory/person/end")
    def end():
        def change(forms, tid, pid):
            directory.end_person(tid, pid, parse_date(forms.get("date", ""), tz))
            return _("Left on {date}: their place and extensions end then.").format(date=fmt_day(forms.get("date", "")))
        return _edit(data_dir, tz, change)

    @app.post("/directory/trunks/line")
    def line():
        forms = request.forms.decode()
        code = forms.get("tenant", "").strip()
        try:
            with db.write_access(data_dir, db.MODELS_DIRECTORY):
                done = _line(forms, _admin_tenant(code, default_tenant), tz)
        except (directory.DirectoryError, directory_trunks.TrunkFileError) as e:
            with db.connection():
                return trunks_page(code, default_tenant, tz, 400, error=error_text(e, tz))
        with db.connection():
            return trunks_page(code, default_tenant, tz, done=done)

    return app


def _line(forms, tenant: db.Tenant, tz) -> str:
    """Add a line, change its provider (dated), or end it (dated): one row of a trunk file, applied the same way."""
    trunk, at = forms.get("trunk", "").strip(), parse_date(forms.get("date", ""), tz)
    if not trunk:
        raise directory.DirectoryError(_("Trunk: which line (as the PBX prints it)?"))
    if forms.get("action") == "end":
        edits.end_trunk(tenant.id, trunk, at)
        return _("Line {trunk} ended on {date}.").format(trunk=trunk, date=fmt_day(forms.get("date", "")))
    provider = forms.get("provider", "").strip()
    if not provider:
        raise directory.DirectoryError(_("Provider: who serves this line?"))
    row = directory_trunks.TrunkRow(0, trunk, forms.get("name", "").strip(), provider, at)
    try:
        directory_trunks.apply(tenant.id, [row], int(time.time()))
    except directory_trunks.TrunkFileError as e:       # "line 0: ...": there is no file here
        raise directory.DirectoryError(str(e).removeprefix("line 0: ")) from None
    return _("Line {trunk}: {provider} from {date}.").format(trunk=trunk, provider=provider,
                                                             date=fmt_day(forms["date"]))
