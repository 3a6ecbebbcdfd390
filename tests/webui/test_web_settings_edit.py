"""/settings edits the box's settings (issue 20): each form is checked as the CLI and the processes check it, written
to callbox.ini (comments kept), applied to the web at once, and names the processes that restart to read it."""
from __future__ import annotations

import stat

import pytest
import webtest

from appliance import config, store
from web_helpers import add_user, login
from webui.app import make_app

INI = """# Callbox at the Izmir branch
[pbx]
timezone = Europe/Istanbul

[numbers]
# the PBX prints 0 before outside numbers
country = TR
access_codes = 0
area_codes = 232
"""


@pytest.fixture
def box(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    ini = data / "callbox.ini"
    ini.write_text(INI, encoding="utf-8")
    cfg = config.Config(ini)
    client = webtest.TestApp(make_app(data, cfg))
    add_user("root", "administrator", "all")
    csrf = login(client, "root")
    yield {"client": client, "csrf": csrf, "ini": ini, "data": data, "cfg": cfg}
    store.close_db()


def save(box, section, status=200, **fields):
    return box["client"].post("/settings/save", {"csrf_token": box["csrf"], "section": section, **fields},
                              status=status).text


def test_a_numbering_change_is_written_applied_and_restarts_the_worker_and_jobs(box):
    html = save(box, "numbers", country="TR", access_codes="0", area_codes="212", extensions="[1-7][0-9]{2}")
    assert "Saved and applied. Restarting to read it: the worker, background jobs." in html
    text = box["ini"].read_text(encoding="utf-8")
    assert "# the PBX prints 0 before outside numbers" in text and "area_codes = 212\n" in text
    assert "extensions = [1-7][0-9]{2}" in text
    page = box["client"].get("/settings", {"number": "02345678"}).text     # the web uses the new plan at once
    assert "+902122345678" in page and "Istanbul" in page and 'value="212"' in page
    assert "Nothing changed." in save(box, "numbers", country="TR", access_codes="0", area_codes="212",
                                      extensions="[1-7][0-9]{2}")


def test_a_bad_numbering_plan_is_refused_with_the_checks_message_and_the_file_kept(box):
    html = save(box, "numbers", 400, country="CZ", access_codes="0", area_codes="232", extensions="")
    assert "Not saved:" in html and "area" in html
    assert 'value="CZ"' in html                               # what was typed stays in the form
    assert box["ini"].read_text(encoding="utf-8") == INI
    assert box["cfg"].section("numbers").country == "TR"
    html = save(box, "numbers", 400, country="TR", access_codes="0", area_codes="232", extensions="[1-")
    assert "Not saved:" in html and box["ini"].read_text(encoding="utf-8") == INI


def test_mail_is_checked_and_restarts_only_the_jobs_the_password_goes_to_a_private_file(box):
    html = save(box, "mail", 400, host="smtp.example.com", port="587", security="starttls", from_address="",
                username="", timeout_s="30", language="tr")
    assert "from_address is required" in html and "[mail]" not in box["ini"].read_text(encoding="utf-8")
    html = save(box, "mail", 400, host="smtp.example.com", port="70000", security="starttls",
                from_address="callbox@example.com", username="", timeout_s="30", language="tr")
    assert "Not saved:" in html and "port" in html
    html = save(box, "mail", host="smtp.example.com", port="587", security="starttls",
                from_address="Callbox <callbox@example.com>", username="izmir", password="gizli şifre",
                tls_verify="yes", timeout_s="30", language="en")
    assert "Restarting to read it: background jobs." in html
    text = box["ini"].read_text(encoding="utf-8")
    assert "host = smtp.example.com" in text and "password_file = mail.password" in text and "gizli" not in text
    secret = box["data"] / "mail.password"
    assert secret.read_text(encoding="utf-8") == "gizli şifre\n" and stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert "tls_verify" not in text                             # ticked is the default: nothing to write
    html = save(box, "mail", host="smtp.example.com", port="587", security="starttls",
                from_address="Callbox <callbox@example.com>", username="izmir", password_file="mail.password",
                timeout_s="30", language="tr")                 # the box unticked, the language changed
    assert "Restarting to read it: the worker, background jobs." in html
    assert box["cfg"].section("mail").tls_verify is False and box["cfg"].section("mail").language == "tr"


def test_file_servers_and_managers_are_several_lines_checked_as_the_cli_checks_them(box):
    html = save(box, "upload", 400, targets="nas = gopher://x@nas/y", path="{name}")
    assert "Not saved:" in html and "gopher" in html
    sftp = "yedek = sftp://y@10.0.0.2/yedek?key_file=y.key"
    html = save(box, "upload", targets=f"nas = ftp://rapor@nas.local/raporlar\r\n{sftp}", path="{date:%Y}/{name}")
    assert "Restarting to read it: background jobs." in html
    text = box["ini"].read_text(encoding="utf-8")
    assert f"targets =\n    nas = ftp://rapor@nas.local/raporlar\n    {sftp}\n" in text
    page = box["client"].get("/settings").text
    assert "ftp://rapor@nas.local:21" in page and "sftp://y@10.0.0.2:22" in page
    html = save(box, "snmp", 400, managers="v3 udp:10.0.0.5 user=u auth_file=a priv_file=p", engine_id="")
    assert "engine_id" in html and "[snmp]" not in box["ini"].read_text(encoding="utf-8")


@pytest.mark.parametrize("role, scope", [("supervisor", "tenant"), ("administrator", "tenant")])
def test_only_administrators_of_the_whole_box_save(box, role, scope):
    add_user("other", role, scope, tenant="izmir" if scope == "tenant" else "")
    client = webtest.TestApp(box["client"].app)
    csrf = login(client, "other")
    client.post("/settings/save", {"csrf_token": csrf, "section": "numbers", "country": "CZ"}, status=403)
    assert box["ini"].read_text(encoding="utf-8") == INI


def test_hunt_groups_are_named_on_the_page_and_restart_nothing(box):
    html = save(box, "directory", 400, hunt_groups="200 Sales")
    assert "Not saved:" in html and "NUMBER = NAME" in html
    html = save(box, "directory", hunt_groups="200 = Sales\n201 = Destek")
    assert "Saved and applied.</p>" in html and "Restarting" not in html     # only the web shows them
    assert "Sales (hunt group 200)" in html
    assert "hunt_groups =\n    200 = Sales\n    201 = Destek\n" in box["ini"].read_text(encoding="utf-8")
