"""Report schedules (REP-10): firing times across DST and month ends, cron rules, missed runs run once, and
whole runs against a real SMTP server (one mail per recipient, each with their own scope's data) and a real
FTP server; a second run of the same period sends nothing."""
from __future__ import annotations

import csv
import email
import io
import json
import re
import subprocess
from datetime import datetime
from decimal import Decimal
from email.policy import default as default_policy
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance import config
from appliance.access import users
from appliance.cli.main import main
from appliance.delivery import outbox, schedules
from appliance.pdf import chart as pdf_chart
from appliance.delivery.schedule_rules import ScheduleError, last_at_or_before, next_after, parse_rule, upcoming
from appliance.reports import engine as reports
from appliance.reports.ranges import resolve as resolve_range
from appliance.store import directory as sd
from appliance.store import outbox as so
from appliance.store import reports as store_reports
from appliance.store import schedules as ss
from appliance.store import users as su
from test_mail import PASSWORD as SMTP_PASSWORD, SENDER, Server
from test_rollup import build_directory, insert
from test_upload import FTP, PASSWORD as FTP_PASSWORD

WAW, IST = ZoneInfo("Europe/Warsaw"), ZoneInfo("Europe/Istanbul")


def at(text: str, tz=WAW) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=tz).timestamp())


def local(t: int, tz=WAW) -> str:
    return datetime.fromtimestamp(t, tz).isoformat()


# ---- when a schedule fires ----

@pytest.mark.parametrize("rule, tz, after, expected", [
    # Warsaw springs forward 2024-03-31 02:00 -> 03:00: 02:30 fires once, at the jump
    ("daily 02:30", WAW, "2024-03-30T12:00", ["2024-03-31T03:00:00+02:00", "2024-04-01T02:30:00+02:00"]),
    # Warsaw falls back 2024-10-27 03:00 -> 02:00: 02:30 happens twice and fires once, the first time
    ("daily 02:30", WAW, "2024-10-26T12:00", ["2024-10-27T02:30:00+02:00", "2024-10-28T02:30:00+01:00"]),
    ("daily 02:30", WAW, "2024-10-27T02:31", ["2024-10-28T02:30:00+01:00"]),   # not again an hour later
    # Istanbul: no DST now (+03 all year) ...
    ("daily 03:30", IST, "2024-03-30T12:00", ["2024-03-31T03:30:00+03:00", "2024-04-01T03:30:00+03:00"]),
    # ... but in 2015 it sprang 03:00 -> 04:00 on 29 March and fell back 04:00 -> 03:00 on 8 November
    ("daily 03:30", IST, "2015-03-28T12:00", ["2015-03-29T04:00:00+03:00", "2015-03-30T03:30:00+03:00"]),
    ("daily 03:30", IST, "2015-11-07T12:00", ["2015-11-08T03:30:00+03:00", "2015-11-09T03:30:00+02:00"]),
    # month ends: day 31 is the month's last day when the month is shorter
    ("monthly 31 07:00", WAW, "2024-01-31T08:00",
     ["2024-02-29T07:00:00+01:00", "2024-03-31T07:00:00+02:00", "2024-04-30T07:00:00+02:00"]),
    ("monthly 30 07:00", WAW, "2023-02-01T00:00", ["2023-02-28T07:00:00+01:00", "2023-03-30T07:00:00+02:00"]),
    ("monthly 1 00:00", WAW, "2024-12-31T23:59", ["2025-01-01T00:00:00+01:00"]),
    ("weekly mon,thu 7:05", WAW, "2024-03-26T00:00",
     ["2024-03-28T07:05:00+01:00", "2024-04-01T07:05:00+02:00", "2024-04-04T07:05:00+02:00"]),
    # cron: steps, ranges, names; both day fields restricted = either matches
    ("cron */20 9-10 * * mon-fri", WAW, "2024-03-29T10:30",
     ["2024-03-29T10:40:00+01:00", "2024-04-01T09:00:00+02:00", "2024-04-01T09:20:00+02:00"]),
    ("0 6 1 * sun", WAW, "2024-03-29T00:00",
     ["2024-03-31T06:00:00+02:00", "2024-04-01T06:00:00+02:00", "2024-04-07T06:00:00+02:00"]),
    ("cron 0 0 29 feb *", WAW, "2024-03-01T00:00", ["2028-02-29T00:00:00+01:00"]),
    ("cron 30 2 * * 0", WAW, "2024-03-30T00:00", ["2024-03-31T03:00:00+02:00", "2024-04-07T02:30:00+02:00"]),
    ("@monthly", IST, "2024-03-15T00:00", ["2024-04-01T00:00:00+03:00"]),
])
def test_next_runs_worked_examples(rule, tz, after, expected):
    r = parse_rule(rule)
    assert [local(t, tz) for t in upcoming(r, at(after, tz), tz, len(expected))] == expected


def test_canonical_text_and_bad_rules():
    assert parse_rule("weekly THU,mon 7:05").text == "weekly mon,thu 07:05"
    assert parse_rule("0 7 * * 1-5").text == "cron 0 7 * * 1-5"
    for text, problem in (("daily 24:00", "not a time of day"), ("weekly xyz 07:00", "not a weekday"),
                          ("monthly 32 07:00", "must be 1 to 31"), ("cron 0 7 * *", "expected 5 fields"),
                          ("cron 60 * * * *", "outside 0-59"), ("cron 0 7 * * 5-1", "backwards"),
                          ("cron 0 7 * foo *", "not a number or a name"), ("hourly", "expected daily"),
                          ("", "needs a rule")):
        with pytest.raises(ScheduleError, match=problem):
            parse_rule(text)
    assert next_after(parse_rule("cron 0 0 30 2 *"), at("2024-01-01T00:00"), WAW) is None   # never


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["daily 02:30", "weekly sun 02:15", "monthly 31 23:45", "cron 0,30 1-3 * * *",
                        "cron */45 * 25-31 3,10 *"]),
       st.integers(at("2023-01-01T00:00"), at("2026-12-31T00:00")))
def test_next_and_last_agree_and_never_skip_a_slot(rule, t):
    r = parse_rule(rule)
    nxt = next_after(r, t, WAW)
    assert nxt is not None and nxt > t
    assert last_at_or_before(r, nxt - 1, WAW) <= t < nxt          # nothing fires in between
    assert last_at_or_before(r, nxt, WAW) == nxt
    prev = last_at_or_before(r, t, WAW)
    assert prev is not None and prev <= t and next_after(r, prev, WAW) == (nxt if prev < t else next_after(r, t, WAW))


# ---- runs ----

DAYS = [  # (day from 2024-03-29, second of day, direction, ext, trunk, ring, talk, answered, cost, tenant, kind, cur)
    (0, 9 * 3600, "in", "201", "T1", 12, 300, True, None, "", "", "EUR"),
    (0, 12 * 3600, "out", "201", "T1", 4, 61, True, "0.10", "", "mobile", "EUR"),
    (1, 10 * 3600, "out", "202", "T2", 7, 20, True, "0.25", "", "local", "EUR"),
    (2, 11 * 3600, "in", "203", "T2", 40, 0, False, None, "", "", "EUR"),
    (2, 15 * 3600, "out", "204", "T1", 2, 10, True, "5", "", "local", "EUR"),
    (4, 11 * 3600, "out", "201", "T1", 2, 10, True, "5", "", "local", "EUR"),   # 2024-04-02: not last week
]
SLOT = at("2024-04-01T07:00")          # Monday: "last week" is 25-31 March
PERIOD = "2024-03-25_2024-03-31"


@pytest.fixture
def box(db, tmp_path):
    """The directory of test_rollup (ayse 201, piotr 202, olga 203, jan 204; İzmir and Kraków) with e-mail
    addresses, calls, web users in <tmp>/users.db and a saved report by extension."""
    build_directory()
    insert(DAYS)
    for pid in ("ayse", "piotr", "olga", "jan"):
        sd.Person.update(email=f"{pid}@example.com").where(sd.Person.external_id == pid).execute()
    su.open_users_db(tmp_path / su.FILE_NAME)
    users.add_user("ayse.d", "a-long-password-1", "staff", "own", "default", "ayse")
    users.add_user("olga.p", "a-long-password-2", "operator", "branch", "default", "olga")
    users.add_user("admin", "a-long-password-3", "administrator", "all")
    spec = reports.Spec(("extension",), ("calls", "talk", "cost"), "this_month").as_dict()
    report_id = store_reports.save_report("admin", "Çağrılar by extension", spec)
    yield report_id
    su.close_users_db()
    su.users_db.init(None)


def cfg_with(**sections: dict) -> config.Config:
    text = "[pbx]\ntimezone = Europe/Warsaw\ntenant = default\n"
    for name, keys in sections.items():
        text += f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())
    return config.Config(text=text)


def mail_keys(tmp_path, server, cert) -> dict:
    (tmp_path / "smtp.pass").write_text(SMTP_PASSWORD + "\n", encoding="utf-8")
    return {"host": "127.0.0.1", "port": server.port, "security": "starttls", "username": "callbox",
            "password_file": "smtp.pass", "from_address": SENDER, "ca_file": cert[0]}


def received(server) -> dict[str, email.message.EmailMessage]:
    out = {}
    for m in server.inbox.messages:
        [to] = m.rcpt_tos
        out[to] = email.message_from_bytes(m.content, policy=default_policy)
    return out


def attachments(msg) -> dict[str, bytes]:
    return {a.get_filename(): a.get_payload(decode=True) for a in msg.iter_attachments()}


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_one_mail_per_recipient_with_their_own_scope_and_never_twice(box, tmp_path, cert):
    server = Server(cert).start()
    try:
        cfg = cfg_with(mail=mail_keys(tmp_path, server, cert))
        s = schedules.add(cfg, tmp_path, "weekly extensions", "weekly mon 07:00", box, range_name="last_week",
                          recipients=("user:ayse.d", "person:piotr", "user:olga.p", "user:admin=boss@example.com"),
                          now=SLOT - 3600)
        assert s.next_run_utc == SLOT
        assert schedules.check_due(cfg, tmp_path, SLOT - 60) == []        # not yet
        [run] = schedules.check_due(cfg, tmp_path, SLOT + 20)
        assert run.outcome == "ok" and run.period == PERIOD and run.slot_utc == SLOT
        assert outbox.deliver_due(cfg, tmp_path) == (4, 0)
        got = received(server)
        assert set(got) == {"ayse@example.com", "piotr@example.com", "olga@example.com", "boss@example.com"}
        name = f"Çağrılar_by_extension_{PERIOD}"
        rows = {to: csv_rows(attachments(m)[f"{name}.csv"]) for to, m in got.items()}
        assert rows["ayse@example.com"] == [["Extension", "Calls", "Talk (s)", "Cost (EUR)"],
                                            ["201", "2", "361", "0.10"], ["Total", "2", "361", "0.10"]]  # her own
        assert [r[0] for r in rows["piotr@example.com"][1:-1]] == ["202"]       # no account: his own calls
        # her branch, İzmir, as the directory stood at each call: ayşe's 201 before she moved, 204 once olga had it
        assert [r[0] for r in rows["olga@example.com"][1:-1]] == ["201", "203", "204"]
        assert [r[0] for r in rows["boss@example.com"][1:-1]] == ["201", "202", "203", "204"]
        assert got["ayse@example.com"]["Subject"] == "Çağrılar by extension: 2024-03-25 – 2024-03-31"
        pdf_bytes = attachments(got["ayse@example.com"])[f"{name}.pdf"]
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf_bytes, capture_output=True,
                              check=True).stdout.decode()
        assert "Çağrılar by extension" in text and re.search(r"\b201\b", text) and not re.search(r"\b20[234]\b", text)

        # the same period again: the next check, run-now, run-now as of the slot: nothing more is sent
        assert schedules.check_due(cfg, tmp_path, SLOT + 90) == []
        again = schedules.run_now(cfg, tmp_path, s.id, SLOT + 3600)
        assert again.period == PERIOD and {i["status"] for i in again.items} == {"already"}
        assert outbox.deliver_due(cfg, tmp_path) == (0, 0) and len(server.inbox.messages) == 4
        row = ss.Schedule.get_by_id(s.id)
        assert row.next_run_utc == at("2024-04-08T07:00") and row.last_outcome == "ok"
        assert [r.manual for r in ss.runs(s.id)] == [True, False]
    finally:
        server.stop()


def test_missed_runs_run_once_for_the_latest_slot(box, tmp_path):
    cfg = cfg_with()
    s = schedules.add(cfg, tmp_path, "daily", "daily 07:00", box, range_name="yesterday", formats=("csv",),
                      recipients=("user:ayse.d",), now=at("2024-03-28T12:00"))
    now = at("2024-04-01T10:00")                      # the box was off from 29 March to 1 April
    [run] = schedules.check_due(cfg, tmp_path, now)
    assert run.slot_utc == SLOT and run.period == "2024-03-31" and run.outcome == "ok"
    assert run.items[0]["status"] == "note" and "missed since 2024-03-29T07:00" in run.items[0]["detail"]
    assert schedules.check_due(cfg, tmp_path, now + 60) == []
    assert len(outbox.items()) == 1 and ss.Schedule.get_by_id(s.id).next_run_utc == at("2024-04-02T07:00")


def test_recipient_problems_are_recorded_and_do_not_stop_the_others(box, tmp_path):
    cfg = cfg_with()
    users.set_disabled("olga.p", True)
    sd.Person.update(email="").where(sd.Person.external_id == "jan").execute()
    s = schedules.add(cfg, tmp_path, "mixed", "daily 07:00", box, range_name="last_week", formats=("csv",),
                      recipients=("user:ayse.d", "user:olga.p", "user:nobody", "person:jan", "user:admin",
                                  "person:beta:ayse"), now=SLOT - 60)
    [run] = schedules.check_due(cfg, tmp_path, SLOT)
    status = {i["recipient"]: (i["status"], i.get("detail", "")) for i in run.items}
    assert status["user:ayse.d"][0] == "queued" and status["user:olga.p"][0] == "skipped"
    assert "no web user 'nobody'" in status["user:nobody"][1]
    assert "no e-mail address" in status["person:default:jan"][1]
    assert "user:admin=ADDRESS" in status["user:admin"][1]
    assert "no person 'ayse' in tenant 'beta'" in status["person:beta:ayse"][1]
    assert run.outcome == "partial" and ss.Schedule.get_by_id(s.id).last_outcome == "partial"


def test_bad_schedules_are_refused_naming_the_problem(box, tmp_path):
    cfg = cfg_with()
    for kwargs, problem in (({"recipients": ("alice@example.com",)}, "bare address has no scope"),
                            ({"recipients": ("user:x=not-an-address",)}, "not an e-mail address"),
                            ({}, "needs recipients"), ({"recipients": ("user:a",), "formats": ("xls",)}, "formats"),
                            ({"recipients": ("user:a",), "upload_target": "nas"}, "no upload target 'nas'"),
                            ({"recipients": ("user:a",), "range_name": "custom"}, "range 'custom'")):
        with pytest.raises(ScheduleError, match=problem):
            schedules.add(cfg, tmp_path, "x", "daily 07:00", box, **kwargs)
    with pytest.raises(ScheduleError, match="does not exist"):
        schedules.add(cfg, tmp_path, "x", "daily 07:00", 999, recipients=("user:a",))


def test_upload_to_a_real_ftp_server_with_the_branch_and_period_in_the_path(box, tmp_path):
    root = tmp_path / "ftp"
    root.mkdir()
    (tmp_path / "ftp.pw").write_text(FTP_PASSWORD + "\n", encoding="utf-8")
    with FTP(root) as srv:
        cfg = cfg_with(upload={"targets": f"nas = ftp://rapor@127.0.0.1:{srv.port}/raporlar?password_file=ftp.pw",
                               "path": "{branch}/{date:%Y-%m}/{name}"})
        schedules.add(cfg, tmp_path, "izmir upload", "weekly mon 07:00", box, range_name="last_week",
                      formats=("csv", "pdf"), upload_target="nas", branch="İzmir", now=SLOT - 60,
                      upload_name_template="{schedule}-{period}.{ext}")
        [run] = schedules.check_due(cfg, tmp_path, SLOT)
        assert run.outcome == "ok"
        assert outbox.deliver_due(cfg, tmp_path) == (2, 0)
        assert schedules.run_now(cfg, tmp_path, "izmir upload", SLOT).items[0]["status"] == "already"
        assert outbox.deliver_due(cfg, tmp_path) == (0, 0)
    base = root / "raporlar" / "İzmir" / "2024-03"      # {date}: the period's first day
    assert sorted(p.name for p in base.iterdir()) == [f"izmir_upload-{PERIOD}.csv", f"izmir_upload-{PERIOD}.pdf"]
    rows = csv_rows((base / f"izmir_upload-{PERIOD}.csv").read_bytes())
    assert [r[0] for r in rows[1:-1]] == ["201", "203", "204"]     # İzmir's people at the calls' times only
    assert (base / f"izmir_upload-{PERIOD}.pdf").read_bytes().startswith(b"%PDF-")


def test_cli_add_list_run_now_remove(box, tmp_path, capsys):
    args = ["--data", str(tmp_path), "--set", "pbx.timezone=Europe/Warsaw"]
    assert main(["schedule", "add", *args, "--name", "günlük", "--when", "daily 07:00", "--report", str(box),
                 "--range", "yesterday", "--format", "csv", "--to", "user:ayse.d", "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["name"] == "günlük" and added["recipients"] == ["user:ayse.d"] and added["formats"] == ["csv"]
    assert main(["schedule", "list", *args, "--json"]) == 0
    [listed] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed["id"] == added["id"] and listed["report"] == "Çağrılar by extension"
    assert main(["schedule", "run-now", *args, "günlük", "--at", "2024-03-30T07:00", "--json"]) == 0
    run = json.loads(capsys.readouterr().out)
    assert run["period"] == "2024-03-29" and run["items"][0]["status"] == "queued"
    assert main(["schedule", "run-now", *args, "günlük", "--at", "2024-03-30T09:00"]) == 0
    assert "already" in capsys.readouterr().out
    assert main(["schedule", "add", *args, "--name", "x", "--when", "daily 25:00", "--report", str(box),
                 "--to", "user:a"]) == 2
    assert "not a time of day" in capsys.readouterr().err
    assert main(["schedule", "remove", *args, str(added["id"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"removed": added["id"]}
    assert main(["schedule", "remove", *args, "günlük"]) == 2


def test_the_jobs_process_checks_schedules_every_minute(box, tmp_path):
    from appliance import jobs
    cfg = cfg_with()
    h = jobs.configure(tmp_path, cfg, immediate=True)
    try:
        assert "run_schedules" in {t.name for t in h.read_periodic(datetime(2024, 4, 1, 5, 17))}   # any minute
        s = schedules.add(cfg, tmp_path, "daily", "daily 07:00", box, range_name="yesterday", formats=("csv",),
                          recipients=("user:ayse.d",))
        ss.Schedule.update(next_run_utc=s.next_run_utc - 86400).where(ss.Schedule.id == s.id).execute()
        jobs.run_schedules()
        assert ss.Schedule.get_by_id(s.id).last_outcome == "ok" and len(outbox.items()) == 1
        assert ss.Schedule.get_by_id(s.id).next_run_utc == s.next_run_utc
    finally:
        jobs.huey = jobs.sync_directory = None


def test_each_recipient_reads_the_mail_in_their_language(box, tmp_path):
    """An account's web language (Turkish for ayse.d), else [mail] language (piotr has no account)."""
    users.set_language("ayse.d", "tr")
    for lang, piotr_says in (("en", "Period: 2024-03-25 – 2024-03-31"), ("tr", "Dönem: 2024-03-25 – 2024-03-31")):
        cfg = cfg_with(mail={"language": lang})
        s = schedules.add(cfg, tmp_path, f"weekly {lang}", "weekly mon 07:00", box, range_name="last_week",
                          formats=("csv",), recipients=("user:ayse.d", "person:piotr"), now=SLOT - 60)
        schedules.run_now(cfg, tmp_path, s.id, SLOT)
        mails = [json.loads(i.payload) for i in so.OutboxItem.select()]
        body = {m["to"][0]: m["body"] for m in mails if f'"weekly {lang}"' in m["body"]}
        assert "Dönem: 2024-03-25 – 2024-03-31" in body["ayse@example.com"]
        assert "Veri: kendi çağrılarınız" in body["ayse@example.com"]
        assert piotr_says in body["piotr@example.com"]


def test_the_seed_markets_languages_in_the_mail_and_its_pdf(box, tmp_path):
    """Issue 20 (REP-13): Czech for an account that chose it on the web, Bulgarian ([mail] language) for piotr,
    who has none: the mail's words and its PDF's own words (pdftotext) are theirs."""
    users.set_language("ayse.d", "cs")
    cfg = cfg_with(mail={"language": "bg"})
    s = schedules.add(cfg, tmp_path, "weekly cs-bg", "weekly mon 07:00", box, range_name="last_week",
                      formats=("pdf",), recipients=("user:ayse.d", "person:piotr"), now=SLOT - 60)
    schedules.run_now(cfg, tmp_path, s.id, SLOT)
    mails = {m["to"][0]: m for m in (outbox._decode(json.loads(i.payload)) for i in so.OutboxItem.select())
             if '"weekly cs-bg"' in m["body"]}
    ayse, piotr = mails["ayse@example.com"], mails["piotr@example.com"]
    assert "Období: 2024-03-25 – 2024-03-31" in ayse["body"] and "Data: vaše vlastní hovory" in ayse["body"]
    assert "Период: 2024-03-25 – 2024-03-31" in piotr["body"] and "вашите собствени разговори" in piotr["body"]
    for mail, words in ((ayse, ("Strana 1 z 1", "Celkem", "vaše vlastní hovory")),
                        (piotr, ("Страница 1 от 1", "Общо", "вашите собствени разговори"))):
        [(_name, data)] = mail["attachments"]
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                              check=True).stdout.decode()
        assert all(w in text for w in words), (words, text[:400])


def test_a_period_still_running_says_as_of_when_in_the_language():
    window = resolve_range("this_month", WAW, SLOT)
    assert schedules.period_of(window, SLOT, WAW)[1] == "2024-04-01 – 2024-04-30, as of 2024-04-01 07:00"
    assert schedules.period_of(window, SLOT, WAW, "tr")[1] == "2024-04-01 – 2024-04-30, 2024-04-01 07:00 itibarıyla"
    assert schedules.period_of(window, SLOT, WAW, "tr")[0] == schedules.period_of(window, SLOT, WAW)[0]


def test_a_scheduled_pdf_charts_every_measure_like_the_web(box, tmp_path, monkeypatch):
    """Issue 20: the web's report PDF charted every chosen measure, a scheduled one (mailed by the jobs process)
    none: its chart builder was the web's. Now one builder (appliance.pdf.report_chart) for both."""
    drawn = []
    real = pdf_chart.draw
    monkeypatch.setattr(pdf_chart, "draw", lambda doc, chart, *a: (drawn.append(chart), real(doc, chart, *a)))
    cfg = cfg_with()
    s = schedules.add(cfg, tmp_path, "weekly charts", "weekly mon 07:00", box, range_name="last_week",
                      formats=("pdf",), recipients=("user:admin=boss@example.com",), now=SLOT - 60)
    schedules.run_now(cfg, tmp_path, s.id, SLOT)
    [mail] = [outbox._decode(json.loads(i.payload)) for i in so.OutboxItem.select()]
    [(_name, data)] = mail["attachments"]
    assert [(c.title, c.kind, c.labels, list(c.series.values())) for c in drawn] == [
        ("Calls", "bar", ["201", "202", "203", "204"], [[2, 1, 1, 1]]),
        ("Talk", "bar", ["201", "202", "203", "204"], [[361, 20, 0, 10]]),
        ("Cost", "bar", ["201", "202", "203", "204"], [[Decimal("0.10"), Decimal("0.25"), 0, Decimal("5")]])]
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
    charts_part = text[:text.rindex("Extension")]           # the table's heading comes after the charts
    assert [t for t in ("Calls", "Talk", "Cost") if re.search(rf"^\s*{t}\s*$", charts_part, re.M)] == [
        "Calls", "Talk", "Cost"], text
    assert re.search(r"\b0:0[1-5]:00\b", charts_part), charts_part   # the talk axis in h:mm:ss, as on the web


def test_a_scheduled_report_reads_like_the_page_in_the_recipients_language(box, tmp_path):
    """Issue 20: a scheduled PDF was headed with the engine's keys ("talk_s") and showed seconds ("22,770"), its
    CSV too: now the page's headings in the recipient's language, times as h:mm:ss, numbers and money by the
    language's locale, weekdays by name; the CSV keeps seconds and exact amounts, its headings say the unit."""
    users.set_language("ayse.d", "tr")
    spec = reports.Spec(("weekday",), ("calls", "talk", "cost"), "this_month").as_dict()
    report = store_reports.save_report("admin", "Günler", spec)
    cfg = cfg_with()
    s = schedules.add(cfg, tmp_path, "weekly tr", "weekly mon 07:00", report, range_name="last_week",
                      recipients=("user:ayse.d", "user:admin=boss@example.com"), now=SLOT - 60)
    schedules.run_now(cfg, tmp_path, s.id, SLOT)
    mails = {m["to"][0]: dict(m["attachments"]) for m in
             (outbox._decode(json.loads(i.payload)) for i in so.OutboxItem.select())}
    ayse, boss = mails["ayse@example.com"], mails["boss@example.com"]
    name = f"Günler_{PERIOD}"
    assert csv_rows(ayse[f"{name}.csv"]) == [["Hafta günü", "Çağrılar", "Konuşma (sn)", "Maliyet (EUR)"],
                                             ["5", "2", "361", "0.10"], ["Toplam", "2", "361", "0.10"]]
    assert csv_rows(boss[f"{name}.csv"])[0] == ["Weekday", "Calls", "Talk (s)", "Cost (EUR)"]
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=ayse[f"{name}.pdf"], capture_output=True,
                          check=True).stdout.decode()
    table = text[text.rindex("Hafta günü"):]
    assert re.search(r"Hafta günü\s+Çağrılar\s+Konuşma\s+Maliyet \(EUR\)", table), table
    assert re.search(r"Cuma\s+2\s+0:06:01\s+0,10", table), table           # Friday 29 March, as the page shows it
    assert re.search(r"Toplam\s+2\s+0:06:01\s+0,10", table), table
    assert "talk" not in text and "361" not in text and "weekday" not in text
    boss_text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=boss[f"{name}.pdf"], capture_output=True,
                               check=True).stdout.decode()
    assert re.search(r"Friday\s+2\s+0:06:01\s+0\.10", boss_text), boss_text
    assert re.search(r"Sunday\s+2\s+0:00:10\s+5\b", boss_text), boss_text
