"""Organisation pages (DIR-1..4): branches > departments > people, a person's history, dated edits, the sync report.

Administrators and supervisors view the tenants they may see (their own; every tenant with scope all);
only administrators edit and run a sync. The web process opens callbox.db read-only (no route may write a
call row), so edits go through `write_access`: a second, writable connection bound to the directory's (or
the tariffs') tables only, for the length of one request.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import bottle
from bottle import request, response
from peewee import OperationalError, SqliteDatabase

from appliance import config, directory, directory_sync, parse, store
from appliance import store_directory as sd
from appliance.users import Account
from webui.auth import csrf_token, current_user

log = logging.getLogger(__name__)
TEMPLATE_LOOKUP = [str(Path(__file__).parent / "templates")]
# One writer at a time in this process (gevent-patched in the web process); sqlite's busy_timeout covers
# the worker.
WRITE_LOCK = threading.Lock()


class NotReady(Exception):
    """callbox.db does not exist yet (the worker creates it)."""


def read_access(data_dir: Path) -> bool:
    """Point store.db read-only at <data>/callbox.db if it exists (as webui.api does); False if it does not."""
    path = Path(data_dir) / "callbox.db"
    if store.db.database == f"file:{path}?mode=ro":
        return True
    if not path.exists():
        return False
    store.open_db(path, readonly=True)
    store.db.close()        # connections are opened per request (peewee's state is greenlet-local)
    return True


@contextmanager
def write_access(data_dir: Path, models: tuple) -> Iterator[None]:
    """Bind `models` (never the call tables) to a writable connection to callbox.db inside one transaction."""
    if not read_access(data_dir):
        raise NotReady
    rw = SqliteDatabase(str(Path(data_dir) / "callbox.db"),
                        pragmas={"busy_timeout": store.BUSY_TIMEOUT_MS, "foreign_keys": 1})
    with WRITE_LOCK:
        try:
            with store.db.connection_context(), rw.bind_ctx(models, bind_refs=False, bind_backrefs=False):
                with rw.atomic():
                    yield
        finally:
            rw.close()


def visible_tenants(user: Account) -> list[sd.Tenant]:
    """The tenants whose directory the user may see."""
    query = sd.Tenant.select().order_by(sd.Tenant.code)
    return list(query if user.scope == "all" else query.where(sd.Tenant.code == user.tenant))


def _tenant(user: Account, code: str, default: str) -> tuple[sd.Tenant | None, list[sd.Tenant]]:
    tenants = visible_tenants(user)
    by_code = {t.code: t for t in tenants}
    if code:
        if code not in by_code:
            raise bottle.HTTPError(404, f"no tenant {code!r} that you may see")
        return by_code[code], tenants
    return by_code.get(default) or (tenants[0] if tenants else None), tenants


def organisation(tid: int, q: str = "") -> dict:
    """{branch: {department: [person dicts]}} of the people placed now, and the people who left; `q` filters
    on name, id, e-mail, extension, branch and department (case ignored)."""
    names = {kind: sd.names(tid, kind) for kind in sd.NAMED}
    exts: dict[int, list[str]] = {}
    for row in sd.open_extensions(tid):
        exts.setdefault(row.person_id, []).append(row.extension)
    placed = {p.person_id: p for p in sd.Placement.select().where(sd.Placement.tenant_id == tid,
                                                                  sd.Placement.valid_to.is_null())}
    tree: dict[str, dict[str, list[dict]]] = {}
    left: list[dict] = []
    needle = directory.casefold(q)
    for p in sd.Person.select().where(sd.Person.tenant_id == tid).order_by(sd.Person.last_name, sd.Person.first_name):
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


def _zone(cfg: config.Config):
    return parse.zone(cfg.section("pbx").timezone)


def parse_date(text: str, tz) -> int:
    """A form's date ('2024-03-01') or date and time ('2024-03-01T09:30') in PBX local time, as epoch seconds."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise directory.DirectoryError(f"{text!r} is not a date (YYYY-MM-DD, optionally THH:MM)") from None
    if dt.tzinfo is not None:
        return int(dt.timestamp())
    return parse.to_utc(dt.replace(microsecond=0), tz)[0]


def _render(name: str, status: int = 200, **values) -> str:
    response.status = status
    response.set_header("Cache-Control", "no-store")
    return bottle.template(name, template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(), user=current_user(),
                           **values)


def _may_edit(user: Account, tenant: sd.Tenant) -> bool:
    return user.is_admin and (user.scope == "all" or user.tenant == tenant.code)


def _person(pid: int) -> tuple[sd.Person, sd.Tenant]:
    """The person and their tenant, if the logged-in user may see that tenant (else 404: no hint it exists)."""
    person = sd.Person.get_or_none(sd.Person.id == pid)
    user = current_user()
    assert user is not None
    tenant = sd.Tenant.get_or_none(sd.Tenant.id == person.tenant_id) if person else None
    if tenant is None or tenant.id not in {t.id for t in visible_tenants(user)}:
        raise bottle.HTTPError(404, f"no person {pid}")
    return person, tenant


def person_page(pid: int, tz, status: int = 200, error: str = "", done: str = "") -> str:
    """The person, their history of moves and extensions, and (for administrators) the edit forms."""
    person, tenant = _person(pid)
    current = sd.open_placement(tenant.id, person.id)
    return _render("directory_person", status, person=person, tenant=tenant, tz=tz, error=error, done=done,
                   history=directory.history(tenant.id, person.id), current=current,
                   extensions=[r.extension for r in sd.open_extensions(tenant.id, person.id)],
                   choices={kind: sorted(sd.names(tenant.id, kind).items(), key=lambda kv: kv[1].casefold())
                            for kind in sd.NAMED},
                   editable=_may_edit(current_user(), tenant), today=datetime.now(tz).date().isoformat())


def _form_id(forms, name: str) -> int | None:
    value = forms.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise directory.DirectoryError(f"{name}: {value!r} is not an id")
    return int(value)


def _edit(data_dir: Path, tz, change) -> str:
    """Run change(forms, tenant_id, person_id) writably on the form's person; a DirectoryError is a form error."""
    forms = request.forms.decode()
    pid = int(forms.get("person", "0")) if forms.get("person", "").isdigit() else 0
    try:
        with write_access(data_dir, sd.MODELS_DIRECTORY):
            person, tenant = _person(pid)
            if not _may_edit(current_user(), tenant):
                raise bottle.HTTPError(403, "you may not edit this tenant's directory")
            done = change(forms, tenant.id, person.id)
    except NotReady:
        raise bottle.HTTPError(503, "no database yet: the worker creates it") from None
    except directory.DirectoryError as e:
        with store.db.connection_context():
            return person_page(pid, tz, 400, error=str(e))
    log.info("directory edit by %s: person %d: %s", current_user().username, pid, done)
    with store.db.connection_context():
        return person_page(pid, tz, done=done)


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """/directory, /directory/person/<id>, the edits (/directory/move, /directory/extension), /directory/sync."""
    app = bottle.Bottle()
    data_dir, tz = Path(data_dir), _zone(cfg)
    default_tenant = cfg.section("directory").tenant

    def reading():
        if not read_access(data_dir):
            raise bottle.HTTPError(503, "no database yet: the worker creates it")
        return store.db.connection_context()

    @app.get("/directory")
    def overview():
        query = request.query.decode()
        q = query.get("q", "").strip()
        with reading():
            try:
                tenant, tenants = _tenant(current_user(), query.get("tenant", "").strip(), default_tenant)
                org = organisation(tenant.id, q) if tenant else {"tree": {}, "left": []}
            except OperationalError:             # the worker made the file but not the tables yet
                tenant, tenants, org = None, [], {"tree": {}, "left": []}
        return _render("directory", tenant=tenant, tenants=tenants, q=q, **org)

    @app.get("/directory/person/<pid>")
    def person(pid: str):
        if not pid.isdigit():
            raise bottle.HTTPError(404, f"no person {pid!r}")
        with reading():
            return person_page(int(pid), tz)

    @app.post("/directory/move")
    def move():
        def change(forms, tid, pid):
            at = parse_date(forms.get("date", ""), tz)
            directory.move_person(tid, pid, at, _form_id(forms, "branch"), _form_id(forms, "department"),
                                  _form_id(forms, "cost_centre"))
            return f"Moved from {forms.get('date', '')}."
        return _edit(data_dir, tz, change)

    @app.post("/directory/extension")
    def extension():
        def change(forms, tid, pid):
            at, ext = parse_date(forms.get("date", ""), tz), forms.get("extension", "").strip()
            if forms.get("action") == "release":
                if not directory.release_extension(tid, pid, ext, at):
                    raise directory.DirectoryError(f"this person does not hold extension {ext!r}")
                return f"Extension {ext} released from {forms.get('date', '')}."
            directory.assign_extension(tid, pid, ext, at, replace=forms.get("replace") == "1")
            return f"Extension {ext} assigned from {forms.get('date', '')}."
        return _edit(data_dir, tz, change)

    @app.get("/directory/sync")
    def sync_page():
        with reading():
            try:
                report = directory_sync.last_report()
            except OperationalError:
                report = None
        return _render("directory_sync", report=report, ran=False, tz=tz)

    @app.post("/directory/sync")
    def sync_now():
        user = current_user()
        if user.scope != "all" and user.tenant != default_tenant:
            raise bottle.HTTPError(403, "the sync writes the [directory] tenant: not yours")
        try:
            with write_access(data_dir, sd.MODELS_DIRECTORY):
                report = directory_sync.sync_once(cfg).to_dict()
        except NotReady:
            raise bottle.HTTPError(503, "no database yet: the worker creates it") from None
        except config.ConfigError as e:
            return _render("directory_sync", 400, report=None, ran=False, tz=tz, error=str(e))
        log.info("directory sync run from the web by %s", user.username)
        return _render("directory_sync", report=report, ran=True, tz=tz)

    return app
