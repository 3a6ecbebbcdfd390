"""PDFs made in a child process (appliance.pdf.child, issue 14): the same document as made in the caller, and the
caller never loads fpdf2."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from appliance.pdf import child
from appliance.pdf.chart import Chart
from conftest import REPO

GENERATED = datetime(2026, 12, 7, 6, 0, tzinfo=timezone.utc)
ROWS = [["Çağrı Şahin", Decimal("12.50"), 3], ["Кабини", Decimal("0.05"), 1]]
CHART = Chart("bar", ["Çağrı Şahin", "Кабини"], {"cost": [Decimal("12.50"), Decimal("0.05")]})


def _same(pdf: bytes) -> bytes:
    """The document without what differs from one making to the next: its creation time and the file
    identifier fpdf2 derives from it."""
    return re.sub(rb"/ID \[<[0-9A-F]*><[0-9A-F]*>\]", b"", re.sub(rb"/CreationDate \(D:[^)]*\)", b"", pdf))


@pytest.mark.parametrize("lang", ["tr", "bg"])
def test_a_report_from_the_child_is_the_report_made_here(lang):
    from appliance.pdf import document
    args = ("Report: person", "2026-11", ["person", "cost", "calls"], ROWS, CHART, lang)
    kwargs = {"totals": ["Total", Decimal("12.55"), 4], "generated": GENERATED}
    made = child.render("appliance.pdf.document:report_pdf", *args, **kwargs)
    assert made.startswith(b"%PDF")
    assert _same(made) == _same(document.report_pdf(*args, **kwargs))


def test_a_shown_table_from_the_child_is_the_table_made_here():
    from appliance.pdf import shown_table
    args = ("Trunk traffic", "2026-11", "cs", ["trunk", "calls"], [["9001", "12"], ["9002", "3"]], [False, True],
            ["Total", "15"], CHART)
    made = child.render("appliance.pdf.shown_table:shown_table_pdf", *args, generated=GENERATED)
    assert _same(made) == _same(shown_table.shown_table_pdf(*args, generated=GENERATED))
    empty = child.render("appliance.pdf.shown_table:shown_table_pdf", "Empty", "", "en", ["a"], [], [False], None,
                         None, generated=GENERATED)
    assert _same(empty) == _same(shown_table.shown_table_pdf("Empty", "", "en", ["a"], [], [False], None, None,
                                                             generated=GENERATED))


def test_the_functions_exception_is_raised_in_the_caller():
    with pytest.raises(ValueError, match="xx"):   # document._check_lang refuses an unknown language
        child.render("appliance.pdf.document:report_pdf", "T", "", ["a"], [], None, "xx")


def test_the_caller_loads_no_fpdf2():
    script = ("import sys\nfrom appliance.pdf import child\n"
              "assert child.render('appliance.pdf.document:report_pdf', 'T', '', ['a'], [['b']]).startswith(b'%PDF')\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fpdf', 'fontTools', 'PIL')))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
