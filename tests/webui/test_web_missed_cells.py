"""The missed-calls table's cells built once per table (issue 14): the same links and numbers as built per cell."""
from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from webui.i18n import fmt_number
from webui.reports import common as rp
from webui.reports import traffic

TZ = ZoneInfo("Europe/Istanbul")


@pytest.mark.parametrize("branch", ["", "şube 1/ä&b"])
@pytest.mark.parametrize("who, value", [("person", "p00001"), ("person", "Ayşe Işık+1"), ("extension", "201 "),
                                        ("extension", "")])
def test_a_rows_calls_link_is_the_one_built_from_its_criteria(branch, who, value):
    since, until = 1704056400, 1735678800
    assert traffic._calls_of(since, until, TZ)(branch, who, value) == traffic._calls(
        since, until, TZ, direction="in", branch=branch, **{who: value})


@pytest.mark.parametrize("value", [0, 7, 1234, 1234567, -98765, Decimal("12.5"), Decimal("1.0"), Decimal("1.00"),
                                   Decimal("99.9")])
def test_a_kept_count_is_the_number_as_formatted(value):
    assert rp.fmt_count(value) == fmt_number(value)
    assert rp.fmt_count(value) == fmt_number(value)   # kept
