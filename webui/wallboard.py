"""The call-centre wallboard (CC-1): a page for a big screen, updated live by server-sent events.

Two ways in: /wallboard for administrators and supervisors, of the queues they see (as /callcentre), and
/wallboard/<token>, a link made by `callbox queue wallboard add` that shows that board only, read-only, without a
login or a session to time out, until it is revoked (appliance/access/wallboards.py).

Live: each open board holds one event stream. It looks at callbox.db's files every POLL_S (a stat, no query) and
sends the board again when another process committed (the worker storing queue events) or every REFRESH_S; the
boards are computed once per change for every screen showing the same queues (appliance/callcentre/live.py), in the
threadpool. The page counts the waits and the time in each state itself between updates. A stream ends after
STREAM_S (the browser's EventSource reconnects), or within CHECK_S of its link being revoked.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import bottle
from bottle import request, response

from appliance import config, localtime
from appliance.access import wallboards
from appliance.callcentre import kpis, live
from appliance.callcentre import received as cc_received
from appliance.reports import received, received_calls
from appliance.reports.attribution import rollup_scope
from appliance.callcentre import scope as cs
from appliance.reports.ranges import resolve
from webui import db
from webui.auth import current_user
from webui.callcentre import no_queues, queue_units
from webui.i18n import N_, _, locale
from webui.reports import common as rp

log = logging.getLogger(__name__)
POLL_S = 0.25
REFRESH_S = 30.0
KEEPALIVE_S = 15.0
CHECK_S = 2.0             # a revoked link's board closes within this
STREAM_S = 3600.0
NO_QUEUE = ("\x00",)      # a central's branch supervisor with no queue of the central's own: its boxes' only
KEPT_BOARDS = 32          # boards of different queue sets kept for the screens showing them
STATE_LABELS = {"talking": N_("Talking"), "wrapup": N_("After-call work"), "paused": N_("Paused"),
                "ready": N_("Ready"), "logged_out": N_("Logged out")}
assert set(STATE_LABELS) == set(live.STATES)


class _Boards:
    """The last board computed for each set of queues, and the file state it was computed at."""

    def __init__(self, data_dir: Path, book: kpis.RuleBook, targets: live.Targets, tz, tenant: str):
        self.data_dir, self.book, self.targets, self.tz, self.tenant = data_dir, book, targets, tz, tenant
        self.lock = threading.Lock()          # greenlets only (the web process is gevent-patched)
        self.done: dict[tuple, tuple[tuple, float, str]] = {}     # (queues, boxes) -> (file state, at, JSON)

    def changes(self) -> tuple:
        return db.file_changes(Path(self.data_dir) / "callbox.db")

    def get(self, queues: tuple[str, ...], boxes=None) -> str:
        """The board of `queues` as JSON, computed again when the files changed or REFRESH_S passed. On a central,
        `boxes` (the SQL conditions of the branch boxes the user sees, their display names, the one box asked for)
        adds their queues and agents (one box asked for: only its); `queues` NO_QUEUE: none of this box's own."""
        key = (queues, None if boxes is None else (tuple(boxes[0][0]), tuple(boxes[0][1])))
        with self.lock:
            changes, now = self.changes(), time.monotonic()
            hit = self.done.get(key)
            if hit is not None and hit[0] == changes and now - hit[1] < REFRESH_S:
                return hit[2]
            at = int(time.time())
            day = resolve("today", self.tz, at).since

            def work():
                doc = live.board(self.book, self.targets, at, day, queues, self.tenant)
                if queues == NO_QUEUE or (boxes is not None and boxes[2]):    # none of this box's own, or one box's
                    doc["queues"], doc["agents"] = [], []
                if boxes is not None:
                    with db.connection():
                        doc["queues"] += cc_received.board_rows(self.book, self.targets, at, day, *boxes[:2])
                        doc["agents"] += cc_received.board_agents(self.book, at, day, *boxes[:2])
                    doc["states"] = {s: sum(a["state"] == s for a in doc["agents"]) for s in live.STATES}
                return doc
            try:
                doc = rp.offload(self.data_dir, work)
            except rp.NoData:
                doc = {"now": at, "queues": [], "agents": [], "states": {}, "no_data": True}
            text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
            if len(self.done) >= KEPT_BOARDS:      # ?queue= is the user's: keep a few boards, not every one asked
                self.done.pop(next(iter(self.done)))
            self.done[key] = (changes, now, text)
            return text


def _labels() -> str:
    return json.dumps({"locale": str(locale()).replace("_", "-"),      # the page's number and time formats
                       "states": {k: _(v) for k, v in STATE_LABELS.items()}, "live": _("live"),
                       "reconnecting": _("reconnecting…"), "revoked": _("This wallboard link was revoked."),
                       "clock": _("The PBX clock is {seconds} s ahead of this box."),
                       "no_data": _("No database yet: the worker creates it.")},
                      ensure_ascii=False).replace("<", "\\u003c")    # inside a <script> block: no "</script>"


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /wallboard[/events] (logged in), /wallboard/<token>[/events] (a wallboard link) and /wallboard/links
    (the links, made and revoked by administrators of the whole box)."""
    app = bottle.Bottle()
    pbx = cfg.section("pbx")
    try:
        book = kpis.rulebook(cfg)
    except config.ConfigError as e:   # as /callcentre: the default thresholds, and why
        log.error("%s: the wallboard uses the default thresholds", e)
        book = kpis.RuleBook()
    units = queue_units(cfg)
    boards = _Boards(data_dir, book, live.targets(cfg), localtime.zone(pbx.timezone), pbx.tenant)

    def page(name: str, queues: tuple[str, ...], events: str) -> str:
        return rp.render("wallboard", title=_("Wallboard"), board=name, queues=queues, events=events,
                         labels=_labels())

    central_cfg = cfg.section("central")
    central = bool(central_cfg.listen or central_cfg.database)

    def branch_boxes(link: bool = False):
        """On a central: (the SQL conditions of the branch boxes' queue calls the user sees, of ?branch= only when
        given, their display names, that ?branch=); None elsewhere, for a user who sees none, or when the central's
        database cannot be reached. `link`: a wallboard link's (made by an administrator of the whole box): every
        box."""
        user = current_user()
        if not central or (user is None and not link) or db.use_central(cfg, data_dir) \
                or not db.read_access(data_dir):
            return None
        box = (request.query.decode().get("branch") or "").strip()
        with db.connection():
            seen = ([], []) if link else received.scope_sql(rollup_scope(user, pbx.tenant))
            if seen is None:
                return None
            if box:
                seen = (seen[0] + ["branch = ?"], seen[1] + [box])
            return seen, received_calls.labels(), box

    def stream(queues: tuple[str, ...], token: str = "", boxes=None):
        response.content_type = "text/event-stream; charset=utf-8"
        response.set_header("Cache-Control", "no-store")
        response.set_header("X-Accel-Buffering", "no")

        def still_valid() -> bool:
            if not token:
                return True
            with db.users_db.connection_context():
                return wallboards.find(token) is not None

        def events():
            yield "retry: 2000\n\n"
            ends, sent, last = time.monotonic() + STREAM_S, None, time.monotonic()
            checked = time.monotonic()
            while True:                 # the board at once, then as it changes until STREAM_S
                if time.monotonic() - checked >= CHECK_S:
                    if not still_valid():
                        yield "event: revoked\ndata: {}\n\n"
                        return
                    checked = time.monotonic()
                changes = boards.changes()
                if changes != sent or time.monotonic() - last >= REFRESH_S:
                    yield f"data: {boards.get(queues, boxes)}\n\n"
                    sent, last = changes, time.monotonic()
                elif time.monotonic() - last >= KEEPALIVE_S:
                    yield ": keep-alive\n\n"
                    last = time.monotonic()
                if time.monotonic() >= ends:
                    return
                time.sleep(POLL_S)      # gevent's sleep in the web process
        return events()

    def queues_seen(boxes=None) -> tuple[str, ...]:
        """The queues asked for (?queue=, repeated; none: all) that the user sees; () for every queue; 403 when none
        (on a central, with branch boxes the user sees: NO_QUEUE, their queues only)."""
        user = current_user()
        asked = tuple(dict.fromkeys(q for q in request.query.decode().getall("queue") if q))
        try:
            seen = rp.offload(data_dir, lambda: cs.visible_queues(user, pbx.tenant, units))
        except rp.NoData:                 # no database yet: whoever sees every tenant's calls
            seen = None if user is not None and user.scope == "all" else frozenset()
        if seen is None:
            return asked
        shown = tuple(q for q in asked if q in seen) if asked else tuple(sorted(seen))
        if not shown:
            if boxes is not None:
                return NO_QUEUE
            raise bottle.HTTPError(403, no_queues())
        return shown

    def asked_boxes():
        """The branch boxes' tiles: on a central, when no queue of the central's own is asked for (?queue=)."""
        return None if any(request.query.decode().getall("queue")) else branch_boxes()

    @app.get("/wallboard")
    def board_page():
        boxes = asked_boxes()
        queues = queues_seen(boxes)
        query = urlencode([("queue", q) for q in request.query.decode().getall("queue") if q]
                          + [("branch", b) for b in request.query.decode().getall("branch")[:1] if b])
        name = _("All queues") if not queues else _("Branch boxes") if queues == NO_QUEUE else ", ".join(queues)
        return page(name, queues, "/wallboard/events" + (f"?{query}" if query else ""))

    @app.get("/wallboard/events")
    def board_events():
        boxes = asked_boxes()
        return stream(queues_seen(boxes), boxes=boxes)

    def linked(token: str) -> wallboards.Board:
        found = wallboards.find(token)
        if found is None:
            raise bottle.HTTPError(404, _("No such wallboard: the link is wrong or was revoked."))
        return found

    def links(error: str = "", made: str = "", code: int = 200) -> str:
        return rp.render("wallboard_links", code, title=_("Wallboard links"), boards=wallboards.boards(),
                         error=error, made=made, form=request.forms.decode() if request.method == "POST" else {})

    @app.get("/wallboard/links")
    def links_page():
        return links()

    @app.post("/wallboard/links")
    def links_add():
        form = request.forms.decode()
        queues = tuple(q.strip() for q in (form.get("queues") or "").split(",") if q.strip())
        account = current_user()
        assert account is not None        # the guard let us through
        try:
            token = wallboards.add((form.get("name") or "").strip(), queues, account.username)
        except wallboards.WallboardError as e:
            return links(str(e), code=400)
        return links(made=f"{request.urlparts.scheme}://{request.urlparts.netloc}/wallboard/{token}")

    @app.post("/wallboard/links/revoke")
    def links_revoke():
        account = current_user()
        assert account is not None
        try:
            wallboards.revoke(request.forms.decode().get("name") or "", account.username)
        except wallboards.WallboardError as e:
            return links(str(e), code=400)
        return bottle.redirect("/wallboard/links", 303)

    @app.get("/wallboard/<token>")
    def link_page(token: str):
        found = linked(token)
        box = (request.query.decode().get("branch") or "").strip()
        return page(found.name, found.queues, f"/wallboard/{token}/events"
                    + (f"?{urlencode([('branch', box)])}" if box else ""))

    @app.get("/wallboard/<token>/events")
    def link_events(token: str):
        """A link of every queue (none named) on a central also shows every branch box's queues (?branch=: one)."""
        found = linked(token)
        return stream(found.queues, token, branch_boxes(link=True) if not found.queues else None)

    return app
