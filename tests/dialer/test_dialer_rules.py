"""The dialer's rules: calling windows per weekday in a time zone, retries per outcome, OriginateResponse outcomes,
numbers normalised with the numbering module and handed to the PBX."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from appliance.dialer import rules
from dialer_helpers import PLAN

OSLO, ISTANBUL = ZoneInfo("Europe/Oslo"), ZoneInfo("Europe/Istanbul")


@pytest.mark.parametrize("when,expected", [
    (datetime(2026, 12, 7, 8, 59), False),    # Monday before nine
    (datetime(2026, 12, 7, 9, 0), True),
    (datetime(2026, 12, 7, 17, 59), True),
    (datetime(2026, 12, 7, 18, 0), False),    # the end is not in the window
    (datetime(2026, 12, 12, 11, 0), True),    # Saturday morning
    (datetime(2026, 12, 12, 15, 0), False),
    (datetime(2026, 12, 13, 11, 0), False),   # Sunday
])
def test_windows_per_weekday(when, expected):
    w = rules.parse_windows("mon-fri 09:00-18:00, sat 10:00-14:00")
    assert w.is_open(when.replace(tzinfo=OSLO)) is expected


def test_windows_are_the_campaigns_time_zone_not_the_boxs():
    # 09:30 in Oslo is 11:30 in Istanbul: open for an Oslo campaign, whatever the box's zone
    at = int(datetime(2026, 12, 7, 9, 30, tzinfo=OSLO).timestamp())
    assert rules.open_now("mon-fri 09:00-10:00", OSLO, at)
    assert not rules.open_now("mon-fri 09:00-10:00", ISTANBUL, at)


def test_windows_across_daylight_saving_keep_local_hours():
    # the Sunday DST starts in Oslo (29 March 2026): Monday 09:00 local is still open, at a new UTC offset
    before = int(datetime(2026, 3, 27, 9, 0, tzinfo=OSLO).timestamp())
    after = int(datetime(2026, 3, 30, 9, 0, tzinfo=OSLO).timestamp())
    assert after - before != 3 * 86400   # the offset changed between them
    assert rules.open_now("mon-fri 09:00-10:00", OSLO, before) and rules.open_now("mon-fri 09:00-10:00", OSLO, after)


def test_next_open_window():
    w = rules.parse_windows("mon-fri 09:00-12:00, mon-fri 13:00-18:00")
    lunch = datetime(2026, 12, 7, 12, 30, tzinfo=OSLO)
    assert w.next_open(lunch) == datetime(2026, 12, 7, 13, 0, tzinfo=OSLO)
    friday_night = datetime(2026, 12, 11, 19, 0, tzinfo=OSLO)
    assert w.next_open(friday_night) == datetime(2026, 12, 14, 9, 0, tzinfo=OSLO)
    inside = datetime(2026, 12, 7, 10, 0, tzinfo=OSLO)
    assert w.next_open(inside) == inside


@pytest.mark.parametrize("text", ["", "mon 9-18", "xyz 09:00-10:00", "mon 18:00-09:00", "mon 09:00-24:30",
                                  "mon 09:75-10:00"])
def test_bad_windows_are_refused_naming_the_item(text):
    with pytest.raises(rules.RuleError, match="calling windows"):
        rules.parse_windows(text)


def test_retries_per_outcome_then_exhausted():
    r = rules.Retries(max_attempts=3, busy_min=5, no_answer_min=60, failed_min=30)
    assert r.after("busy", 1, 1000) == ("pending", 1000 + 5 * 60)
    assert r.after("no_answer", 1, 1000) == ("pending", 1000 + 60 * 60)
    assert r.after("failed", 2, 1000) == ("pending", 1000 + 30 * 60)
    assert r.after("busy", 3, 1000) == ("exhausted", 0)
    assert r.after("answered", 3, 1000) == ("connected", 0)


@pytest.mark.parametrize("bad", [dict(max_attempts=0), dict(busy_min=-1), dict(failed_min=10 ** 6)])
def test_bad_retry_settings(bad):
    with pytest.raises(rules.RuleError):
        rules.Retries(**bad)


@pytest.mark.parametrize("response,reason,outcome", [
    ("Success", "4", "answered"), ("Failure", "5", "busy"), ("Failure", "3", "no_answer"),
    ("Failure", "1", "no_answer"), ("Failure", "8", "failed"), ("Failure", "0", "failed"),
    ("Failure", "", "failed"), ("Failure", "4", "failed")])
def test_originate_response_outcomes(response, reason, outcome):
    assert rules.outcome_of(response, reason) == outcome


@pytest.mark.parametrize("raw,e164", [
    ("0532 123 45 67", "+905321234567"), ("(0212) 555-12-34", "+902125551234"), ("555 12 34", "+902125551234"),
    ("+47 912 34 567", "+4791234567"), ("00420 602 123 456", "+420602123456")])
def test_numbers_normalised_with_the_numbering_module(raw, e164):
    assert rules.normalise(raw, PLAN) == (e164, "")


@pytest.mark.parametrize("raw,why", [("", "empty"), ("12", "not a valid"), ("112", "not a valid"),
                                     ("Anonymous", "not a valid"), ("0532 12", "not a valid"),
                                     ("0900 123 45 67", "not dialled")])
def test_invalid_numbers_say_why(raw, why):
    number, problem = rules.normalise(raw, PLAN)
    assert number == "" and why in problem


def test_dial_string_formats():
    assert rules.dial_string("+905321234567", "national", PLAN) == "05321234567"
    assert rules.dial_string("+4791234567", "national", PLAN) == "004791234567"
    assert rules.dial_string("+905321234567", "digits", PLAN) == "905321234567"
    assert rules.dial_string("+905321234567", "e164", PLAN) == "+905321234567"
