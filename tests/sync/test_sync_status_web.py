"""A branch box's sync state on its home page (whoever sees the whole box) and /setup: the central, the last
success, the calls waiting (and the call evaluations, apart), the last error while the central cannot be reached;
nothing on a box not enrolled."""
import json

from appliance import store
from appliance.store.sync import SyncOutbox, set_state
from appliance.store.sync_evaluation import SyncEvaluationOutbox
from web_helpers import logged_in
from webui.app import make_app


def _enrolled(data, error: str = "", evaluations: tuple = ()) -> None:
    (data / "sync").mkdir(parents=True, exist_ok=True)
    (data / "sync" / "central.json").write_text(json.dumps({"url": "https://hq.example:8444", "branch": "izmir"}),
                                                encoding="utf-8")
    store.open_db(data / "callbox.db")
    with store.db.atomic():
        set_state(last_success_utc=1_780_000_000, last_error=error, last_error_utc=1_780_003_600 if error else "")
        for call_id in (1, 2, 2, 3):
            SyncOutbox.create(call_id=call_id)
        for ev_id in evaluations:
            SyncEvaluationOutbox.create(ev_id=ev_id)
    store.close_db()


def test_home_and_setup_show_the_sync_state(tmp_path):
    _enrolled(tmp_path, "https://hq.example:8444: [Errno 111] Connection refused")
    app = make_app(tmp_path)
    admin, _ = logged_in(app, "admin")
    for page in ("/", "/setup"):
        html = admin.get(page).html
        section = html.select_one("#sync-status")
        assert section is not None, page
        assert "Connection refused" in html.select_one("#sync-failing").text
        assert "2026-05-28 21:26:40 UTC" in html.select_one("#sync-failing").text   # since the last error
        assert html.select_one("#sync-backlog").text.strip() == "3"               # calls, each once
        assert html.select_one("#sync-last-success").text.strip().startswith("2026-05-28 20:26:40")
        assert "https://hq.example:8444" in section.text and "izmir" in section.text
    staff, _ = logged_in(app, "ayse", role="operator", scope="own", person="P1")
    assert staff.get("/").html.select_one("#sync-status") is None       # the box's state: whole-box users only


def test_a_working_link_and_a_box_not_enrolled(tmp_path):
    _enrolled(tmp_path / "branch")
    admin, _ = logged_in(make_app(tmp_path / "branch"), "admin")
    html = admin.get("/setup").html
    assert html.select_one("#sync-ok") is not None and html.select_one("#sync-failing") is None
    assert html.select_one("#sync-last-error").text.strip() == "–"
    (tmp_path / "plain").mkdir()
    store.open_db(tmp_path / "plain" / "callbox.db")
    store.close_db()
    admin, _ = logged_in(make_app(tmp_path / "plain"), "admin2")
    assert admin.get("/").html.select_one("#sync-status") is None
    assert admin.get("/setup").html.select_one("#sync-status") is None


def test_call_evaluations_waiting_are_shown_and_why(tmp_path):
    """Call evaluations wait in their own outbox (an older central does not take them): counted apart from the
    calls, with a note while the central has not said it takes them; nothing of them when none waits."""
    _enrolled(tmp_path, evaluations=(7, 8, 8, 9, 10))
    admin, _ = logged_in(make_app(tmp_path), "admin")
    for page in ("/", "/setup"):
        html = admin.get(page).html
        assert html.select_one("#sync-backlog").text.strip() == "3"
        assert html.select_one("#sync-backlog-evaluations").text.strip() == "4"        # each once
        assert "older release" in html.select_one("#sync-evaluations-held").text
    store.open_db(tmp_path / "callbox.db")
    with store.db.atomic():
        set_state(central_evaluations="1")                  # the central said it takes them: they are on their way
    store.close_db()
    html = admin.get("/setup").html
    assert html.select_one("#sync-backlog-evaluations").text.strip() == "4"
    assert html.select_one("#sync-evaluations-held") is None
    _enrolled(tmp_path / "none")
    admin, _ = logged_in(make_app(tmp_path / "none"), "admin2")
    html = admin.get("/setup").html
    assert html.select_one("#sync-backlog-evaluations") is None and html.select_one("#sync-evaluations-held") is None
