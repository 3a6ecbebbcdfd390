"""The PBX cause-code report on the web (/alerts/codes, REP-8; issue 20: it was `callbox alert codes` only): the
abnormal cause/error codes of the legs that started in a date range, counted per time bucket (hour, day, week,
month, or the whole range) and by what the user groups them by (code, trunk, extension, branch, driver, tenant),
as appliance.alerts.codes.report counts them for the command.

Like the alerts raised about the PBX, it is for administrators of the whole box. The Q.850 causes' descriptions are
in the user's language; a vendor's own code (NO ANSWER, TerminatedBySrc ...) is shown as the PBX wrote it."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import bottle
from bottle import request, response
from peewee import OperationalError

from appliance import config, localtime
from appliance.alerts import codes
from webui import TEMPLATE_LOOKUP, db, offload
from webui.i18n import N_, _, fmt_day, fmt_month

log = logging.getLogger(__name__)
# appliance.alerts.codes.Q850's descriptions, marked for the catalogue (a test keeps the two alike)
Q850 = {"1": N_("unallocated number"), "3": N_("no route to destination"), "17": N_("user busy"),
        "18": N_("no user responding"), "19": N_("no answer"), "21": N_("call rejected"),
        "27": N_("destination out of order"), "28": N_("invalid number format"), "31": N_("normal, unspecified"),
        "34": N_("no circuit available"), "38": N_("network out of order"), "41": N_("temporary failure"),
        "42": N_("switching equipment congestion"), "44": N_("requested channel not available"),
        "47": N_("resource unavailable"), "58": N_("bearer capability not available"),
        "88": N_("incompatible destination"), "102": N_("recovery on timer expiry"),
        "127": N_("interworking, unspecified")}
BUCKETS = {"hour": N_("per hour"), "day": N_("per day"), "week": N_("per week"), "month": N_("per month"),
           "all": N_("whole range")}
GROUPS = {"code": N_("Code"), "trunk": N_("Trunk"), "extension": N_("Extension"), "branch": N_("Branch"),
          "driver": N_("PBX driver"), "tenant": N_("Tenant")}
DAYS_SHOWN = 7             # the default range: the last week, as the command's


def description(code_type: str, code: str) -> str:
    """What the code means, in the user's language for a Q.850 cause."""
    if code_type == "q850":
        return _(Q850[code]) if code in Q850 else ""
    return codes.describe(code_type, code)


def bucket_text(by: str, key: str) -> str:
    """A time bucket of the report as the user's language writes it."""
    if by == "day":
        return fmt_day(key)
    if by == "month":
        return fmt_month(int(key[:4]), int(key[5:7]))
    if by == "hour":
        return fmt_day(key)          # 2024-03-01T09:00: the day and the hour
    return _("whole range") if by == "all" else key


def _form(tz) -> dict:
    q = request.query.decode()
    today = datetime.now(tz).date()
    values = {"since": q.get("since", "").strip() or (today - timedelta(days=DAYS_SHOWN - 1)).isoformat(),
              "until": q.get("until", "").strip() or today.isoformat(), "by": q.get("by", "day"),
              "group": [g for g in q.getall("group") if g in GROUPS] or ["code"]}
    if values["by"] not in BUCKETS:
        raise ValueError(_("Choose how to count: per hour, day, week or month, or the whole range."))
    try:
        since, until = date.fromisoformat(values["since"]), date.fromisoformat(values["until"])
    except ValueError:
        raise ValueError(_("A date is written YYYY-MM-DD.")) from None
    if until < since:
        raise ValueError(_("The last day is before the first."))
    values["range"] = (int(datetime(since.year, since.month, since.day, tzinfo=tz).timestamp()),
                       int(datetime(until.year, until.month, until.day, tzinfo=tz).timestamp()) + 86400)
    return values


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /alerts/codes[?since=&until=&by=&group=...]."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)

    @app.get("/alerts/codes")
    def page():
        response.set_header("Cache-Control", "no-store")
        rows: list[dict] = []
        error, form = "", {"since": "", "until": "", "by": "day", "group": ["code"]}
        try:
            form = _form(tz)
        except ValueError as e:
            error = str(e)
            response.status = 400
        ready = db.read_access(data_dir)
        if ready and not error:
            def work() -> list[dict]:
                with db.connection():
                    return codes.report(*form["range"], tz, form["by"], tuple(form["group"]), None, pbx.tenant)
            try:
                rows = offload.blocking(work)
            except OperationalError:
                log.warning("cause-code table not ready in %s", data_dir)
        query = request.query.decode()
        sort = query.get("sort", "") if query.get("sort", "") in ("count", *form["group"]) else ""
        desc = query.get("desc", "1" if sort == "count" else "0") == "1"
        if sort:        # by one column (a number the largest first, again to reverse), else by time and group
            rows.sort(key=lambda r: r["count"] if sort == "count" else str(r.get(sort, "")), reverse=desc)

        def sort_link(column: str) -> str:
            again = column == sort
            keep = [(k, v) for k, v in query.allitems() if k not in ("sort", "desc")]
            return "/alerts/codes?" + urlencode([*keep, ("sort", column),
                                                 ("desc", "0" if again and desc else "1" if again else
                                                  "1" if column == "count" else "0")])
        return bottle.template("cause_codes", template_lookup=TEMPLATE_LOOKUP, rows=rows, form=form, error=error,
                               ready=ready, buckets=BUCKETS, groups=GROUPS, description=description,
                               bucket_text=bucket_text, sort=sort, desc=desc, sort_link=sort_link)

    return app
