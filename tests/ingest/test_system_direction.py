"""Legs to dialplan targets and feature codes (IVR `s`, `t`, voicemail, `*97`) are direction "system": on the call's
path, never outgoing, never priced, not counted as calls in reports (issue 22, finding 3)."""
import json

from appliance import store
from test_pipeline import import_, run_cli
from test_pricing import TARIFF

CONFIG = """[pbx]
driver = asterisk_csv
timezone = Europe/Istanbul
extension_pattern = 2\\d\\d
[numbers]
country = TR
access_codes = 9
area_codes = 232
extensions = [23][0-9]{2}
"""


def row(src, dst, context, start, talk, linkedid, seq, disposition="ANSWERED", app="Dial"):
    """A 21-column Master.csv row (newcdrcolumns=yes) built to FORMATS.md §7."""
    answer = f'"{start[:-2]}{int(start[-2:]) + 2:02d}"' if talk else ""
    end = f"{start[:-5]}{(int(start[-5:-3]) + 1 + talk // 60) % 60:02d}:{start[-2:]}"
    return (f'"","{src}","{dst}","{context}","""Anna"" <{src}>","SIP/{src}-0000000{seq}","","{app}","",'
            f'"{start}",{answer},"{end}",{talk + 2},{talk},"{disposition}","DOCUMENTATION","{linkedid}.{seq}","",'
            f'"","{linkedid}",{seq}\n')


def site(tmp_path, capsys):
    ini = tmp_path / "callbox.ini"
    ini.write_text(CONFIG)
    data = tmp_path / "d"
    rc, out, err = run_cli(capsys, "tariff", "import", "--data", str(data), str(TARIFF))
    assert rc == 0, err
    src = tmp_path / "Master.csv"
    src.write_text(
        row("201", "*97", "from-internal", "2024-04-02 09:00:00", 30, "1712037600", 1, app="VoiceMailMain")
        + row("201", "s", "ivr-1", "2024-04-02 10:00:00", 8, "1712041200", 2, app="Background")
        + row("201", "05321234567", "from-internal", "2024-04-02 10:00:10", 60, "1712041200", 3)
        + row("202", "t", "ivr-1", "2024-04-02 11:00:00", 5, "1712044800", 4, app="Playback")
        + row("202", "05321234567", "from-internal", "2024-04-02 12:00:00", 60, "1712048400", 5))
    import_(capsys, data, src, driver="asterisk_csv", config_file=ini)
    return data, ini


def cli_json(capsys, *argv):
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_feature_codes_and_ivr_legs_are_system_never_outgoing_or_priced(tmp_path, capsys):
    data, ini = site(tmp_path, capsys)
    calls = {c["call_key"]: c for c in cli_json(capsys, "calls", "--data", str(data), "--config", str(ini), "--json")}
    voicemail, through_ivr, timeout, plain = (calls[k] for k in ("1712037600", "1712041200", "1712044800",
                                                                 "1712048400"))
    assert (voicemail["direction"], voicemail["party"], voicemail["cost"]) == ("system", "*97", None)
    assert (timeout["direction"], timeout["party"], timeout["cost"]) == ("system", "t", None)
    assert "not charged" in voicemail["explain"]["not_charged"]
    # a call that passed through an IVR menu is the outgoing call it became, priced as one
    assert (through_ivr["direction"], through_ivr["party"]) == ("out", "05321234567")
    assert through_ivr["cost"] == plain["cost"] and plain["cost"] not in (None, "")
    legs = cli_json(capsys, "calls", "--legs", "--data", str(data), "--config", str(ini), "--json")
    assert sorted(leg["direction"] for leg in legs) == ["out", "out", "system", "system", "system"]
    assert [leg["party"] for leg in legs if leg["call_id"] == through_ivr["id"]] == ["s", "05321234567"]


def test_reports_do_not_count_system_calls_unless_asked_for(tmp_path, capsys):
    data, ini = site(tmp_path, capsys)
    base = ("report", "--data", str(data), "--config", str(ini), "--json", "--range", "all",
            "--measures", "calls,calls_out,calls_internal,talk")
    # two outgoing calls of 60 s: the voicemail call, the IVR timeout and the IVR leg's 8 s are no calls to people
    assert cli_json(capsys, *base)[0]["totals"] == [2, 2, 0, 120]
    assert cli_json(capsys, *base, "--filter", "direction=system")[0]["totals"] == [2, 0, 0, 35]
    rc, out, err = run_cli(capsys, "report", "--data", str(data), "--config", str(ini), "--json", "--range", "all",
                           "--dims", "direction", "--raw")
    assert rc == 0 and [r[0] for r in json.loads(out)["rows"]] == ["out"], (out, err)


def test_a_busy_row_with_billsec_is_answered_and_priced_alike(tmp_path, capsys):
    """Issue 22 finding 7: reports and prices agree on whether a BUSY / NO ANSWER row with billsec > 0 was talked."""
    ini = tmp_path / "callbox.ini"
    ini.write_text(CONFIG)
    data = tmp_path / "d"
    assert run_cli(capsys, "tariff", "import", "--data", str(data), str(TARIFF))[0] == 0
    src = tmp_path / "Master.csv"
    src.write_text(row("201", "05321234567", "from-internal", "2024-04-02 10:00:00", 60, "1712041200", 1,
                       disposition="BUSY"))
    import_(capsys, data, src, driver="asterisk_csv", config_file=ini)
    (call,) = cli_json(capsys, "calls", "--data", str(data), "--config", str(ini), "--json")
    assert call["answered"] and call["talk_s"] == 60 and call["cost"] not in (None, "")
    base = ("report", "--data", str(data), "--config", str(ini), "--json", "--range", "all")
    assert cli_json(capsys, *base, "--measures", "answered,unanswered,talk")[0]["totals"] == [1, 0, 60]


def test_the_calls_page_shows_a_system_leg_on_the_calls_path(tmp_path, capsys):
    import webtest   # the web UI's test client: only this test needs it
    from web_helpers import add_user, login
    from webui.app import make_app
    data, ini = site(tmp_path, capsys)
    calls = {c["call_key"]: c for c in cli_json(capsys, "calls", "--data", str(data), "--config", str(ini), "--json")}
    (data / "callbox.ini").write_text(ini.read_text())
    try:
        client = webtest.TestApp(make_app(data))
        add_user("admin")
        login(client, "admin")
        page = client.get(f"/calls/{calls['1712041200']['id']}").text
        assert "<td>system</td>" in page and "<td>outgoing</td>" in page
    finally:
        store.close_db()
