"""Issue 20 (REP-13): the health alerts' e-mails in [mail] language (they were English only); the trap, the log and
the condition's stored detail stay English. Every text has every language, and fills in its fields."""
from __future__ import annotations

import json
import re
import string

import pytest

from appliance.alerts import check, texts
from appliance.alerts import state as alerts
from appliance.store import outbox as store_outbox
from test_alerts_health import at, settings


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
