"""Call evaluation on the web (issue 15, CC-5): GET /callcentre/evaluate/<qcid> shows a queue call, its earlier
evaluations and the form ([callcentre] evaluation_form); POST scores it. Administrators and supervisors, for the queues
they see (as every call-centre page); the scores go to call_evaluation only (webui.db.write_access), and each one is in
the audit log. The caller journeys report links each call here; the agent reports show the scores."""
from __future__ import annotations

import logging
from pathlib import Path

import bottle
from bottle import request

from appliance import config, localtime
from appliance.access import audit_text, users
from appliance.callcentre import evaluation
from appliance.callcentre import scope as cs
from webui import db, row_id
from webui.auth import current_user
from webui.callcentre import no_queues, queue_units
from webui.i18n import _
from webui.reports import common as rp

log = logging.getLogger(__name__)


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    app = bottle.Bottle()
    pbx = cfg.section("pbx")
    tz = localtime.zone(pbx.timezone)
    units = queue_units(cfg)
    try:
        form = evaluation.form_of(cfg)
        problem = ""
    except config.ConfigError as e:
        log.error("%s: calls cannot be evaluated until it is fixed", e)
        form, problem = (), str(e)

    def the_call(qcid: str) -> dict:
        """The queue call, if the user sees its queue (404 for any other: as a call page does)."""
        number = row_id(qcid)
        user = current_user()

        def work():
            seen = cs.visible_queues(user, pbx.tenant, units)
            if seen is not None and not seen:
                return None, None
            call = evaluation.queue_call(number) if number is not None else None
            if call is None or (seen is not None and call["queue"] not in seen):
                return False, None
            return call, evaluation.of_call(number)
        try:
            call, before = rp.offload(data_dir, work)
        except rp.NoData:
            raise bottle.HTTPError(404, _("No such queue call.")) from None
        if call is None:
            raise bottle.HTTPError(403, no_queues())
        if call is False:
            raise bottle.HTTPError(404, _("No such queue call."))
        return {**call, "offset": localtime.offset_at(call["entered_utc"], tz), "before": before}

    def page(call: dict, code: int = 200, error: str = "", values: dict | None = None, done: bool = False) -> str:
        return rp.render("callcentre_evaluate", code, title=_("Evaluate a call"), call=call, form=form,
                         problem=problem, error=error, values=values or {}, done=done)

    @app.get("/callcentre/evaluate/<qcid>")
    def show(qcid: str):
        return page(the_call(qcid), done=request.query.get("done") == "1")

    @app.post("/callcentre/evaluate/<qcid>")
    def score(qcid: str):
        call = the_call(qcid)
        given = {name: request.forms.getunicode(f"c{i}") or "" for i, (name, _most) in enumerate(form)}
        note = request.forms.getunicode("note") or ""
        try:
            points = evaluation.check(form, given)
        except evaluation.EvaluationError as e:
            return page(call, 400, str(e), {"scores": given, "note": note})
        user = current_user()
        with db.write_access(data_dir, db.MODELS_EVALUATION):
            evaluation.record(call, user.username, points, form, note)
        users.audit(user.username, "call_evaluated", f"queue call {call['id']}",
                    audit_text.encode("evaluation", points=sum(points.values()), most=sum(m for _, m in form),
                                      agent=call["agent"]),
                    request.environ.get("REMOTE_ADDR", ""))
        bottle.redirect(f"/callcentre/evaluate/{call['id']}?done=1", 303)

    return app
