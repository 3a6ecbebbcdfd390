"""Tariff pages (RAT-1..3): stored plans and versions, a version read-only, CSV upload and download (administrators).

Plans price the calls of every tenant, so only administrators of the whole box upload and edit them (webui.auth
SHARED_WRITES); a tenant's administrator sees the same pages without the upload form and edit links."""
from __future__ import annotations

import logging
from pathlib import Path

import bottle
from bottle import request, response
from peewee import OperationalError

from appliance import config
from appliance.rating import asked
from appliance.rating import plans as stored_plans
from appliance.rating import tariff_csv, tariffs
from appliance.wizard import choice
from webui import TEMPLATE_LOOKUP, db, row_id
from webui.auth import csrf_token, current_user, may_change_shared
from webui.i18n import _, fmt_day

log = logging.getLogger(__name__)
MAX_UPLOAD = 20 * 1024 * 1024        # a 50,000-prefix deck is ~1 MB
# a small plan with every section, to edit and upload (issue 20: the page pointed to provisioning/tariffs/, which a
# branch administrator cannot open); a test imports it
EXAMPLE = Path(__file__).with_name("tariff_example.csv")


def render(name: str, status: int = 200, **values) -> str:
    """A tariff page, uncached, with the session's CSRF token (webui.admin.tariff_edit renders with it too)."""
    response.status = status
    response.set_header("Cache-Control", "no-store")
    return bottle.template(name, template_lookup=TEMPLATE_LOOKUP, csrf=csrf_token(),
                           may_change=may_change_shared(current_user()), **values)


def _overview() -> list[dict]:
    """Every plan with its versions (id, valid_from, currency, counts), by provider and plan."""
    return [{"id": plan_id, "provider": provider, "plan": name, "versions": db.tariff_versions(plan_id)}
            for plan_id, provider, name in stored_plans.plans()]


def _list_page(data_dir: Path, status: int = 200, error: str = "", done: str = "") -> str:
    plans: list[dict] = []
    rerate = {"pending": asked.pending(data_dir), "last": asked.last(data_dir)}
    if db.read_access(data_dir):
        with db.connection():
            try:
                plans = _overview()
            except OperationalError:
                log.warning("tariff tables not ready in %s", data_dir)
    return render("tariffs", status, plans=plans, error=error, done=done, rerate=rerate)


def import_text(text: str, source: str) -> list[tuple[str, int, bool]]:
    """Read and store every version of a tariff file: [(label, version id, replaced)]; TariffError on a bad file."""
    versions = tariff_csv.read_csv(text, source)
    out = []
    for v in versions:
        vid, replaced = stored_plans.save_version(v)
        out.append((_("%s / %s from %s") % (v.provider, v.plan, fmt_day(v.valid_from)), vid, replaced))
    return out


def routes(data_dir: Path, pbx_timezone: str = "") -> bottle.Bottle:
    """/tariffs, /tariffs/version/<id>, /tariffs/plan/<id>.csv, /tariffs/example.csv, POST /tariffs/upload and
    /tariffs/rerate."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)

    def version_of(vid: str) -> tariffs.PlanVersion:
        if row_id(vid) is None or not db.read_access(data_dir):
            raise bottle.HTTPError(404, _("no tariff version %r") % vid)
        with db.connection():
            found = [v for v in stored_plans.load_versions() if v.id == int(vid)]
        if not found:
            raise bottle.HTTPError(404, _("no tariff version %r") % vid)
        return found[0]

    @app.get("/tariffs")
    def overview():
        return _list_page(data_dir)

    @app.get("/tariffs/version/<vid>")
    def version(vid: str):
        saved = {"replaced": _("Saved: this version was replaced."),
                 "new": _("Saved as a new version; the previous one still prices the calls before this date.")}
        return render("tariff_version", v=version_of(vid), done=saved.get(request.query.saved or "", ""))

    @app.get("/tariffs/plan/<pid>.csv")
    def download(pid: str):
        if row_id(pid) is None or not db.read_access(data_dir):
            raise bottle.HTTPError(404, _("no tariff plan %r") % pid)
        with db.connection():
            names = {p[0]: p for p in stored_plans.plans()}
            if int(pid) not in names:
                raise bottle.HTTPError(404, _("no tariff plan %r") % pid)
            _pid, provider, plan = names[int(pid)]
            text = tariff_csv.write_csv(stored_plans.load_versions(provider, plan))
        # an ASCII file name (a header is Latin-1): Türk Telekom -> T-rk-Telekom
        filename = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in f"{provider}-{plan}")
        response.content_type = "text/csv; charset=utf-8"
        response.set_header("Content-Disposition", f'attachment; filename="{filename}.csv"')
        return text

    @app.get("/tariffs/example.csv")
    def example():
        response.content_type = "text/csv; charset=utf-8"
        response.set_header("Content-Disposition", 'attachment; filename="tariff-example.csv"')
        return "\ufeff" + EXAMPLE.read_text(encoding="utf-8")     # a BOM: Excel shows the file's letters right

    @app.post("/tariffs/upload")
    def upload():
        upload = request.files.get("file")
        if upload is None:
            return _list_page(data_dir, 400, error=_("Choose a tariff CSV file to upload."))
        data = upload.file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return _list_page(data_dir, 400, error=_("The file is larger than %d MB.") % (MAX_UPLOAD // 2**20))
        name = upload.raw_filename or "upload.csv"
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            error = _("%s: not UTF-8 (byte %d); save it as UTF-8 CSV.") % (name, e.start)
            return _list_page(data_dir, 400, error=error)
        try:
            with db.write_access(data_dir, db.MODELS_TARIFFS):
                stored = import_text(text, name)
        except tariffs.TariffError as e:
            return _list_page(data_dir, 400, error=str(e))
        log.info("tariff upload %s: %d versions", name, len(stored))
        done = "; ".join((_("%s stored (replaced)") if replaced else _("%s stored")) % label
                         for label, _vid, replaced in stored)
        return _list_page(data_dir, 201, done=done or _("%s: no plan version in the file.") % name)

    @app.post("/tariffs/rerate")
    def rerate():
        """Ask the worker to price the stored calls again (appliance/rating/asked.py), since a local day or all."""
        form = request.forms.decode()
        day = (form.get("since") or "").strip()
        try:
            since = int(choice.since_utc(day, pbx_timezone)) if day else None
        except config.ConfigError:
            return _list_page(data_dir, 400, error=_("%s is not a date.") % day)
        asked.ask(data_dir, since, current_user().username, reclassify=form.get("reclassify") == "1")
        log.info("re-rate asked on the web by %s (since %s)", current_user().username, day or "the first call")
        bottle.redirect("/tariffs#rerate", 303)

    return app
