"""Campaigns and the dialing loop with a scripted Originate: import with invalid and do-not-call numbers, preview
(shown, asked for, dialled by the loop, result set), progressive (next number when ready), retries per outcome,
the do-not-call list always winning, calling windows, the report and the CSV export."""
from __future__ import annotations

import csv
import io

import pytest

from appliance.dialer import campaigns, report, sources
from appliance.store.dialer import Attempt, Contact
from dialer_helpers import CSV, MONDAY_10, PLAN, SETTINGS, Clock, make_campaign, scripted_dialer

ANSWER, BUSY, NO_ANSWER = ("Success", "4"), ("Failure", "5"), ("Failure", "3")


def states(c) -> dict[str, str]:
    return {ct.as_written: ct.state for ct in Contact.select().where(Contact.campaign == c.id)}


def test_import_lists_invalid_and_do_not_call_numbers_and_never_dials_them(db):
    campaigns.dnc_add("0212 555 12 34", PLAN, note="asked us", now=MONDAY_10)
    got = make_campaign(text=CSV + "12,Short,X\n0532 123 45 67,Twice,Y\nAnonymous,Z,Z\n")
    assert got.contacts == 6
    assert got.dnc == [(3, "+902125551234")]
    assert [(n, why.split(":")[0]) for n, _raw, why in got.invalid] == [
        (5, "not a valid phone number"), (6, "the same number as line 2"), (7, "not a valid phone number")]
    d, sent = scripted_dialer({"05321234567": ANSWER, "05337654321": ANSWER})
    campaigns.join("ayse", "201", got.campaign)
    campaigns.set_ready("ayse", True)
    got.campaign.mode = "progressive"
    got.campaign.save()
    for _ in range(8):
        d.tick()
        ct = campaigns.held("ayse")
        if ct is not None:
            campaigns.set_result("ayse", ct.id, "Sale", "", SETTINGS.results)
    dialled = [f["Channel"] for f in sent]
    assert dialled == ["Local/05321234567@from-internal", "Local/05337654321@from-internal"]


def test_preview_the_agent_sees_the_contact_asks_for_the_call_the_loop_dials_and_the_result_closes_it(db):
    c = make_campaign().campaign
    d, sent = scripted_dialer({"05321234567": ANSWER})
    campaigns.join("ayse", "201", c)
    d.tick()
    shown = campaigns.held("ayse")
    assert shown.state == "reserved" and shown.as_written == "0532 123 45 67" and not sent    # nothing dialled yet
    assert report.contact_fields(shown) == {"name": "Ayşe Demir", "company": "Acme"}
    campaigns.ask_call("ayse", shown.id, now=MONDAY_10)
    assert Contact.get_by_id(shown.id).state == "queued" and not sent    # the request only asks
    d.tick()
    assert sent[0]["Exten"] == "201" and sent[0]["Context"] == "from-internal" and sent[0]["Async"] == "true"
    assert "CALLBOX_CAMPAIGN=spring" in sent[0]["Variable"]
    ct = Contact.get_by_id(shown.id)
    assert (ct.state, ct.agent, ct.attempts, ct.last_outcome) == ("connected", "ayse", 1, "answered")
    with pytest.raises(campaigns.CampaignError, match="from the list"):
        campaigns.set_result("ayse", ct.id, "Maybe", "", SETTINGS.results)
    with pytest.raises(campaigns.CampaignError, match="not yours"):
        campaigns.set_result("kemal", ct.id, "Sale", "", SETTINGS.results)
    campaigns.set_result("ayse", ct.id, "Sale", "Wants 3 licences — call Friday", SETTINGS.results)
    ct = Contact.get_by_id(shown.id)
    assert (ct.state, ct.result, ct.note) == ("done", "Sale", "Wants 3 licences — call Friday")
    d.tick()
    assert campaigns.held("ayse").as_written == "0212 555 12 34"     # the next one is shown


def test_a_busy_number_is_retried_after_the_busy_delay_and_exhausted_after_max_attempts(db):
    clock = Clock()
    c = make_campaign(mode="progressive", text="number,name\n0532 123 45 67,A\n",
                      retries=campaigns.rules.Retries(max_attempts=2, busy_min=10, no_answer_min=60)).campaign
    d, sent = scripted_dialer({"05321234567": BUSY}, clock)
    campaigns.join("ayse", "201", c)
    campaigns.set_ready("ayse", True)
    d.tick()
    ct = Contact.get(Contact.campaign == c.id)
    assert (ct.state, ct.attempts, ct.last_outcome, ct.next_utc) == ("pending", 1, "busy", MONDAY_10 + 600)
    clock.t += 599
    d.tick()
    assert len(sent) == 1                       # not before the delay
    clock.t += 1
    d.tick()
    assert len(sent) == 2
    ct = Contact.get(Contact.campaign == c.id)
    assert (ct.state, ct.attempts) == ("exhausted", 2)
    assert [a.outcome for a in Attempt.select().order_by(Attempt.id)] == ["busy", "busy"]


def test_no_answer_and_failed_have_their_own_delays(db):
    c = make_campaign(mode="progressive", text="number\n0532 123 45 67\n0533 765 43 21\n",
                      retries=campaigns.rules.Retries(no_answer_min=60, failed_min=30)).campaign
    d, _sent = scripted_dialer({"05321234567": NO_ANSWER, "05337654321": ("Failure", "8")})
    campaigns.join("ayse", "201", c)
    campaigns.set_ready("ayse", True)
    d.tick()
    d.tick()
    got = {ct.as_written: (ct.last_outcome, ct.next_utc - MONDAY_10) for ct in Contact.select()}
    assert got == {"0532 123 45 67": ("no_answer", 3600), "0533 765 43 21": ("failed", 1800)}


def test_the_do_not_call_list_wins_over_a_number_already_shown_or_asked_for(db):
    c = make_campaign().campaign
    d, sent = scripted_dialer({})
    campaigns.join("ayse", "201", c)
    d.tick()
    shown = campaigns.held("ayse")
    campaigns.ask_call("ayse", shown.id, now=MONDAY_10)
    campaigns.dnc_add(shown.as_written, PLAN)          # listed after the agent asked: never dialled
    d.tick()
    assert not sent
    assert Contact.get_by_id(shown.id).state == "dnc"
    assert Attempt.get().reason == "on the do-not-call list: not dialled"


def test_a_do_not_call_result_lists_the_number(db):
    c = make_campaign(mode="progressive").campaign
    d, _ = scripted_dialer({"05321234567": ANSWER})
    campaigns.join("ayse", "201", c)
    campaigns.set_ready("ayse", True)
    d.tick()
    ct = campaigns.held("ayse")
    campaigns.set_result("ayse", ct.id, "Do not call", "", SETTINGS.results)
    assert "+905321234567" in campaigns.dnc_numbers()


def test_outside_the_window_nothing_is_shown_or_dialled_and_a_call_cannot_be_asked_for(db):
    c = make_campaign(windows="sat 10:00-12:00").campaign
    d, sent = scripted_dialer({})
    campaigns.join("ayse", "201", c)
    d.tick()
    assert campaigns.held("ayse") is None and not sent
    ct = Contact.get(Contact.line == 2)
    ct.state, ct.agent = "reserved", "ayse"      # shown on Saturday, asked for on Monday: refused
    ct.save()
    with pytest.raises(campaigns.CampaignError, match="calling hours"):
        campaigns.ask_call("ayse", ct.id, now=MONDAY_10)


def test_progressive_waits_while_the_pbx_shows_the_agent_busy_or_not_ready(db):
    c = make_campaign(mode="progressive").campaign
    busy = {"201": True}
    d, sent = scripted_dialer({"05321234567": ANSWER}, busy=lambda e: busy.get(e, False))
    campaigns.join("ayse", "201", c)
    d.tick()
    assert not sent                   # joined, not ready
    campaigns.set_ready("ayse", True)
    d.tick()
    assert not sent                   # ready, but talking on the PBX
    busy["201"] = False
    d.tick()
    d.tick()
    assert len(sent) == 1             # one call at a time: the answered one waits for its result


def test_pausing_stops_dialling_and_returns_shown_contacts(db):
    c = make_campaign().campaign
    d, sent = scripted_dialer({})
    campaigns.join("ayse", "201", c)
    d.tick()
    campaigns.set_state(c, "paused")
    assert campaigns.held("ayse") is None
    d.tick()
    assert campaigns.held("ayse") is None and not sent


def test_an_attempt_interrupted_by_a_restart_ends_as_failed_and_is_retried(db):
    c = make_campaign(mode="progressive").campaign
    d, _ = scripted_dialer({})
    d.spawn = lambda fn: None          # the process "dies" before the response
    campaigns.join("ayse", "201", c)
    campaigns.set_ready("ayse", True)
    d.tick()
    assert Attempt.get().state == "dialing"
    assert d.recover() == 1
    a = Attempt.get()
    assert (a.state, a.outcome) == ("done", "failed") and a.contact.state == "pending"


def test_report_and_export(db):
    c = make_campaign(mode="progressive", text=CSV + "12,Bad,=cmd|' /C calc'!A0\n").campaign
    d, _ = scripted_dialer({"05321234567": ANSWER, "02125551234": BUSY, "05337654321": NO_ANSWER})
    campaigns.join("ayse", "201", c)
    campaigns.set_ready("ayse", True)
    for _ in range(4):
        d.tick()
        ct = campaigns.held("ayse")
        if ct is not None:
            campaigns.set_result("ayse", ct.id, "Sale", "ok", SETTINGS.results)
    p = report.progress(c)
    assert p["states"]["done"] == 1 and p["states"]["pending"] == 2 and p["states"]["invalid"] == 1
    assert p["outcomes"] == {"answered": 1, "busy": 1, "no_answer": 1, "failed": 0}
    assert p["results"] == {"Sale": 1} and p["agents"]["ayse"]["results"] == 1
    assert (p["dialable"], p["finished"], p["done_pct"]) == (3, 1, 33.3)
    rows = list(csv.DictReader(io.StringIO(report.export_csv(c))))
    assert [r["line"] for r in rows] == ["2", "3", "4", "5"]
    assert rows[0]["result"] == "Sale" and rows[0]["name"] == "Ayşe Demir" and rows[0]["agent"] == "ayse"
    assert rows[3]["company"].startswith("'=")          # a formula stays text in a spreadsheet
    assert rows[0]["updated"].endswith("+03:00")


def test_a_campaign_code_twice_and_bad_settings(db):
    make_campaign()
    with pytest.raises(campaigns.CampaignError, match="exists already"):
        make_campaign()
    src = sources.read_csv(CSV, "x.csv")
    for kw, words in ((dict(mode="predictive"), "mode"), (dict(timezone="Mars/Base"), "time zone"),
                      (dict(windows="always"), "calling windows")):
        with pytest.raises(campaigns.CampaignError, match=words):
            campaigns.create("other", "Other", src, PLAN, **kw)
