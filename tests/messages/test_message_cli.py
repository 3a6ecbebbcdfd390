"""`callbox message report|list|sms` on a real data directory: a test SMS queued and sent by the outbox to a real HTTP
gateway on loopback, then counted in the month's report (JSON fields are a contract)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from appliance import config, store
from appliance.cli.main import main
from appliance.delivery import outbox
from http_recorder import Recorder, serve


@pytest.fixture
def gateway():
    rec = Recorder()
    server, url = serve(rec)
    yield rec, url
    server.shutdown()
    server.server_close()


def run(capsys, *args) -> list[str]:
    assert main(list(args)) == 0
    return capsys.readouterr().out.splitlines()


def test_a_test_sms_is_queued_sent_and_counted(tmp_path, gateway, capsys):
    rec, url = gateway
    ini = f"[sms]\nurl = {url}/send?to=${{to}}&text=${{text}}&from=${{sender}}\nmethod = GET\nsender = Callbox\n"
    (tmp_path / "callbox.ini").write_text(ini, encoding="utf-8")
    d = ("--data", str(tmp_path))
    run(capsys, "customer", "add", "acme", "--name", "Acme Ltd", *d)
    (line,) = run(capsys, "message", "sms", "+4791234567", "Hei! Vi ringer deg tilbake. " * 7, "--customer", "acme", *d)
    assert line.startswith("message 1 queued") and "2 SMS, gsm7, 196 characters" in line
    store.open_db(tmp_path / "callbox.db")
    assert outbox.deliver_due(config.Config(text=ini), tmp_path) == (1, 0)
    store.close_db()
    assert "from=Callbox" in rec.seen[0].path
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    (row,) = [json.loads(x) for x in run(capsys, "message", "report", "--month", month, "--json", *d)]
    assert row == {"customer": "acme", "name": "Acme Ltd", "sms": 1, "sms_units": 2, "sms_waiting": 0, "emails": 0,
                   "failed": 0}
    (msg,) = [json.loads(x) for x in run(capsys, "message", "list", "--month", month, "--json", *d)]
    assert (msg["status"], msg["from"], msg["customer"], msg["units"], msg["rule"]) == ("sent", "Callbox", "acme", 2,
                                                                                        "test")


def test_no_gateway_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "callbox.ini").write_text("", encoding="utf-8")
    assert main(["message", "sms", "+4791234567", "x", "--data", str(tmp_path)]) != 0
    assert "[sms] url" in capsys.readouterr().err
