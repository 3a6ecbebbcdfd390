"""PBX cause/error codes (REP-8): gathered from the journal, a rise against the hour-of-week baseline, the report."""
from __future__ import annotations

import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.alerts import codes as alert_codes
from appliance.cli import main as cli
from appliance.config import Config
from appliance.directory import organisation as directory
from appliance.ingest import importer
from appliance.ingest.worker import build_processor
from appliance.paths import Paths
from appliance.store import alerts as sa
from appliance.store import directory as sd
from conftest import FIXTURES

WARSAW = ZoneInfo("Europe/Warsaw")
FS = FIXTURES / "freeswitch_csv" / "constructed-example-template.raw"


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=WARSAW).timestamp())


def alert_settings(text: str = ""):
    return Config(text="[pbx]\ntimezone = Europe/Warsaw\n[alerts]\n" + text).section("alerts")


@pytest.mark.parametrize("driver, extra, code", [
    ("cisco_cucm", {"orig_cause": "0", "dest_cause": "16"}, None),
    ("cisco_cucm", {"orig_cause": "0", "dest_cause": "34"}, ("q850", "34")),
    ("cisco_cucm", {"orig_cause": "41", "dest_cause": "16"}, ("q850", "41")),
    ("freeswitch_csv", {"hangup_cause": "NORMAL_CLEARING"}, None),
    ("freeswitch_csv", {"hangup_cause": "USER_BUSY"}, ("q850_name", "USER_BUSY")),
    ("asterisk_csv", {"disposition": "ANSWERED"}, None),
    ("asterisk_csv", {"disposition": "CONGESTION"}, ("disposition", "CONGESTION")),
    ("threecx", {"reason_terminated": "Failed_Cancelled"}, ("3cx_reason", "Failed_Cancelled")),
    ("threecx", {"reason_terminated": "TerminatedBySrc"}, None),
    ("mitel_mivb", {"status": "B"}, ("completion_status", "B")),
    ("avaya_ipoffice", {"targeting_cause": "HGr"}, None),                 # no disconnect cause in its SMDR
])
def test_each_driver_s_cause_field_is_read(driver, extra, code):
    assert alert_codes.code_of(driver, extra) == code


def test_codes_are_gathered_from_the_journal_of_imported_lines(db, tmp_path):
    cfg = Config(text="[pbx]\ndriver = freeswitch_csv\ntimezone = Europe/Paris\n")
    paths = Paths(tmp_path)
    importer.import_files(paths, cfg, build_processor(cfg), [FS])
    assert store.Leg.select().count() == 7
    now = int(time.time())
    alert_codes.gather(cfg, paths.journal, now, 4)                        # the legs are older than the baseline
    assert sa.LegCode.select().count() == 0
    sa.AlertCursor.delete().execute()
    found = alert_codes.gather(cfg, paths.journal, at("2024-03-20T00:00"), 4)
    got = sorted((c.code, c.extension) for c in sa.LegCode.select())
    # lines 5, 6 and 7 of the file; its other ORIGINATOR_CANCEL lines are broken on purpose (quarantined)
    assert got == [("NO_ANSWER", ""), ("ORIGINATOR_CANCEL", "1000"), ("USER_BUSY", "1001")] and found == 3
    assert {c.at_utc for c in sa.LegCode.select() if c.code == "USER_BUSY"} == \
        {int(datetime.fromisoformat("2024-03-14T11:05:00+01:00").timestamp())}
    assert alert_codes.gather(cfg, paths.journal, at("2024-03-20T00:00"), 4) == 0   # each leg once


def codes(code: str, start: int, n: int, trunk: str = "SIP/operator", ext: str = "214") -> None:
    first = (sa.LegCode.select(sa.LegCode.leg_id).order_by(sa.LegCode.leg_id.desc()).scalar() or 0) + 1
    for i in range(n):
        sa.LegCode.create(leg_id=first + i, at_utc=start + i, driver="cisco_cucm", code_type="q850", code=code,
                          trunk=trunk, extension=ext, tenant="")


def test_week_ago_keeps_the_local_hour_across_dst():
    now = at("2026-03-30T10:30")                                          # Monday after the spring change
    assert datetime.fromtimestamp(alert_codes.week_ago(now, WARSAW, 1), WARSAW).strftime("%a %H:%M") == "Mon 10:30"
    assert now - alert_codes.week_ago(now, WARSAW, 1) == 7 * 86400 - 3600


def test_a_sharp_rise_over_the_hour_of_week_baseline_raises_once_and_clears(db, tmp_path):
    cfg = Config(text="[pbx]\ntimezone = Europe/Warsaw\n[alerts]\ncode_rise_factor = 3\ncode_rise_floor = 5\n"
                      "code_baseline_weeks = 4\n")
    s = cfg.section("alerts")
    sa.set_cursor("codes", 10**12)                                        # nothing to gather from the journal
    now = at("2026-03-30T10:30")
    for w, n in zip((1, 2, 3, 4), (2, 3, 1, 2)):                          # mean 2 at this hour of the week
        codes("34", alert_codes.week_ago(now, WARSAW, w) - 1800, n)
    codes("34", now - 1800, 6)                                            # 6 <= 3 x 2
    codes("41", now - 7200, 50)                                           # a busy hour, but not the last one
    sent: list = []
    assert alert_codes.check(cfg, s, tmp_path, now, sent.append) == 0
    codes("34", now - 60, 1)                                              # 7 > 6
    alert_codes.check(cfg, s, tmp_path, now, sent.append)
    assert [(a.trap, a.values["source"], a.values["value"]) for a in sent] == [("alert_raised", "q850 34", 7)]
    assert "no circuit available" in sent[0].values["text"]
    assert alert_codes.check(cfg, s, tmp_path, now + 60, sent.append) == 0
    assert alert_codes.check(cfg, s, tmp_path, now + 1500, sent.append) == 0   # 4 left in the hour: 8 > 6
    alert_codes.check(cfg, s, tmp_path, now + 3600, sent.append)                # none left
    assert [a.trap for a in sent] == ["alert_raised", "alert_cleared"]
    assert sa.AlertCondition.select().count() == 1


def test_the_floor_keeps_a_rare_code_quiet(db, tmp_path):
    cfg = Config(text="[alerts]\ncode_rise_floor = 10\n")
    sa.set_cursor("codes", 10**12)
    now = at("2026-03-30T10:30")
    codes("27", now - 600, 10)                                            # never seen before, but only 10
    sent: list = []
    alert_codes.check(cfg, cfg.section("alerts"), tmp_path, now, sent.append)
    assert sent == []
    codes("27", now - 60, 1)
    alert_codes.check(cfg, cfg.section("alerts"), tmp_path, now, sent.append)
    assert [a.trap for a in sent] == ["alert_raised"]


def test_the_report_counts_codes_by_time_location_and_type(db):
    t = sd.tenant_id("default", create=True)
    ist = sd.create_named(t, "branch", "İstanbul")
    p = directory.add_person(t, "ayse", "Ayşe", "Işık")
    directory.move_person(t, p, None, branch_id=ist)
    directory.assign_extension(t, p, "214", None)
    codes("34", at("2026-03-02T10:00"), 3, trunk="SIP/a", ext="214")
    codes("34", at("2026-03-02T11:00"), 2, trunk="SIP/b", ext="300")
    codes("17", at("2026-03-03T09:00"), 1, trunk="SIP/a", ext="214")
    day = alert_codes.report(at("2026-03-01T00:00"), at("2026-04-01T00:00"), WARSAW, "day", ("code", "branch"))
    assert day == [
        {"period": "2026-03-02", "code_type": "q850", "code": "34", "description": "no circuit available",
         "branch": "", "count": 2},
        {"period": "2026-03-02", "code_type": "q850", "code": "34", "description": "no circuit available",
         "branch": "İstanbul", "count": 3},
        {"period": "2026-03-03", "code_type": "q850", "code": "17", "description": "user busy",
         "branch": "İstanbul", "count": 1}]
    month = alert_codes.report(at("2026-03-01T00:00"), at("2026-04-01T00:00"), WARSAW, "month", ("trunk",))
    assert month == [{"period": "2026-03", "trunk": "SIP/a", "count": 4}, {"period": "2026-03", "trunk": "SIP/b",
                                                                           "count": 2}]
    with pytest.raises(ValueError, match="group of code, driver"):
        alert_codes.report(0, 1, WARSAW, "day", ("colour",))


def test_the_cli_prints_the_report_as_json_lines(db, tmp_path, capsys):
    codes("34", at("2026-03-02T10:00"), 2)
    store.close_db()
    args = ["alert", "codes", "--data", str(tmp_path), "--set", "pbx.timezone=Europe/Warsaw",
            "--since", "2026-03-01", "--until", "2026-04-01", "--by", "week", "--group", "code,trunk", "--json"]
    assert cli.main(args) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [{"period": "2026-W10", "code_type": "q850", "code": "34", "description": "no circuit available",
                     "trunk": "SIP/operator", "count": 2}]
    assert cli.main(args[:-3] + ["--group", "colour"]) == 2
    assert "group of code, driver" in capsys.readouterr().err
