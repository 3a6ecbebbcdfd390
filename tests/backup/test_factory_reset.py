"""Factory reset (issue 19): from the web with the administrator's own password, or `callbox factory-reset --yes` on
the console; every call, user, setting and secret is gone, the factory configuration is back, and the box offers its
first-boot wizard again with a new setup code."""
from __future__ import annotations

import webtest

from appliance import store
from appliance.firstboot import reset as wipe
from test_backup_restore import INI, SAMPLE, callbox
from web_helpers import PASSWORD, add_user, login
from webui.app import make_app

FACTORY = "[capture]\nurl = tcp-listen://0.0.0.0:1150\n"


def used_box(data):
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    callbox(data, "import", "--driver", "avaya_ipoffice", str(SAMPLE))
    (data / "tls").mkdir()
    (data / "tls" / "web.key").write_text("secret", encoding="ascii")
    (data / "log").mkdir(exist_ok=True)
    (data / "log" / "web.log").write_text("kept: a RAM disk on the box", encoding="ascii")


def test_a_factory_reset_from_the_web(tmp_path, monkeypatch):
    data = tmp_path / "box"
    data.mkdir()
    used_box(data)
    factory = tmp_path / "factory.ini"
    factory.write_text(FACTORY, encoding="utf-8")
    monkeypatch.setattr(wipe, "FACTORY_INI", factory)
    try:
        app = make_app(data)
        client = webtest.TestApp(app)
        add_user("admin")
        csrf = login(client, "admin")
        assert "Erase everything" in client.get("/reset").text
        assert "Wrong password" in client.post("/reset", {"password": "not it", "confirm": "RESET",
                                                          "csrf_token": csrf}, status=403).text
        assert "Type RESET" in client.post("/reset", {"password": PASSWORD, "confirm": "yes", "csrf_token": csrf},
                                           status=400).text
        assert (data / "callbox.db").exists() and (data / "journal").exists()
        done = client.post("/reset", {"password": PASSWORD, "confirm": "reset", "csrf_token": csrf})
        assert "The box was reset" in done.text
    finally:
        store.close_db()
    assert sorted(p.name for p in data.iterdir()) == ["callbox.ini", "log", "run"]
    assert (data / "callbox.ini").read_text(encoding="utf-8") == FACTORY
    assert (data / "log" / "web.log").exists()
    try:
        fresh = make_app(data)
        assert fresh.config["callbox.setup_code"]
        assert "setup code" in webtest.TestApp(fresh).get("/first-boot").text
    finally:
        store.close_db()


def test_a_factory_reset_from_the_console(tmp_path):
    data = tmp_path / "box"
    data.mkdir()
    used_box(data)
    assert "--yes" in callbox(data, "factory-reset", code=2)
    assert (data / "callbox.db").exists()
    said = callbox(data, "factory-reset", "--yes", "--factory-ini", str(tmp_path / "none.ini"))
    assert "callbox.db" in said and "journal" in said
    assert sorted(p.name for p in data.iterdir()) == ["log", "run"]     # no factory INI: none


def test_the_reset_page_speaks_every_language(tmp_path):
    from i18n_helpers import english_left
    try:
        client = webtest.TestApp(make_app(tmp_path))
        add_user("admin")
        login(client, "admin")
        for lang in ("tr", "bg", "az", "cs", "nb"):
            assert english_left(client.get(f"/reset?lang={lang}").text, lang) == []
    finally:
        store.close_db()
