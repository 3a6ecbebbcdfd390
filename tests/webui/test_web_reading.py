"""Issue 20, reports that read right, in-process (webtest) on the real IP Office sample imported through the
pipeline: a name the PBX put in the number field ("?MŁYN") is shown as a name, a call to voicemail (V9511) as
voicemail, on the call search, a call's page and home."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from appliance import store
from appliance.cli.main import main
from web_helpers import logged_in
from webui.app import make_app

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "appliance" / "tools" / "samples" / "avaya_ipoffice_2017-07.log"
JULY = {"since": "2017-07-01", "until": "2017-08-01"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("reading")
    (data / "callbox.ini").write_text("[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n", encoding="utf-8")
    try:
        assert main(["import", "--driver", "avaya_ipoffice", str(SAMPLE), "--data", str(data)]) == 0
    finally:
        store.close_db()
    yield make_app(data)
    store.close_db()


def test_a_name_in_the_number_field_is_shown_as_a_name(app):
    client, _csrf = logged_in(app, "admin")
    page = client.get("/calls", {**JULY, "number": "MŁYN", "number_match": "contains"}).text
    assert "<td>?MŁYN</td>" not in page                          # the PBX's marker is not shown
    assert re.search(r'<span class="pbx-name" title="A name the PBX sent instead of a number">MŁYN</span>', page)
    call = re.search(r'href="/calls/(\d+)"', page).group(1)
    one = client.get(f"/calls/{call}").text
    assert '<dt>Party</dt><dd class="small"><span class="pbx-name"' in one           # the raw record keeps it
    plain = client.get("/calls", {**JULY, "number": "600988600"}).text    # a number stays as it is
    assert "600988600" in plain and "pbx-name" not in plain


def test_a_call_to_voicemail_is_shown_as_voicemail(app):
    client, _csrf = logged_in(app, "admin")
    page = client.get("/calls", {**JULY, "extension": "V9511"}).text
    assert re.search(r'<td>Voicemail <span class="muted">V9511</span></td>', page)
    tr = client.get("/calls", {**JULY, "extension": "V9511", "lang": "tr"}).text
    assert re.search(r'<td>Sesli mesaj <span class="muted">V9511</span></td>', tr)


def test_a_call_to_a_mailbox_by_name_is_voicemail_not_outgoing(app):
    """Issue 20: IP Office prints a call to a mailbox as outgoing ("O") to "?NAME" over no trunk, answered by a
    voicemail channel (the sample's lines 5, 506 and 768: E212 GRABOWA -> ?GRABOWA, V9511 "VM Channel 11"). It was
    shown as "outgoing"; now as voicemail on the search and the call's page (with the channel)."""
    client, _csrf = logged_in(app, "admin")
    page = client.get("/calls", {**JULY, "number": "GRABOWA", "number_match": "contains", "lang": "en"}).text
    assert re.findall(r'</a></td><td>([^<]*)</td>', page) == ["voicemail"]
    tr = client.get("/calls", {**JULY, "number": "MŁYN", "number_match": "contains", "lang": "tr"}).text
    assert re.findall(r'</a></td><td>([^<]*)</td>', tr) == ["sesli mesaj"]
    call = re.search(r'href="/calls/(\d+)"', page).group(1)
    one = client.get(f"/calls/{call}", {"lang": "en"}).text
    assert "<dt>Direction</dt><dd>voicemail</dd>" in one
    assert '<dt>Answered by</dt><dd class="small">voicemail (VM Channel 11)</dd>' in one
    assert re.search(r'<td class="num">\+0:00:00</td><td>voicemail</td>', one)          # its leg too
    plain = client.get("/calls", {**JULY, "number": "600988600", "lang": "en"}).text   # over a trunk: outgoing
    assert re.findall(r'</a></td><td>([^<]*)</td>', plain) == ["outgoing"]
    other = re.search(r'href="/calls/(\d+)"', plain).group(1)
    assert "voicemail" not in client.get(f"/calls/{other}").text


def test_a_live_page_refreshes_by_a_script_the_user_can_pause(app):
    """axe-core (WCAG 2.2.1): a <meta refresh> cannot be stopped. The home page reloads by /static/refresh.js with
    a pause button; the meta refresh only inside <noscript>."""
    client, _csrf = logged_in(app, "admin")
    page = client.get("/", {"lang": "cs"}).text
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', page)
    assert page.count('http-equiv="refresh"') == 1 and '<script src="/static/refresh.js" defer></script>' in page
    assert re.search(r'<button type="button" id="refresh-toggle" hidden data-refresh="\d+"\s+'
                     r'data-pause="Pozastavit automatické obnovování" data-resume="Obnovit automatické obnovování">',
                     page)
    assert "window.location.reload()" in client.get("/static/refresh.js").text
    assert "refresh-toggle" not in client.get("/calls").text               # a page without refresh has none


def test_the_branch_calls_form_is_in_the_users_language(app):
    """Found by the browser matrix: /central/calls labelled its form in English (translated when the routes were
    made, outside any request)."""
    client, _csrf = logged_in(app, "admin")
    page = client.get("/central/calls", {"lang": "tr"}, status="*").text
    assert '<label>Bitiş <input name="until"' in page and ">Until <" not in page


def test_an_hour_step_month_of_concurrency_is_cut_to_its_first_rows_with_local_times(app):
    """A month at one-hour steps is 744 rows: the first 100 with a link to all (?top=0); each interval's start in
    the locale's format, not raw ISO ("2017-07-01 08:00")."""
    client, _csrf = logged_in(app, "admin")
    query = {"run": "1", "range": "custom", "since": "2017-07-01", "until": "2017-08-01", "step": "3600", "lang": "en"}
    page = client.get("/reports/concurrency", query).text
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 100 and "The first 100 of 744 rows." in page
    every = re.search(r'<a href="(/reports/concurrency\?[^"]*top=0[^"]*)">Show all rows</a>', page).group(1)
    assert client.get(every.replace("&amp;", "&")).text.split("<tbody>", 1)[1].count("<tr>") == 744
    assert "<td>01/07/2017, 08:00</td>" in body and "2017-07-01 08:00" not in page
    tr = client.get("/reports/concurrency", {**query, "lang": "tr"}).text
    assert "<td>1.07.2017 08:00</td>" in tr
    assert "Show all rows" not in client.get("/reports/concurrency", {**query, "step": "86400"}).text   # 31 rows


def test_concurrency_past_its_range_limit_answers_in_the_users_language(app):
    """Past 5,000 intervals the page answers 400 with the reason, in the user's language (it was English in every
    language); the CSV answers 400 too."""
    client, _csrf = logged_in(app, "admin")
    query = {"run": "1", "range": "custom", "since": "2000-01-01", "until": "2030-01-01", "step": "3600"}
    page = client.get("/reports/concurrency", {**query, "lang": "tr"}, status=400).text
    assert "262.992 aralık: daha büyük bir adım ya da daha kısa bir dönem seçin (en çok 5.000)" in page
    assert "intervals" not in page
    assert "step 7 s" not in client.get("/reports/concurrency", {**query, "step": "7"}, status=400).text
    client.get("/reports/concurrency.csv", query, status=400)
    english = client.get("/reports/concurrency", {**query, "lang": "en"}, status=400).text
    assert "262,992 intervals: choose a larger step or a shorter range (at most 5,000)" in english


def test_a_reports_period_is_written_as_the_language_writes_dates(app):
    """A report's period read "2017-07-01T00:00 – 2017-08-01T00:00" (raw ISO, the end exclusive) on the page and
    in its PDF subtitle; now the first and the last day in the user's language."""
    client, _csrf = logged_in(app, "admin")
    query = {"dim1": "extension", "range": "custom", "since": "2017-07-01", "until": "2017-08-01", "run": "1"}
    page = client.get("/reports", {**query, "lang": "en"}).text
    assert "1 Jul 2017 – 31 Jul 2017" in page and "2017-07-01T00:00" not in page
    assert "1 Tem 2017 – 31 Tem 2017" in client.get("/reports", {**query, "lang": "tr"}).text
    part = client.get("/reports", {**query, "since": "2017-07-03T08:00", "until": "2017-07-03T12:30", "lang": "en"})
    assert "03/07/2017, 08:00 – 03/07/2017, 12:30" in part.text


def test_a_long_tables_pdf_has_every_row(app):
    """The page cuts a long table to its first 100 rows; its PDF (same query) keeps all 744."""
    import subprocess
    client, _csrf = logged_in(app, "admin")
    query = {"run": "1", "range": "custom", "since": "2017-07-01", "until": "2017-08-01", "step": "3600", "lang": "en"}
    pdf = client.get("/reports/concurrency.pdf", query).body
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    assert text.decode().count("/07/2017, ") >= 744         # every interval (the chart adds a few labels)
