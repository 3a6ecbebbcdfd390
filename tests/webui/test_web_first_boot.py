"""The first-boot wizard in-process (WebTest): only while the box has no user, only with the console's setup code
(never a default password); the administrator, time zone, NTP, company and branch, the certificate kept or
uploaded; then never again."""
from __future__ import annotations

import re

import pytest
import webtest

from appliance import config
from i18n_helpers import english_left
from webui import i18n, tls
from webui.app import make_app

PASSWORD = "first boot password 19"


def details(code: str, **over) -> dict:
    return {"code": code, "username": "kurulum", "password": PASSWORD, "password2": PASSWORD,
            "timezone": "Europe/Istanbul", "ntp": "0.tr.pool.ntp.org 192.0.2.123", "company": "Örnek A.Ş.",
            "branch": "İzmir Şubesi", "tls_mode": "generated", **over}


def test_a_new_box_is_set_up_with_the_console_code_once(data_dir):
    app = make_app(data_dir)
    code = app.config["callbox.setup_code"]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert (data_dir / "run" / "setup-code").read_text(encoding="ascii") == code + "\n"
    client = webtest.TestApp(app)
    assert 'href="/first-boot"' in client.get("/login").text
    assert client.get("/").location.startswith("/login")
    assert "setup code" in client.get("/first-boot").text
    wrong = client.post("/first-boot", {"code": "AAAA-BBBB-CCCC"}, status=403)
    assert "not valid" in wrong.text
    page = client.post("/first-boot", {"code": code.lower().replace("-", " ")})   # as typed: case and spaces
    assert 'name="username"' in page.text and users_code(page.text) == code.replace("-", "")
    typed = code.replace("-", "")
    bad = client.post("/first-boot/finish", details(typed, timezone="Mars/Olympus"), status=400)
    assert "timezone" in bad.text and "Örnek A.Ş." in bad.text          # what was typed is kept
    assert "ntp" in client.post("/first-boot/finish", details(typed, ntp="pool ntp;rm"), status=400).text
    assert "differ" in client.post("/first-boot/finish", details(typed, password2="x"), status=400).text
    assert "at least 10" in client.post("/first-boot/finish", details(typed, password="short", password2="short"),
                                        status=400).text
    assert client.post("/first-boot/finish", details("AAAABBBBCCCC"), status=403)
    done = client.post("/first-boot/finish", details(typed))
    assert "The box is set up" in done.text and "/setup/pbx" in done.text
    assert client.get("/api/session").json["username"] == "kurulum"        # logged in
    cfg = config.Config(data_dir / "callbox.ini")
    assert cfg.raw_section("pbx") == {"timezone": "Europe/Istanbul"}
    assert cfg.raw_section("box") == {"company": "Örnek A.Ş.", "branch": "İzmir Şubesi",
                                      "ntp": "0.tr.pool.ntp.org 192.0.2.123"}
    assert "NTP=0.tr.pool.ntp.org 192.0.2.123\n" in (data_dir / "timesyncd.conf").read_text(encoding="utf-8")
    assert not (data_dir / "run" / "setup-code").exists()
    other = webtest.TestApp(app)
    assert other.get("/first-boot").location.endswith("/login")            # offered only until done
    assert other.post("/first-boot/finish", details(typed)).location.endswith("/login")
    assert make_app(data_dir).config["callbox.setup_code"] is None
    assert 'href="/first-boot"' not in other.get("/login").text


def users_code(html: str) -> str:
    return re.search(r'name="code" value="([^"]+)"', html)[1]


def test_an_uploaded_certificate_replaces_the_made_one(data_dir, tmp_path_factory):
    app = make_app(data_dir)
    restarts = []
    app.config["callbox.restart"] = lambda: restarts.append(1)
    client = webtest.TestApp(app)
    code = app.config["callbox.setup_code"].replace("-", "")
    own = tmp_path_factory.mktemp("ca")
    tls.make_certificate(own / "box.crt", own / "box.key", "callbox.example")
    other = tmp_path_factory.mktemp("other")
    tls.make_certificate(other / "x.crt", other / "x.key", "other.example")
    cert, key = (own / "box.crt").read_bytes(), (own / "box.key").read_bytes()
    mismatch = client.post("/first-boot/finish", details(code, tls_mode="upload"),
                           upload_files=[("cert", "box.crt", cert), ("key", "x.key", (other / "x.key").read_bytes())],
                           status=400)
    assert "do not load together" in mismatch.text and restarts == []
    done = client.post("/first-boot/finish", details(code, tls_mode="upload"),
                       upload_files=[("cert", "box.crt", cert), ("key", "box.key", key)])
    web = config.Config(None).section("web")
    installed = tls.files(web, data_dir)
    assert installed[0].read_bytes() == cert and installed[1].read_bytes() == key
    assert (installed[1].stat().st_mode & 0o777) == 0o600
    assert tls.fingerprint(own / "box.crt") in done.text and restarts == [1]


@pytest.mark.parametrize("lang", [code for code in i18n.LANGUAGES if code != "en"])
def test_the_first_boot_wizard_speaks_every_language(data_dir, lang):
    app = make_app(data_dir)
    client = webtest.TestApp(app)
    assert english_left(client.get(f"/first-boot?lang={lang}").text, lang) == []
    code = app.config["callbox.setup_code"]
    details_page = client.post("/first-boot", {"code": code}).text
    assert english_left(details_page, lang) == []
    done = client.post("/first-boot/finish", details(code.replace("-", ""))).text
    assert english_left(done, lang) == []
