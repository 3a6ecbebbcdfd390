"""Traffic report pages: missed calls (REP-6), trunk traffic and problem trunks, concurrent calls and the busy
hour (REP-7), each with CSV and PDF export (/reports/<page>.csv, .pdf), scoped to the user."""
from __future__ import annotations

import logging
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote_plus, urlencode

import bottle
from bottle import request

from appliance import config, localtime
from appliance.access import scope
from appliance.pdf.chart import Chart
from appliance.reports import concurrency as report_concurrency
from appliance.reports import missed as report_missed
from appliance.reports import rollup
from appliance.reports import received_traffic
from appliance.reports import trunks as report_trunks
from appliance.reports.concurrency import Traffic
from appliance.reports.ranges import RangeError, resolve
from appliance.reports import received_calls
from appliance.reports.attribution import rollup_scope
from webui import db
from webui.auth import current_user
from webui.i18n import N_, _, fmt_duration, fmt_iso, fmt_number, hunt_groups, ngettext, term
from webui.reports import common as rp
from webui.reports import export as rx

log = logging.getLogger(__name__)
PAGES = {"missed": N_("Missed calls"), "trunks": N_("Trunk traffic"), "concurrency": N_("Concurrent calls")}
MAX_BUCKETS = 5000
STEPS = (60, 300, 900, 1800, 3600, 7200, 21600, 86400)     # the concurrency page's intervals (s)


def step_text(seconds: int) -> str:
    """An interval in the user's language: '15 dk', '6 sa' (it was '15 min', '6 h' in every language)."""
    if seconds % 3600 == 0:
        return _("{n} h").format(n=fmt_number(seconds // 3600))
    return _("{n} min").format(n=fmt_number(seconds // 60))


class Problem(ValueError):
    """A form value the page cannot use; the message says which. Raised with a catalogue message (N_) and its
    values, it is shown in the user's language by text() (the work runs in a thread, where `_` cannot be used)."""

    def __init__(self, message: str, **values):
        super().__init__(message.format(**values))
        self.message, self.values = message, values

    def text(self) -> str:
        return _(self.message).format(**{k: fmt_number(v) if isinstance(v, int) else v
                                         for k, v in self.values.items()})


def _window(form, tz, user, pbx_tenant: str) -> tuple[int, int, str]:
    """(since, until, range label): a named range in local time; "all" = the user's first to last call."""
    rng = form.get("range") or "this_month"
    try:
        w = resolve(rng, tz, time.time(), form.get("since") or None, form.get("until") or None)
    except RangeError as e:
        raise Problem("{reason}", reason=str(e)) from None
    if w.since is not None and w.until is not None:
        return w.since, w.until, w.label
    lo, hi = scope.call_span(user, pbx_tenant)
    now = int(time.time())
    return (w.since if w.since is not None else (lo if lo is not None else now - 86400),
            w.until if w.until is not None else (hi + 1 if hi is not None else now), w.label)


def _traffic(form) -> Traffic:
    get = lambda k: (form.get(k) or "").strip() or None   # noqa: E731
    try:
        return Traffic(get("direction"), get("kind"), get("trunk"), get("group"))
    except ValueError as e:
        raise Problem("{reason}", reason=str(e)) from None


def _missed(user, pbx_tenant, since, until, form, tz, box: str | None = None) -> dict:
    """`box`: on a central, the branch box chosen ("" = this box and every branch box); None elsewhere."""
    by = form.get("by") or "extension"
    if by not in report_missed.BY:
        raise Problem(N_("by {by}: expected one of {choices}"), by=repr(by), choices=", ".join(report_missed.BY))
    if box is not None:
        return {"report": received_traffic.missed(user, pbx_tenant, since, until, by, box, wait=False), "by": by}
    return {"report": report_missed.missed(user, pbx_tenant, since, until, by=by, wait=False), "by": by}


def _trunks(user, pbx_tenant, since, until, form, tz, box: str | None = None) -> dict:
    traffic, groups = _traffic(form), report_trunks.TrunkGroups(pbx_tenant)
    if box is not None:
        return {"report": received_traffic.trunk_traffic(user, pbx_tenant, since, until, traffic, groups=groups,
                                                         tz=tz, box=box, wait=False),
                "problems": received_traffic.problems(user, pbx_tenant, since, until, traffic, groups=groups, tz=tz,
                                                      box=box, wait=False)}
    return {"report": report_trunks.trunk_traffic(user, pbx_tenant, since, until, traffic, groups=groups, tz=tz,
                                                  wait=False),
            "problems": report_trunks.problems(user, pbx_tenant, since, until, traffic, groups=groups, tz=tz,
                                               wait=False)}


def _concurrency(user, pbx_tenant, since, until, form, tz, box: str | None = None) -> dict:
    step = int(form.get("step")) if (form.get("step") or "").isdigit() else 3600
    if step not in report_concurrency.STEPS:
        raise Problem(N_("step {step} s: expected one of {choices}"), step=str(step),
                      choices=", ".join(map(str, report_concurrency.STEPS)))
    if (until - since) // step > MAX_BUCKETS:
        raise Problem(N_("{n} intervals: choose a larger step or a shorter range (at most {most})"),
                      n=(until - since) // step, most=MAX_BUCKETS)
    traffic, groups = _traffic(form), report_trunks.TrunkGroups(pbx_tenant)
    if box is not None:
        return {"buckets": received_traffic.concurrency(user, pbx_tenant, since, until, tz, step, traffic, groups,
                                                        box, wait=False),
                "busy": received_traffic.busy_hour(user, pbx_tenant, since, until, tz, traffic, groups, box,
                                                   wait=False), "step": step}
    return {"buckets": report_concurrency.concurrency(user, pbx_tenant, since, until, tz, step, traffic, groups,
                                                      wait=False),
            "busy": report_concurrency.busy_hour(user, pbx_tenant, since, until, tz, traffic, groups, wait=False),
            "step": step}


COMPUTE = {"missed": _missed, "trunks": _trunks, "concurrency": _concurrency}


def _calls(since: int, until: int, tz, **criteria) -> str:
    q = {k: v for k, v in criteria.items() if v}
    return "/calls?" + urlencode({**q, "since": rp.local_iso(since, tz), "until": rp.local_iso(until, tz)})


def _calls_of(since: int, until: int, tz):
    """_calls(since, until, tz, direction="in", branch=BRANCH, WHO=VALUE) as a function of (BRANCH, WHO, VALUE): the
    range's part encoded once for a table's thousand rows."""
    period = urlencode({"since": rp.local_iso(since, tz), "until": rp.local_iso(until, tz)})

    def calls(branch: str, who: str, value: str) -> str:
        return (f"/calls?direction=in{'&branch=' + quote_plus(branch) if branch else ''}"
                f"{f'&{who}=' + quote_plus(value) if value else ''}&{period}")
    return calls


def _pct(v: float | None) -> str:
    return "–" if v is None else rp.fmt_count(Decimal(str(round(v * 100, 1)))) + " %"


def missed_view(data: dict, since: int, until: int, tz):
    """(table, chart, csv columns, csv rows) of the missed-calls report."""
    report, by = data["report"], data["by"]
    boxes = any(r.branch is not None for r in report.rows)
    heads = ([_("Branch box")] if boxes else []) + [
             rp.label(by), _("Name"), _("Extensions"), _("Offered"), _("Answered"), _("Answered elsewhere"),
             _("Missed direct"), _("Missed transferred"), _("Missed"), _("Answer rate"), _("Ring before loss")]
    table = rp.Table(heads)
    calls = _calls_of(since, until, tz)
    for r in report.rows + [report.total]:
        key = _("Total") if r is report.total else r.key
        cells = [(key, False), (_name(r, by), False), (", ".join(r.extensions), False)] + [
            (rp.fmt_count(getattr(r, k)), True) for k in ("offered", "answered", "answered_elsewhere",
                                                          "missed_direct", "missed_transferred", "missed")] + [
            (_pct(r.answer_rate), True), (fmt_duration(None if r.avg_ring_abandon_s is None
                                                       else round(r.avg_ring_abandon_s)), True)]
        box = _box_cell(r.branch, data) if boxes else []
        if r is report.total:
            table.totals = [("", False)] * len(box) + cells
            continue
        who = ("extension", r.key.removeprefix("ext:")) if by == "extension" or r.key.startswith("ext:") \
            else ("person", r.key)
        table.rows.append((box + cells, calls(r.branch or "", *who)))
        table.keys.append([c[0] for c in box] + [r.key, r.name, ", ".join(r.extensions)] + [getattr(r, k) for k in (
            "offered", "answered", "answered_elsewhere", "missed_direct", "missed_transferred", "missed",
            "answer_rate", "avg_ring_abandon_s")])
    missed = [r for r in report.rows if r.missed]
    top, rest = _top(missed, lambda r: r.missed)
    chart = Chart("bar", [_name(r, by) or r.key for r in top] + _other_label(rest), {
        _("Missed direct"): [r.missed_direct for r in top] + _other_sum(rest, lambda r: r.missed_direct),
        _("Missed transferred"): [r.missed_transferred for r in top]
        + _other_sum(rest, lambda r: r.missed_transferred)})
    return table, chart if top else None, *report.table()


def _name(row, by: str) -> str:
    """A missed-calls row's name: its person's, else the hunt group its extension is ("Sales (hunt group 200)")."""
    extension = str(row.key or "").removeprefix("ext:")
    if row.name or not (by == "extension" or str(row.key or "").startswith("ext:")) or extension not in hunt_groups():
        return row.name
    return rp.dim_text("hunt_group", extension)


def _box_cell(branch: str | None, data: dict) -> list[tuple[str, bool]]:
    """The branch box column's cell of a row: its display name, or "this box" for the central's own."""
    return [(data["box_labels"].get(branch, branch) if branch else _("this box"), False)]


def _top(rows: list, size) -> tuple[list, list]:
    """The chart's bars: the largest MAX_BARS - 1 in the table's order, and the rest (summed as one "other" bar)
    when there are more than MAX_BARS."""
    if len(rows) <= rp.MAX_BARS:
        return rows, []
    return rp.split_top(rows, size, rp.MAX_BARS - 1)


def _other_label(rest: list) -> list[str]:
    return [_("Other ({n})").format(n=fmt_number(len(rest)))] if rest else []


def _other_sum(rest: list, value) -> list:
    return [sum(value(r) for r in rest)] if rest else []


def trunks_view(data: dict, since: int, until: int, tz):
    report = data["report"]
    boxes = any(r.branch is not None for r in report.rows)
    heads = ([_("Branch box")] if boxes else []) + [
             _("Trunk group"), _("Trunk"), _("Name"), _("Calls"), _("Incoming"), _("Outgoing"), _("Answered"),
             _("Talk"), _("Ring"), _("Short calls"), _("Cost"), _("Share")]
    table = rp.Table(heads)
    for r in report.rows + [report.total]:
        group = _("(no provider)") if r.group == "" else _("All") if r.group == "*" else r.group
        trunk = _("all trunks") if r.trunk == "*" else r.trunk
        cost = "; ".join(rp.cell("cost", v, c)[0] for c, v in sorted(r.cost.items()))
        cells = [(group, False), (trunk, False), (r.name, False)] + [
            (fmt_number(getattr(r, k)), True) for k in ("calls", "calls_in", "calls_out", "answered")] + [
            (fmt_duration(r.talk_s), True), (fmt_duration(r.ring_s), True), (fmt_number(r.short), True),
            (cost or "–", True), (_pct(r.share), True)]
        box = _box_cell(r.branch, data) if boxes else []
        if r is report.total:
            table.totals = [("", False)] * len(box) + cells
        else:
            table.rows.append((box + cells, _calls(since, until, tz, trunk=r.trunk, branch=r.branch or "")
                               if r.trunk != "*" else ""))
            one_cost = next(iter(r.cost.values())) if len(r.cost) == 1 else None
            table.keys.append([c[0] for c in box] + [group, trunk, r.name] + [getattr(r, k) for k in (
                "calls", "calls_in", "calls_out", "answered", "talk_s", "ring_s", "short")] + [one_cost, r.share])
    members, rest = _top([r for r in report.rows if r.trunk != "*"], lambda r: r.calls)
    chart = Chart("bar", [f"{r.trunk} ({r.group or '–'})" for r in members] + _other_label(rest), {
        _("Incoming"): [r.calls_in for r in members] + _other_sum(rest, lambda r: r.calls_in),
        _("Outgoing"): [r.calls_out for r in members] + _other_sum(rest, lambda r: r.calls_out)})
    return table, chart if members else None, *report.table()


PROBLEM_TEXTS = {
    "silent": N_("no calls; it carried calls in {carried} of the {periods} periods before (baseline {mean} ± "
                 "{width} calls per period)"),
    "share": N_("{share} % of the trunk calls, {baseline} % in the baseline"),
    "short_calls": N_("{short} of {answered} answered calls under {seconds} s"),
}


# the texts whose count names its calls: the language's plural rules ("1 call, below the normal band")
COUNTED_TEXTS = {
    "high": lambda n: ngettext("{calls} call, above the normal band (baseline {mean} ± {width} calls per period over "
                               "{periods} periods)", "{calls} calls, above the normal band (baseline {mean} ± {width} "
                               "calls per period over {periods} periods)", n),
    "low": lambda n: ngettext("{calls} call, below the normal band (baseline {mean} ± {width} calls per period over "
                              "{periods} periods)", "{calls} calls, below the normal band (baseline {mean} ± {width} "
                              "calls per period over {periods} periods)", n),
}


def problem_text(problem) -> str:
    """A problem trunk's explanation in the user's language, its numbers as the locale writes them."""
    counted, text = COUNTED_TEXTS.get(problem.problem), PROBLEM_TEXTS.get(problem.problem)
    if (text is None and counted is None) or not problem.facts:
        return problem.detail
    words = counted(int(dict(problem.facts).get("calls", 0))) if counted is not None else _(str(text))
    return words.format(**{k: fmt_number(v, 1 if isinstance(v, float) else 0) for k, v in problem.facts})


def concurrency_view(data: dict, since: int, until: int, tz):
    buckets = data["buckets"]
    table = rp.Table([_("Start"), _("Most calls at once"), _("Erlangs")])
    for b in buckets:
        cells = [(fmt_iso(b.label, "short"), False), (fmt_number(b.max_concurrent), True),
                 (fmt_number(Decimal(str(round(b.erlangs, 3)))), True)]
        table.rows.append((cells, _calls(b.start, b.end, tz) if b.max_concurrent else ""))
        table.keys.append([b.label, b.max_concurrent, b.erlangs])
    chart = Chart("line", [fmt_iso(b.label, "short") for b in buckets], {
        _("Most calls at once"): [b.max_concurrent for b in buckets],
        _("Erlangs"): [Decimal(str(round(b.erlangs, 3))) for b in buckets]}) if buckets else None
    rows = [list(b.to_dict().values()) for b in buckets]
    return table, chart, ["start", "seconds", "max_concurrent", "erlangs"], rows


VIEWS = {"missed": missed_view, "trunks": trunks_view, "concurrency": concurrency_view}


def _subtitle(form, since: int, until: int, tz) -> str:
    parts = [_(rp.RANGE_LABELS.get(form.get("range") or "this_month", "")),
             rp.period_text(since, until, tz)]
    shown = {"by": (_("Per"), lambda v: rp.label(v)), "direction": (_("Direction"), term),
             "kind": (_("Number class"), lambda v: _(rp.KIND_LABELS.get(v, v))), "trunk": (_("Trunk"), str),
             "group": (_("Trunk group"), str)}
    for k, (heading, show) in shown.items():
        if form.get(k):
            parts.append(f"{heading}: {show(form.get(k))}")
    return " · ".join(parts)


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /reports/<missed|trunks|concurrency>[.csv|.pdf]."""
    app = bottle.Bottle()
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)
    central_cfg = cfg.section("central")
    central = bool(central_cfg.listen or central_cfg.database)

    def boxes(user) -> tuple[list[str], dict[str, str]] | None:
        """On a central: the branch boxes the user sees and their display names; None elsewhere, or when the
        central's database cannot be reached (this box's own calls then)."""
        if not central or db.use_central(cfg, data_dir) or not db.read_access(data_dir):
            return None
        with db.connection():
            names = received_calls.branch_names(rollup_scope(user, pbx.tenant))
            return names, (received_calls.labels() if names else {})

    def compute(name: str, form, chosen):
        user = current_user()
        box = None if chosen is None else (form.get("branch") or "").strip()

        def work():
            since, until, label = _window(form, tz, user, pbx.tenant)
            got = COMPUTE[name](user, pbx.tenant, since, until, form, tz, box)
            return since, until, {**got, "box_labels": chosen[1] if chosen is not None else {}}
        return rp.offload(data_dir, work)

    def handler(name: str, fmt: str):
        def handle():
            form = request.query.decode()
            query = urlencode([(k, v) for k, v in form.allitems() if k != "lang"])
            chosen = boxes(current_user())
            base = dict(page=name, title=_(PAGES[name]), form=form, query=query,
                        steps={s: step_text(s) for s in STEPS}, kinds=rp.KIND_LABELS,
                        ranges=rp.RANGE_LABELS, pages=PAGES, table=None, chart=None, data=None, error="",
                        problem_text=problem_text, preparing="", boxes=chosen[0] if chosen else [],
                        box_labels=chosen[1] if chosen else {})
            if not form.get("run") and fmt == "html":
                return rp.render("report_traffic", **base)
            try:
                since, until, data = compute(name, form, chosen)
            except rp.NoData:
                return rp.render("report_traffic", **base)
            except rollup.Preparing as e:
                if fmt != "html":
                    raise bottle.HTTPError(503, rp.preparing_text(e), headers={"Retry-After": "60"}) from None
                return rp.render("report_traffic", **{**base, "preparing": rp.preparing_text(e)})
            except Problem as e:
                if fmt != "html":
                    raise bottle.HTTPError(400, e.text()) from None
                return rp.render("report_traffic", 400, **{**base, "error": e.text()})
            table, chart, columns, rows = VIEWS[name](data, since, until, tz)
            kept = [(k, v) for k, v in form.allitems() if k not in ("sort", "desc", "lang")]
            rp.sort_table(table, form, lambda order: f"/reports/{name}?" + urlencode(kept + list(order.items())),
                          cut_long=fmt == "html")
            fname = rx.filename("callbox", name, rp.local_iso(since, tz)[:10], rp.local_iso(until, tz)[:10])
            if fmt == "csv":
                return rx.attachment(rx.table_csv(columns, rows), fname + ".csv", "text/csv; charset=utf-8")
            if fmt == "pdf":
                body = rx.table_pdf(_(PAGES[name]), _subtitle(form, since, until, tz), table, chart)
                return rx.attachment(body, fname + ".pdf", "application/pdf")
            return rp.render("report_traffic", **{**base, "table": table, "chart": chart, "data": data})
        return handle

    for name in PAGES:
        app.route(f"/reports/{name}", "GET", handler(name, "html"))
        app.route(f"/reports/{name}.csv", "GET", handler(name, "csv"))
        app.route(f"/reports/{name}.pdf", "GET", handler(name, "pdf"))
    return app
