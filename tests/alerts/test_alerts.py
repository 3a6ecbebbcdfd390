"""Cost and duration thresholds per person (REP-11): rules, once-per-period e-mails, managers, the CLI."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance import store
from appliance.alerts import rules as alert_rules
from appliance.alerts import state as alerts
from appliance.alerts import thresholds as alert_thresholds
from appliance.cli import main as cli
from appliance.config import Config
from appliance.directory import organisation as directory
from appliance.store import alerts as sa
from appliance.store import directory as sd
from appliance.store import outbox as store_outbox

TZ = ZoneInfo("Europe/Istanbul")
CFG_TEXT = "[pbx]\ntimezone = Europe/Istanbul\n"
CFG = Config(text=CFG_TEXT)


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp())


class World:
    """Tenant 'default': Ayşe (Satış), Олег (Склад, no e-mail address), Jan (to manage Satış); calls."""

    def __init__(self):
        self.t = t = sd.tenant_id("default", create=True)
        self.sales = sd.create_named(t, "department", "Satış")
        self.store_ = sd.create_named(t, "department", "Склад")
        self.ayse = directory.add_person(t, "ayse", "Ayşe", "Işık", email="ayse@example.com")
        directory.move_person(t, self.ayse, None, department_id=self.sales)
        directory.assign_extension(t, self.ayse, "214", None)
        self.oleg = directory.add_person(t, "oleg", "Олег", "Петров")
        directory.move_person(t, self.oleg, None, department_id=self.store_)
        directory.assign_extension(t, self.oleg, "215", None)
        self.jan = directory.add_person(t, "jan", "Jan", "Wąsowicz", email="jan@example.com")
        directory.assign_extension(t, self.jan, "216", None)
        self.next_id = 1

    def call(self, when: str | int, ext: str, cost: str | None = "10.00", talk: int = 60,
             direction: str = "out") -> int:
        cid, start = self.next_id, at(when) if isinstance(when, str) else when
        self.next_id += 1
        store.Call.create(id=cid, driver="avaya_ipoffice", call_key=str(cid), start_utc=start, utc_offset=10800,
                          direction=direction, extension=ext, party="+905321234567", trunk="Line 1", ring_s=3,
                          talk_s=talk, answered=True, transferred=False, account_code="", legs=1, kind="mobile",
                          number="+905321234567", cost=cost, currency="TRY" if cost else "", destination="",
                          tariff="")
        return cid


@pytest.fixture
def world(db):
    alert_thresholds._seen.clear()
    yield World()
    alert_thresholds._seen.clear()


def run(now: int, cfg: Config = CFG) -> list[alerts.Action]:
    sent: list[alerts.Action] = []
    alert_thresholds.check(cfg, ".", now, sent.append)
    return sent


def test_a_daily_cost_limit_mails_the_person_once_per_day_however_many_calls(world):
    alert_rules.add_rule("default", "cost", "person", "ayse", "day", "150")
    for hour in (9, 10):
        world.call(f"2026-03-02T{hour:02d}:00", "214", "60.00")
    assert run(at("2026-03-02T11:00")) == []                      # 120.00: under the limit
    world.call("2026-03-02T11:30", "214", "30.00")
    assert run(at("2026-03-02T11:31")) == []                      # 150.00: at the limit is not over it
    world.call("2026-03-02T12:00", "214", "0.01")
    sent = run(at("2026-03-02T12:01"))
    assert [(a.kind, a.to, a.key) for a in sent] == [("email", ("ayse@example.com",), "threshold:1:ayse:2026-03-02")]
    assert "150.01 TRY (limit 150 TRY)" in sent[0].subject and "Hello Ayşe Işık," in sent[0].body
    assert "calls: 4" in sent[0].body
    for n in range(20):                                           # more calls, more passes: no second e-mail
        world.call(f"2026-03-02T13:{n:02d}", "214", "5.00")
        assert run(at(f"2026-03-02T13:{n:02d}") + 30) == []
    assert [n["period"] for n in alert_thresholds.notices()] == ["2026-03-02"]
    world.call("2026-03-03T09:00", "214", "151.00")               # the next day is a new period
    assert [a.key for a in run(at("2026-03-03T09:05"))] == ["threshold:1:ayse:2026-03-03"]


def test_a_monthly_duration_limit_per_department_counts_each_person_while_in_it(world):
    alert_rules.add_rule("default", "duration", "department", "Склад", "month", "1h")
    world.call("2026-03-05T10:00", "215", talk=3000)              # Олег, in Склад
    world.call("2026-03-05T10:00", "214", talk=9000)              # Ayşe is in Satış: not counted
    directory.move_person(world.t, world.ayse, at("2026-03-10T00:00"), department_id=world.store_)
    world.call("2026-03-12T10:00", "214", talk=3000)              # Ayşe now in Склад: 3000 s < 1 h
    assert run(at("2026-03-12T11:00")) == []
    world.call("2026-03-13T10:00", "214", talk=601)               # 3601 s while in Склад
    world.call("2026-03-13T11:00", "215", talk=601)               # Олег 3601 s, but no e-mail address
    sent = run(at("2026-03-13T12:00"))
    assert [(a.to, a.key) for a in sent] == [(("ayse@example.com",), "threshold:1:ayse:2026-03")]
    assert "talk time: 1:00:01" in sent[0].body and "limit: 1:00:00" in sent[0].body
    rows = {n["person"]: n["recipients"] for n in alert_thresholds.notices()}
    assert rows == {"ayse": "ayse@example.com", "oleg": ""}       # noticed once, though nobody to tell
    assert run(at("2026-03-13T12:01")) == []


def test_manager_and_cc_are_copied_and_bad_addresses_left_out(world):
    alert_rules.set_manager("default", "Satış", "jan")
    alert_rules.add_rule("default", "cost", "person", "ayse", "month", "10", notify_manager=True,
                         cc="audit@example.com")
    sd.Person.update(email="not an address").where(sd.Person.external_id == "jan").execute()
    world.call("2026-03-02T10:00", "214", "10.50")
    assert run(at("2026-03-02T10:05"))[0].to == ("ayse@example.com", "audit@example.com")
    sd.Person.update(email="jan@example.com").where(sd.Person.external_id == "jan").execute()
    alert_rules.add_rule("default", "cost", "person", "ayse", "day", "10", notify_manager=True)
    assert run(at("2026-03-02T10:06"))[0].to == ("ayse@example.com", "jan@example.com")


def test_a_role_rule_covers_the_people_whose_account_has_the_role(world, tmp_path):
    from appliance.store import users as store_users
    from appliance.access import users
    store_users.open_users_db(tmp_path / "users.db")
    try:
        users.add_user("oleg.p", "a-long-password-1", "supervisor", "own", "default", "oleg")
        users.add_user("ayse.i", "a-long-password-2", "staff", "own", "default", "ayse")
        sd.Person.update(email="oleg@example.com").where(sd.Person.external_id == "oleg").execute()
        alert_rules.add_rule("default", "cost", "role", "supervisor", "day", "5")
        world.call("2026-03-02T10:00", "214", "50.00")
        world.call("2026-03-02T10:00", "215", "6.00")
        sent = []
        alert_thresholds.check(CFG, tmp_path, at("2026-03-02T10:30"), sent.append)
        assert [a.to for a in sent] == [("oleg@example.com",)]
    finally:
        store_users.close_users_db()
        store_users.users_db.init(None)


def test_a_call_printed_after_midnight_still_counts_for_yesterday(world):
    alert_rules.add_rule("default", "cost", "person", "ayse", "day", "20")
    world.call("2026-03-02T23:50", "214", "25.00")                # stored at 00:20, after the day ended
    assert [a.key for a in run(at("2026-03-03T00:21"))] == ["threshold:1:ayse:2026-03-02"]
    world.call("2026-03-02T23:55", "214", "25.00")
    assert run(at("2026-03-04T00:21")) == []                      # past the grace: yesterday is done


def test_unpriced_incoming_and_other_tenants_calls_do_not_count(world):
    alert_rules.add_rule("default", "cost", "person", "ayse", "day", "10")
    world.call("2026-03-02T10:00", "214", None)
    world.call("2026-03-02T10:00", "214", "99.00", direction="in")
    cid = world.call("2026-03-02T10:00", "214", "99.00")
    store.Call.update(tenant="other").where(store.Call.id == cid).execute()
    assert run(at("2026-03-02T11:00")) == []


def test_the_queued_email_is_an_outbox_item(world):
    alert_rules.add_rule("default", "cost", "person", "ayse", "day", "1")
    world.call("2026-03-02T10:00", "214", "2.00")
    alert_thresholds.check(CFG, ".", at("2026-03-02T10:01"), alerts.send)
    items = list(store_outbox.OutboxItem.select())
    assert [(i.kind, i.key) for i in items] == [("email", "threshold:1:ayse:2026-03-02")]
    payload = json.loads(items[0].payload)
    assert payload["to"] == ["ayse@example.com"] and payload["subject"].startswith("Call cost limit exceeded")


@pytest.mark.parametrize("args, message", [
    (("default", "cost", "person", "nobody", "day", "1"), "no person 'nobody'"),
    (("default", "cost", "department", "Kantin", "day", "1"), "no department 'Kantin'"),
    (("default", "cost", "role", "boss", "day", "1"), "unknown role 'boss'"),
    (("default", "cost", "person", "ayse", "week", "1"), "period 'week'"),
    (("default", "cost", "person", "ayse", "day", "-5"), "must be above zero"),
    (("default", "cost", "person", "ayse", "day", "lots"), "is not a number"),
    (("default", "duration", "person", "ayse", "day", "2 hours"), "expected seconds or e.g. 90m"),
    (("acme", "cost", "person", "ayse", "day", "1"), "no tenant 'acme'"),
])
def test_bad_rules_are_refused_with_the_reason(world, args, message):
    with pytest.raises(alert_rules.AlertError, match=message):
        alert_rules.add_rule(*args)


def test_duration_limits_are_read_as_seconds():
    assert [alert_rules.parse_limit("duration", t) for t in ("90m", "2h", "1h30m", "45s", "3600")] == \
        ["5400", "7200", "5400", "45", "3600"]


def test_the_cli_adds_lists_and_removes_rules(world, tmp_path, capsys):
    store.close_db()
    base = ["--data", str(tmp_path)]
    assert cli.main(["alert", "add", *base, "--person", "ayse", "--cost", "150.00", "--per", "month",
                     "--manager", "--cc", "audit@example.com", "--json"]) == 0
    rule = json.loads(capsys.readouterr().out)
    assert rule == {"id": 1, "tenant": "default", "measure": "cost", "subject_kind": "person", "subject": "ayse",
                    "period": "month", "limit": "150.00", "notify_manager": True, "cc": "audit@example.com",
                    "notices": 0}
    assert cli.main(["alert", "add", *base, "--department", "Склад", "--duration", "2h", "--per", "day"]) == 0
    assert "duration over 2:00:00 per day for department Склад" in capsys.readouterr().out
    assert cli.main(["alert", "list", *base, "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [1, 2]
    assert cli.main(["alert", "remove", *base, "1"]) == 0
    assert cli.main(["alert", "remove", *base, "1"]) == 2
    assert "no threshold rule 1" in capsys.readouterr().err
    assert cli.main(["alert", "add", *base, "--person", "nobody", "--cost", "1", "--per", "day"]) == 2
    assert "no person 'nobody'" in capsys.readouterr().err
    assert cli.main(["alert", "manager", *base, "set", "Satış", "jan", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"tenant": "default", "department": "Satış", "person": "jan"}]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.tuples(st.integers(0, 47), st.sampled_from(["214", "215", "216"]),
                                st.integers(1, 4000)), max_size=30),
       passes=st.lists(st.integers(0, 47), min_size=1, max_size=6))
def test_evaluation_is_idempotent_and_mails_each_person_once_per_period(world, calls, passes):
    for model in (store.Call, sa.AlertRule, sa.AlertNotice):
        model.delete().execute()
    alert_thresholds._seen.clear()
    sd.Person.update(email="x@example.com").execute()
    alert_rules.add_rule("default", "cost", "person", "ayse", "day", "20")
    alert_rules.add_rule("default", "duration", "department", "Склад", "day", "1h")
    base = at("2026-03-28T00:00")                                 # a weekend with a DST change elsewhere
    sent: list[alerts.Action] = []
    for h, ext, talk in calls:
        world.call(base + h * 3600, ext, f"{talk // 100}.{talk % 100:02d}", talk)
    for h in sorted(passes):
        alert_thresholds.check(CFG, ".", base + h * 3600 + 1800, sent.append)
        again: list[alerts.Action] = []
        alert_thresholds._seen.clear()                            # not even the fingerprint saves it
        alert_thresholds.check(CFG, ".", base + h * 3600 + 1800, again.append)
        assert again == []
    keys = [a.key for a in sent]
    assert len(keys) == len(set(keys)) == sa.AlertNotice.select().where(sa.AlertNotice.recipients != "").count()


@contextmanager
def two_notices(world, tmp_path, ayse_language: str, mail_language: str):
    """ayse (a web account in `ayse_language`) over her daily cost limit and jan (no account: [mail] language)
    over his monthly talk time: the notices of one check, by address, and the check again the next day."""
    from appliance.store import users as store_users
    from appliance.access import users
    store_users.open_users_db(tmp_path / "users.db")
    try:
        users.add_user("ayse.i", "a-long-password-2", "staff", "own", "default", "ayse")
        users.set_language("ayse.i", ayse_language)
        sd.Person.update(email="jan@example.com").where(sd.Person.external_id == "jan").execute()
        alert_rules.add_rule("default", "cost", "person", "ayse", "day", "5")
        alert_rules.add_rule("default", "duration", "person", "jan", "month", "60")
        world.call("2026-03-02T10:00", "214", "50.00")
        world.call("2026-03-02T10:00", "216", "1.00", talk=125)
        sent: list[alerts.Action] = []
        alert_thresholds.check(Config(text=CFG_TEXT + f"[mail]\nlanguage = {mail_language}\n"), tmp_path,
                               at("2026-03-02T10:30"), sent.append)

        def again(language: str) -> list[alerts.Action]:
            alert_thresholds._seen.clear()
            later: list[alerts.Action] = []
            alert_thresholds.check(Config(text=CFG_TEXT + f"[mail]\nlanguage = {language}\n"), tmp_path,
                                   at("2026-03-03T10:30"), later.append)
            return later
        yield {a.to[0]: a for a in sent}, again
    finally:
        store_users.close_users_db()
        store_users.users_db.init(None)


def test_the_notice_is_in_the_persons_web_language_else_in_the_mail_language(world, tmp_path):
    with two_notices(world, tmp_path, "tr", "en") as (mail, again):
        assert mail["ayse@example.com"].subject == "Çağrı ücreti sınırı aşıldı, 2026-03-02: 50.00 TRY (sınır 5 TRY)"
        assert "Merhaba Ayşe Işık," in mail["ayse@example.com"].body
        assert "bugünkü (2026-03-02) dış aramalarınızın ücreti" in mail["ayse@example.com"].body
        assert mail["jan@example.com"].subject == "Call talk time limit exceeded for 2026-03: 0:02:05 (limit 0:01:00)"
        assert [a.subject for a in again("tr")] == []      # each person and period is told once, in any language


def test_the_notice_in_the_seed_markets_languages(world, tmp_path):
    """Issue 20 (REP-13): Azerbaijani for an account that chose it, Norwegian ([mail] language) for jan."""
    with two_notices(world, tmp_path, "az", "nb") as (mail, _again):
        assert mail["ayse@example.com"].subject == "Zəng dəyəri limiti keçildi, 2026-03-02: 50.00 TRY (limit 5 TRY)"
        assert "Salam, Ayşe Işık," in mail["ayse@example.com"].body
        assert "bu günkü (2026-03-02) çıxan zənglərinizin dəyəri" in mail["ayse@example.com"].body
        assert mail["jan@example.com"].subject == ("Grensen for samtaletid er overskredet for 2026-03: 0:02:05 "
                                                   "(grense 0:01:00)")
        assert "Samtaletiden for de utgående samtalene dine denne måneden" in mail["jan@example.com"].body
