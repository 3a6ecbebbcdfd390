"""PBX wall-clock times to UTC plus offset: DST gaps and overlaps, and the per-day cache agreeing with it."""
import random
from datetime import datetime, timedelta, timezone

import pytest

from appliance.localtime import LocalTime, to_utc, zone


@pytest.mark.parametrize("local, expected", [
    (datetime(2017, 7, 1, 8, 13, 24), (1498889604, 7200)),        # summer time
    (datetime(2017, 1, 1, 0, 0, 0), (1483225200, 3600)),           # winter time
    (datetime(2017, 3, 26, 2, 30), (1490491800, 7200)),            # spring gap: 01:30Z, shown as 03:30+02:00
    (datetime(2017, 10, 29, 2, 30), (1509237000, 7200)),           # autumn overlap: the first 02:30
    (datetime(2017, 7, 1, 6, 13, 24, tzinfo=timezone.utc), (1498889604, 7200)),   # absolute formats
])
def test_to_utc_in_warsaw(local, expected):
    assert to_utc(local, zone("Europe/Warsaw")) == expected


@pytest.mark.parametrize("name", ["Europe/Warsaw", "Europe/Istanbul", "Europe/Oslo", "Australia/Lord_Howe",
                                  "Asia/Kathmandu", "America/St_Johns", "Pacific/Apia", "UTC"])
def test_the_per_day_cache_agrees_with_to_utc_everywhere(name):
    tz, rnd = zone(name), random.Random(name)
    cached = LocalTime(tz)
    start = datetime(2005, 1, 1)
    for _ in range(20000):
        t = start + timedelta(seconds=rnd.randrange(20 * 365 * 86400))
        assert cached(t) == to_utc(t, tz), t
    for day in range(0, 20 * 365, 7):   # and every minute of a sample of whole days, transitions included
        base = start + timedelta(days=day)
        if cached._day(base.toordinal()) is None:
            for minute in range(0, 24 * 60, 5):
                t = base + timedelta(minutes=minute)
                assert cached(t) == to_utc(t, tz), t


def test_unknown_zone_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")


def test_talk_time_of_segments_adds_up_and_of_overlapping_legs_is_their_union():
    from appliance.ingest.summary import talk_time
    ipo = [(100, 0, 10), (100, 0, 17)]                     # IP Office: one start, consecutive segments
    assert talk_time(ipo, segments=True) == 27
    ab = [(100, 2, 9), (100, 4, 7)]                        # FreeSWITCH a and b leg of one conversation
    assert talk_time(ab, segments=False) == 9
    transfer = [(100, 5, 60), (170, 3, 30)]                # Asterisk: a new leg after a transfer
    assert talk_time(transfer, segments=False) == 90
    fork = [(100, 10, 0), (100, 6, 50), (100, 12, 0)]      # ring group: one of three phones answered
    assert talk_time(fork, segments=False) == 50
    assert talk_time([], segments=False) == 0
