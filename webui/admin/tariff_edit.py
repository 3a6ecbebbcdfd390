"""Editing a tariff plan version on a page (RAT-2): settings, prefixes and rates, or the version's whole CSV.

Whatever the form sends goes through the same parsers and plan checks as a CSV import, so the page can store
nothing an import would refuse. Saving under another "valid from" date creates a new version and leaves the
old one as it was (calls before that date keep their prices); the same date replaces the version.
"""
from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import bottle
from bottle import request

from appliance.rating import plans as stored_plans
from appliance.rating import tariff_csv, tariffs
from appliance.rating.tariffs import PlanVersion, TariffError
from webui import db, row_id
from webui.admin.tariffs import render
from webui.i18n import _

log = logging.getLogger(__name__)


def _field(name: str, default: str = "") -> str:
    return request.forms.getunicode(name, default=default) or ""


def _cell(what: str, parse, text: str):
    try:
        return parse(text)
    except ValueError as e:
        raise TariffError(f"{what}: {e}") from None


def from_form(v: PlanVersion) -> PlanVersion:
    """The version `v` with the form's settings, destination prefixes/classes and rates; TariffError names the
    field at fault. Destinations and rates are matched by position, as the page lists them."""
    destinations = tuple(
        dataclasses.replace(
            d, prefixes=_cell(_("Prefixes of %s") % d.name, tariffs.parse_prefixes, _field(f"prefixes_{i}")),
            classes=_cell(_("Number classes of %s") % d.name, tariffs.parse_classes, _field(f"classes_{i}")))
        for i, d in enumerate(v.destinations))
    rates = tuple(
        dataclasses.replace(r, connection_fee=_cell(_("Connection fee of %s / %s") % (r.destination, r.band),
                                                    tariffs.parse_money, _field(f"fee_{i}")),
                            minimum=_cell(_("Minimum charge of %s / %s") % (r.destination, r.band),
                                          tariffs.parse_money, _field(f"minimum_{i}")),
                            steps=_cell(_("Steps of %s / %s") % (r.destination, r.band), tariffs.parse_steps,
                                        _field(f"steps_{i}")))
        for i, r in enumerate(v.rates))
    settings = {key: _cell(key, tariffs.SETTINGS[key], _field(key)) for key in
                ("valid_from", "currency", "rounding", "decimals", "band_boundary")}
    return dataclasses.replace(v, destinations=destinations, rates=rates, id=None, **settings)


def from_csv(v: PlanVersion) -> PlanVersion:
    """The version written in the form's CSV text: exactly one version of the same provider and plan."""
    found = tariff_csv.read_csv(_field("csv"), _("the CSV on the page"))
    if len(found) != 1 or (found[0].provider, found[0].plan) != (v.provider, v.plan):
        raise TariffError(_("The CSV must hold exactly one version of %s / %s.") % (v.provider, v.plan))
    return found[0]


def routes(data_dir: Path) -> bottle.Bottle:
    """GET and POST /tariffs/version/<vid>/edit."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)

    def load(vid: str) -> PlanVersion:
        if row_id(vid) is not None and db.read_access(data_dir):
            with db.connection():
                for v in stored_plans.load_versions():
                    if v.id == int(vid):
                        return v
        raise bottle.HTTPError(404, _("no tariff version %r") % vid)

    def page(v: PlanVersion, status: int = 200, error: str = "", form: dict | None = None, csv: str = ""):
        return render("tariff_edit", status, v=v, error=error, form=form or {},
                      csv=csv or tariff_csv.write_csv([v]))

    @app.get("/tariffs/version/<vid>/edit")
    def edit(vid: str):
        return page(load(vid))

    @app.post("/tariffs/version/<vid>/edit")
    def save(vid: str):
        v = load(vid)
        try:
            edited = from_csv(v) if _field("action") == "csv" else from_form(v)
            tariffs.check(edited)
            with db.write_access(data_dir, db.MODELS_TARIFFS):
                new_id, replaced = stored_plans.save_version(edited)
        except TariffError as e:
            form = {k: request.forms.getunicode(k) for k in request.forms.keys()}
            return page(v, 400, error=str(e), form=form, csv=_field("csv"))
        log.info("tariff version %s edited on the web by %s: stored as %d%s", vid,
                 request.environ["callbox.user"].username, new_id, " (replaced)" if replaced else " (new version)")
        bottle.redirect(f"/tariffs/version/{new_id}?saved={'replaced' if replaced else 'new'}", 303)

    return app
