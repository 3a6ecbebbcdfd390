"""The bill page (/bill, RAT-8): a person's bill for a month, with every call, and its PDF (/bill.pdf).

Who may see whose bill: staff only their own; everyone else the people of their data scope as the
organisation pages take it (appliance.access.scope.bill_people: own, department, branch, whole tenant),
within their tenant (every tenant for scope all). Anyone else's bill is a 404, as for a person who does not exist.
The bill itself is appliance.billing.bills.bill; building it can take a while, so the real (gevent) server runs
it in gevent's threadpool and the hub keeps serving other requests (STACK.md §5).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import bottle
from bottle import request, response
from peewee import OperationalError

from appliance import config, localtime
from appliance.access import scope
from appliance.access.users import Account
from appliance.billing import bills as billing
from appliance.billing import received, usage
from appliance.pdf import child as pdf_child
from appliance.reports import received_calls
from appliance.reports.attribution import rollup_scope
from webui import TEMPLATE_LOOKUP, db, offload
from webui.auth import current_user
from webui.i18n import N_, _, fmt_number, hunt_groups, language, to_decimal
from webui.sorting import Column, Sorted, amount, sort_list

log = logging.getLogger(__name__)
# Number classes (appliance/rating/numbering.py) as the bill names them.
KINDS = {"local": N_("local"), "long_distance": N_("long distance"), "mobile": N_("mobile"),
         "international_fixed": N_("international fixed"), "international_mobile": N_("international mobile"),
         "toll_free": N_("toll free"), "premium": N_("premium rate"), "emergency": N_("emergency"),
         "short_code": N_("short code"), "internal": N_("internal"), "unknown": N_("unknown")}
UNITS = {"minutes": N_("minutes"), "calls": N_("calls"), "money": N_("money")}
BASES = {"cost": N_("by cost"), "duration": N_("by duration"), "calls": N_("by number of calls"),
         "equal": N_("equal shares")}


@dataclass
class Choice:
    """Whose bill for which period, as the request asked and the user may see."""
    tenant: db.Tenant | None
    tenants: list[db.Tenant]
    people: list[tuple[str, str]]      # (external id, name) the user may pick
    person: str                        # "" = none chosen yet
    period: str
    branches: list[str] = field(default_factory=list)   # on a central: the branch boxes the user sees
    branch: str = ""                   # the branch box whose received calls are billed ("" = this box's own)
    tenant_in: tuple[str, ...] | None = None   # the received calls' tenants the user sees (None: every one)
    box_labels: dict[str, str] = field(default_factory=dict)   # the branch boxes' display names


def last_month(tz) -> str:
    """YYYY-MM of the month before today's (PBX local time)."""
    first = datetime.now(tz).date().replace(day=1)
    prev = first - timedelta(days=1)
    return f"{prev.year:04d}-{prev.month:02d}"


def allowed_people(user: Account, tenant: db.Tenant) -> list[tuple[str, str]]:
    """(external id, name) of the tenant's people whose bill the user may see, by name."""
    only = scope.bill_people(user, tenant)
    return [(p.external_id, f"{p.first_name} {p.last_name}".strip() or p.external_id)
            for p in db.people_by_name(tenant.id, then_by_id=True, only=only)]


def _tenant(user: Account, code: str, default: str) -> tuple[db.Tenant | None, list[db.Tenant]]:
    tenants = scope.visible_tenants(user)
    by_code = {t.code: t for t in tenants}
    if code:
        if code not in by_code:
            raise bottle.HTTPError(404, _("No tenant {code!r} that you may see.").format(code=code))
        return by_code[code], tenants
    return by_code.get(user.tenant) or by_code.get(default) or (tenants[0] if tenants else None), tenants


def _received(user: Account, query, pbx_tenant: str, tz, central: bool) -> Choice | None:
    """On a central, the bill of a branch box's person (?branch=BOX): the people of that box with calls in the
    month, for a user who sees the box's calls (HQ every box, a branch user theirs); None without ?branch."""
    if not central:
        return None
    rscope = rollup_scope(user, pbx_tenant)
    boxes = received_calls.branch_names(rscope)
    labels = received_calls.labels() if boxes else {}
    box = query.get("branch", "").strip()
    if not box:
        return Choice(None, [], [], "", "", boxes, box_labels=labels) if boxes else None
    if box not in boxes:
        raise bottle.HTTPError(404, _("No branch box {name!r} that you may see.").format(name=box))
    period = query.get("period", "").strip() or last_month(tz)
    try:
        people = received.people(box, usage.parse_period(period, tz), rscope.tenant_in)
    except usage.BillingError:
        people = []
    # every person of a box the user sees is theirs to see: one without calls in the month has an empty bill
    person = query.get("person", "").strip()
    return Choice(None, [], people, person, period, boxes, box, rscope.tenant_in, labels)


def choose(user: Account, query, pbx_tenant: str, tz, central: bool = False) -> Choice:
    """The tenant, person and period of the request; 404 for a person the user may not see. On a central, with
    ?branch=BOX, a person of that branch box's received calls."""
    got = _received(user, query, pbx_tenant, tz, central)
    if got is not None and got.branch:
        return got
    tenant, tenants = _tenant(user, query.get("tenant", "").strip(), pbx_tenant)
    people = allowed_people(user, tenant) if tenant else []
    ids = {pid for pid, _name in people}
    person = query.get("person", "").strip()
    if person and person not in ids:
        raise bottle.HTTPError(404, _("No person {id} that you may see.").format(id=person))
    if not person:
        person = user.person if user.person in ids else (people[0][0] if len(people) == 1 else "")
    return Choice(tenant, tenants, people, person, query.get("period", "").strip() or last_month(tz),
                  got.branches if got is not None else [], box_labels=got.box_labels if got is not None else {})


def build(data_dir: Path, cfg: config.Config, tenant: str, person: str, period_text: str,
          pdf_lang: str | None = None, c: Choice | None = None):
    """(bill, pdf bytes or None) in the threadpool of the real server. Raises usage.BillingError. With a branch box
    chosen (`c`), the bill of its received calls."""
    tz = localtime.zone(cfg.section("pbx").timezone)

    def work():
        with db.connection():
            if c is not None and c.branch:
                b = received.bill(c.branch, usage.parse_period(period_text, tz), person=person, tenants=c.tenant_in,
                                  tz=tz)
            else:
                site = usage.site_from_config(cfg, tz, tenant)
                b = billing.bill(site, usage.parse_period(period_text, tz), person=person)
        return b

    b = offload.reading(work)
    # the PDF in a child process: fpdf2 and the fonts never enter the web's (appliance.pdf.child)
    # and its call lines name the hunt groups as the page does ([directory] hunt_groups, webui.i18n)
    return b, None if pdf_lang is None else pdf_child.render("appliance.pdf.bill:bill_pdf", b, pdf_lang,
                                                             hunt_groups=hunt_groups())


def price_text(value) -> str:
    """A unit price or fee with the decimals it is stated with (0.30 stays 0.30), in the locale's notation."""
    d = to_decimal(value)
    if d is None:
        return "–"
    exponent = d.as_tuple().exponent
    return fmt_number(d, -exponent if isinstance(exponent, int) and exponent < 0 else 0)


def step_text(step: dict) -> str:
    """One unit-price step: '5 × 6 s @ 0.09 (peak)'."""
    band = f" ({step['band']})" if step.get("band") else ""
    return f"{step['units']} × {step['period_s']} s @ {price_text(step['unit_price'])}{band}"


def details(line: billing.BillLine) -> str:
    """The unit prices that made a line's cost, its allowances and its note, in the user's language."""
    parts = [_("connection fee") + " " + price_text(line.connection_fee)] if line.connection_fee else []
    parts += [step_text(s) for s in line.unit_prices] + list(line.allowances)
    if line.note:
        parts.append(note_text(line.note))
    return "; ".join(parts)


def note_text(note: str) -> str:
    """A bill line's note in the user's language."""
    if note == "not priced":
        return _("not priced")
    if note == received.NOTE:
        return _("priced on the branch")
    m = re.fullmatch(r"transferred: charged to (.*)", note)
    return _("transferred: charged to {who}").format(who=m[1]) if m else note


def tables(b: billing.Bill, query) -> dict[str, Sorted]:
    """The bill's tables on the page, each sorted by any column and cut to its top N (webui.sorting): the calls
    (in time order unless asked), the classes, the allowances and the line charges. The PDF keeps them all, in
    the bill's order."""
    def kind(k: str) -> str:
        return _(KINDS.get(k, k))
    calls = [Column(_("Start"), lambda x: x.local_time.timestamp(), True),
             Column(_("Extension"), lambda x: x.extension), Column(_("Number"), lambda x: x.number),
             Column(_("Destination"), lambda x: x.destination or (kind(x.kind) if x.kind else "")),
             Column(_("Talk"), lambda x: x.talk_s, True), Column(_("Unit prices"), details),
             Column(_("Cost"), lambda x: x.cost, True), Column(_("Free"), lambda x: x.discount or None, True),
             Column(_("To pay"), lambda x: x.amount, True)]
    classes = [Column(_("Class"), lambda x: kind(x[0])), Column(_("Calls"), lambda x: x[1]["calls"], True),
               Column(_("Talk"), lambda x: x[1]["seconds"], True),
               Column(_("Cost"), lambda x: amount(x[1]["cost"]), True),
               Column(_("Free"), lambda x: amount(x[1]["discount"]), True),
               Column(_("To pay"), lambda x: amount(x[1]["amount"]), True)]
    uses = [Column(_("Allowance"), lambda u: u.allowance.name), Column(_("Period"), lambda u: u.window),
            Column(_("Used"), lambda u: u.used, True), Column(_("Of"), lambda u: amount(u.allowance.amount), True),
            Column(_("Remaining"), lambda u: u.remaining, True)]
    charges = [Column(_("Trunk"), lambda c: c["trunk"]), Column(_("Description"), lambda c: c["description"]),
               Column(_("Shared"), lambda c: _(BASES.get(c["basis"], c["basis"]))),
               Column(_("Amount"), lambda c: amount(c["amount"]), True),
               Column(_("Your share"), lambda c: amount(c["share"]), True)]
    return {"calls": sort_list("calls", b.lines, calls, query, "/bill"),
            "classes": sort_list("classes", list(b.subtotals.items()), classes, query, "/bill"),
            "uses": sort_list("uses", b.allowances, uses, query, "/bill"),
            "charges": sort_list("charges", b.line_charges, charges, query, "/bill")}


def _render(status_code: int = 200, **values) -> str:
    response.status = status_code
    response.set_header("Cache-Control", "no-store")
    return bottle.template("bill", template_lookup=TEMPLATE_LOOKUP, kind_label=lambda k: _(KINDS.get(k, k)),
                           unit_label=lambda u: _(UNITS.get(u, u)), basis_label=lambda b: _(BASES.get(b, b)),
                           details=details, **values)


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /bill[?tenant=&person=&period=] and GET /bill.pdf (same parameters)."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)
    central_cfg = cfg.section("central")
    central = bool(central_cfg.listen or central_cfg.database)

    def chosen() -> Choice | None:
        if not db.read_access(data_dir):
            return None
        if central and db.use_central(cfg, data_dir):
            central_ok = False    # the central's database cannot be reached: this box's own bills only
        else:
            central_ok = central
        with db.connection():
            try:
                return choose(current_user(), request.query.decode(), pbx.tenant, tz, central_ok)
            except OperationalError:    # the worker has created the file but not the tables yet
                log.warning("directory tables not ready in %s", data_dir)
                return None

    @app.get("/bill")
    def page():
        c = chosen()
        values = dict(choice=c, bill=None, error="", ready=c is not None)
        if c is None or not c.person or (c.tenant is None and not c.branch):
            return _render(**values)
        try:
            values["bill"] = build(data_dir, cfg, c.tenant.code if c.tenant else "", c.person, c.period, c=c)[0]
        except usage.BillingError as e:
            return _render(400, **{**values, "error": str(e)})
        where = {"branch": c.branch} if c.branch else {"tenant": c.tenant.code if c.tenant else ""}
        values["pdf"] = "/bill.pdf?" + urlencode({**where, "person": c.person, "period": c.period})
        values["tables"] = tables(values["bill"], request.query)
        return _render(**values)

    @app.get("/bill.pdf")
    def pdf():
        c = chosen()
        if c is None or not c.person or (c.tenant is None and not c.branch):
            raise bottle.HTTPError(404, _("Choose a person and a month."))
        try:
            b, data = build(data_dir, cfg, c.tenant.code if c.tenant else "", c.person, c.period, language(), c)
        except usage.BillingError as e:
            raise bottle.HTTPError(400, str(e)) from None
        name = f"bill-{c.branch + '-' if c.branch else ''}{c.person}-{b.period.label}.pdf"
        ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", name)
        response.content_type = "application/pdf"
        response.set_header("Cache-Control", "no-store")
        response.set_header("Content-Disposition",
                            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}")
        log.info("bill PDF %s %s for %s", c.person, b.period.label, current_user().username)
        return data

    return app
