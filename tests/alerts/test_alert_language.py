"""Issue 20 (REP-13): the health alerts' e-mails in each recipient's language (their web account's, else [mail]
language; they were English only); the trap, the log and the condition's stored detail stay English, its key and
fields are stored too so the alerts page reads it in the reader's language. Every text has every language, and fills
in its fields."""
from __future__ import annotations

import json
import re
import string

import pytest

from appliance.access import users
from appliance.alerts import check, texts
from appliance.alerts import state as alerts
from appliance.config import Config
from appliance.directory import organisation
from appliance.store import directory as sd
from appliance.store import outbox as store_outbox
from appliance.store import users as su
from test_alerts_health import at, settings

# whole alert passes: the machine's disk is not what these tests are about (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("roomy_data_partition")


@pytest.mark.parametrize("lang,subject", [
    ("tr", "Callbox UYARI: mesai saatleri içinde 60 dakikadır hiçbir kaynaktan çağrı verisi yok"),
    ("cs", "Callbox VÝSTRAHA: žádná data o hovorech z žádného zdroje po 60 minut pracovní doby"),
    ("en", "Callbox ALERT: no call data from any source for 60 minutes of business hours")])
def test_a_health_alert_is_mailed_in_the_mail_language(db, tmp_path, lang, subject):
    cfg = settings(f"no_data_min = 60\n[mail]\nlanguage = {lang}\n")
    t = at("2026-03-09T08:00")
    check.evaluate(cfg, tmp_path, t)
    assert check.evaluate(cfg, tmp_path, t + 3600) == 2
    Item = store_outbox.OutboxItem
    (trap, mail) = [json.loads(i.payload) for i in Item.select().order_by(Item.id)]
    assert mail["subject"].startswith(subject), mail["subject"]
    assert trap["text"].startswith("no call data from any source")       # the trap stays English
    assert alerts.raised()[0]["detail"].startswith("no call data from any source")


def test_every_text_in_every_language_with_the_same_fields():
    fields = {key: {f for _, f, _, _ in string.Formatter().parse(text) if f} for key, text in texts.TEXT["en"].items()}
    for lang, words in texts.TEXT.items():
        assert set(words) == set(fields), lang
        for key, text in words.items():
            assert {f for _, f, _, _ in string.Formatter().parse(text) if f} == fields[key], (lang, key)
            assert not re.search(r"[{}]", texts.say(lang, key, **{f: "x" for f in fields[key]})), (lang, key)


def test_a_raised_condition_keeps_its_words_and_reads_in_any_language(db, tmp_path):
    """The page's 'Raised now' reads the stored key and fields in the reader's language (issue 20); a row from
    before them (no words) reads its English detail; a stored text that cannot be read falls back to it too."""
    cfg = settings("no_data_min = 60\n")
    t = at("2026-03-09T08:00")
    check.evaluate(cfg, tmp_path, t)
    check.evaluate(cfg, tmp_path, t + 3600)
    (row,) = alerts.raised()
    assert row["detail"].startswith("no call data from any source for 60 minutes")
    assert texts.decode("tr", row["words"], row["detail"]).startswith("mesai saatleri içinde 60 dakikadır")
    assert texts.decode("nb", row["words"], row["detail"]).startswith("ingen samtaledata fra noen kilde på 60")
    assert texts.decode("tr", "", "old English detail") == "old English detail"
    for bad in ("{", '{"key": "no_such"}', '{"key": "no_data", "fields": {}}', "[1]"):
        assert texts.decode("tr", bad, "English") == "English", bad


def test_a_word_field_is_stored_as_a_word_and_translated():
    stored = texts.encode("tariff_plan", {"problem": texts.Word("no_plan")})
    assert "hiçbir tarife planı seçilemiyor" in texts.decode("tr", stored, "")


def test_a_pass_in_turkish_leaves_nothing_behind_for_a_check_called_on_its_own(db, tmp_path):
    """The languages are handed to each check by its pass (appliance.alerts.state.Readers), not kept in the module:
    a check called directly after a Turkish pass (as the jobs process and the tests do) writes English, and the
    next Turkish pass Turkish again (under pytest -n 2 a module-level language once leaked between tests)."""
    cfg = settings("no_data_min = 60\n[mail]\nlanguage = tr\n")
    t = at("2026-03-09T08:00")
    check.evaluate(cfg, tmp_path, t)
    assert check.evaluate(cfg, tmp_path, t + 3600) == 2
    n = alerts.said("x", "db_error", "db_ok", error="disk")
    english = [a.subject for a in alerts.notices(settings("").section("alerts"), "x", n, True, t) if a.kind == "email"]
    assert len(english) == 1 and english[0].startswith("Callbox ALERT: ")
    turkish = alerts.Readers("tr").by_language(("noc@example.com",))
    assert turkish == {"tr": ("noc@example.com",)} and not hasattr(alerts, "language")


def test_each_recipient_gets_the_alert_in_their_own_language(db, tmp_path):
    """An [alerts] email address of a directory person whose web account chose Norwegian gets the e-mail in
    Norwegian; the other address in [mail] language (Turkish): two e-mails, each with its recipients."""
    tid = sd.tenant_id("default", create=True)
    organisation.add_person(tid, "kari", "Kari", "Nordmann", email="Kari@Example.no")
    su.open_users_db(tmp_path / su.FILE_NAME)
    try:
        users.add_user("kari.n", "a-long-password-2", "staff", "own", "default", "kari")
        users.set_language("kari.n", "nb")
        cfg = Config(text="[pbx]\ntimezone = Europe/Warsaw\n[alerts]\nemail = noc@example.com, kari@example.no\n"
                          "no_data_min = 60\n[mail]\nlanguage = tr\n")
        t = at("2026-03-09T08:00")
        check.evaluate(cfg, tmp_path, t)
        assert check.evaluate(cfg, tmp_path, t + 3600) == 3
    finally:
        su.close_users_db()
        su.users_db.init(None)
    Item = store_outbox.OutboxItem
    mails = {tuple(m["to"]): m["subject"] for m in (json.loads(i.payload) for i in Item.select()) if "to" in m}
    assert mails[("noc@example.com",)].startswith("Callbox UYARI: mesai saatleri")
    assert mails[("kari@example.no",)].startswith("Callbox VARSEL: ingen samtaledata fra noen kilde")
