"""The directory sync's problems, change details and CSV file errors as a key and fields (issue 20): the English
stays as it was (the CLI, --json's message/detail), and each text is said in every language of the web."""
from __future__ import annotations

import json
import string

import pytest

from appliance.alerts import texts as alert_texts
from appliance.config import Config
from appliance.directory import csv_source as directory_csv
from appliance.directory import texts
from appliance.directory.sync import sync_once
from appliance.reports.labels import LANGS, read_catalog, words
from appliance.store import directory as sd
from test_directory import DAY, HEADER, T0, write

OTHERS = [lang for lang in LANGS if lang != "en"]


def sync_cfg(path, extra: str = "") -> Config:
    return Config(text=f"[directory]\ntenant = acme\ncsv = {path}\n{extra}")


def texts_in(value) -> list[str]:
    """Every key a stored text (and its nested texts) uses."""
    if isinstance(value, list):
        return [k for v in value for k in texts_in(v)]
    if not texts.is_text(value):
        return []
    return [value["key"]] + [k for v in value["fields"].values() for k in texts_in(v)]


@pytest.fixture
def troubled(db, tmp_path):
    """Two syncs whose reports hold most kinds of problem and change."""
    t = sd.tenant_id("acme", create=True)
    sd.create_named(t, "department", "Satış")
    rows = ["acme;İzmir;Satış;;ayse;Ayşe;Demir;214;;", "acme;София;Кабини;;ivan;Иван;Петров;215;;",
            "acme;İzmir;Satış;;mehmet;Mehmet;Yılmaz;215 216;;", "acme;;Satış;;elena;Елена;Иванова;;;"]
    path = write(tmp_path, HEADER + "\n".join(rows))
    first = sync_once(sync_cfg(path, "create_departments = no\n"), now=T0)
    rows = ["acme;İzmir;Satış;CC-7;ayse;Ayşe;Demir-Kaya;214;ayse@example.com;",   # details, a move
            "acme;İzmir;Satış;;mehmet;Mehmet;Yılmaz;215;;",                          # 216 removed
            "acme;İzmir;Satış;;mehmet;Mehmet;Yılmaz;215;;",                          # twice in the file
            "acme;İzmir;Satış;;zeynep;Zeynep;Kaya;216;;2026-01-01",                 # 216 before it was free
            "acme;İzmir;Satış;;ali;Ali;Veli;217;;01.03.2026",                        # not a date
            "acme;İzmir;Satış;;short;row",                                           # too few fields
            "acme;İzmir;Satış;;;Nobody;Known;218;;",                                 # no person_id
            "other;İzmir;Satış;;olga;Olga;Secret;219;;"]                             # an unknown tenant
    path.write_text(HEADER + "\n".join(rows), encoding="utf-8")
    second = sync_once(sync_cfg(path, "create_departments = yes\n"), now=T0 + DAY)
    return first, second


def test_every_problem_and_change_keeps_its_english_and_its_text(troubled):
    first, second = troubled
    problems, changes = first.problems + second.problems, first.changes + second.changes
    kinds = {p.kind for p in problems} | {c.kind for c in changes}
    assert {"no_extension", "duplicate_extension", "unknown_branch", "unknown_department", "bad_record",
            "duplicate_person", "backdated", "unknown_tenant", "new_person", "moved", "ended", "details",
            "extension_removed", "new_cost_centre"} <= kinds, kinds
    for p in problems:
        assert texts.is_text(p.text) and texts.english(p.text) == p.message, p
    for c in changes:
        if c.text is not None:
            assert texts.say_or(c.text, "") == c.detail, c
    said = {(c.kind, c.person_id): c.detail for c in changes}
    assert said["details", "ayse"] == "last_name 'Demir' → 'Demir-Kaya', email '' → 'ayse@example.com'"
    assert said["moved", "ayse"] == "Satış → Satış, İzmir (cost centre CC-7)"
    assert said["moved", "mehmet"] == "Satış → Satış, İzmir" and said["new_person", "ivan"] == \
        "no placement; extensions 215"
    assert said["ended", "ivan"] == "no longer in any source"
    backdated = next(p for p in problems if p.kind == "backdated")
    assert backdated.message.startswith("people.csv line 5: extension 216 2026-01-01T00:00:00Z not possible (")
    assert backdated.message.endswith("(extension 216 was assigned until 2026-05-29T20:26:40Z, after "
                                      "2026-01-01T00:00:00Z); dated now instead")
    assert backdated.text["fields"]["error"]["key"] == "extension_until"      # the refusal's own text, nested
    stored = json.loads(sd.SyncRun.select().order_by(sd.SyncRun.id.desc()).first().report)
    assert [p["text"] for p in stored["problems"]] == [p.text for p in second.problems]   # what the web reads


@pytest.mark.parametrize("lang", OTHERS)
def test_every_text_is_said_in_each_language_without_its_english(troubled, lang):
    first, second = troubled
    catalogue = read_catalog(lang)[0]
    for said in [p.text for p in first.problems + second.problems] + [c.text for c in first.changes + second.changes]:
        if said is None:
            continue
        for key in texts_in(said):       # every text used has words of the language (not its English)
            message = texts.TEXT[key]
            has_words = any(c.isalpha() for c in "".join(f[0] for f in string.Formatter().parse(message)))
            assert catalogue.get(message) and (catalogue[message] != message or not has_words), (lang, key)
        assert texts.say(said, words(lang).text)


def test_each_language_keeps_the_fields_of_each_text():
    for lang in OTHERS:
        catalogue = read_catalog(lang)[0]
        for key, message in texts.TEXT.items():
            names = sorted(f[1:3] for f in string.Formatter().parse(message) if f[1] is not None)
            said = catalogue.get(message, "")
            assert sorted(f[1:3] for f in string.Formatter().parse(said) if f[1] is not None) == names, (lang, key)


def test_a_csv_file_that_cannot_be_read_says_why_in_each_language(tmp_path):
    bad = {"not_utf8": "person_id;last_name\nx;Şahin\n".encode("cp1254"),
           "unknown_column": "person_id;last_name;deparment\n".encode(),
           "column_twice": "person_id;last_name;surname\n".encode(),
           "header_needs": "person_id;email\n".encode(), "empty_file": b"\n\n"}
    for key, data in bad.items():
        with pytest.raises(texts.CSVError) as caught:
            directory_csv.read_text(directory_csv.decode(data, "p.csv"), "p.csv",
                                    directory_csv.zone_of(Config(text="")))
        assert caught.value.text["key"] == key and str(caught.value) == texts.english(caught.value.text)
    with pytest.raises(texts.CSVError) as caught:
        directory_csv.decode(bad["not_utf8"], "p.csv")
    assert str(caught.value) == "p.csv: line 2 is not UTF-8 (byte 0xde): save the file as UTF-8 (Excel: 'CSV UTF-8')"
    assert texts.say(caught.value.text, words("tr").text) == \
        "p.csv: satır 2 UTF-8 değil (bayt 0xde): dosyayı UTF-8 olarak kaydedin (Excel: 'CSV UTF-8')"


def test_a_report_from_before_the_texts_is_shown_as_stored():
    assert texts.say_or(None, "extension 201 is claimed by a, b; given to a") == \
        "extension 201 is claimed by a, b; given to a"
    broken = {"key": "no_extension", "fields": {"person": "ayse"}}            # a field its words need is missing
    assert texts.say_or(broken, "ayse (Ayşe) has no extension", words("tr").text) == "ayse (Ayşe) has no extension"
    assert texts.say_or({"key": "gone", "fields": {}}, "as stored") == "as stored"
    assert texts.say_or([], "as stored") == "as stored"
    assert texts.say_or({"key": ["odd"], "fields": {}}, "as stored") == "as stored"


def test_the_failing_sync_alert_says_the_sources_problem_in_the_recipients_language(db, tmp_path):
    missing = sync_once(sync_cfg(tmp_path / "gone.csv"), now=T0)
    problem = missing.problems[0]
    why = alert_texts.DirectoryText(problem.text, problem.message)
    english = alert_texts.say("en", "directory_sync", why=why)
    assert english == f"the directory sync failed twice in a row: {problem.message} (see the Organisation page's " \
                      "sync report)"
    stored = alert_texts.encode("directory_sync", {"why": why})
    for lang in ("tr", "nb"):      # the alerts page reads the raised condition's stored words
        assert alert_texts.decode(lang, stored, "fallback") == alert_texts.say(lang, "directory_sync", why=why)
    none = sync_once(Config(text=""), now=T0 + DAY).problems[0]
    said = alert_texts.say("tr", "directory_sync", why=alert_texts.DirectoryText(none.text, none.message))
    assert "yapılandırılmış kaynak yok: [ldap] url ve/veya [directory] csv ayarlayın" in said
    older = alert_texts.DirectoryText(None, "csv: no people read")          # a report from before the texts
    assert "csv: no people read" in alert_texts.say("bg", "directory_sync", why=older)


def test_a_trunk_file_and_a_refused_edit_say_why_in_each_language(db):
    from appliance.directory import edits, trunks
    from appliance.directory.organisation import DirectoryError
    tz = directory_csv.zone_of(Config(text=""))
    bad = {"trunk_unknown_column": "trunk;provider;carier\n", "trunk_column_twice": "trunk;provider;line\n",
           "trunk_header_needs": "trunk;name\n", "field_count": "trunk;provider\nT1\n",
           "empty_field": "trunk;provider\nT1;\n", "bad_date": "trunk;provider;valid_from\nT1;X;soon\n",
           "trunk_twice": "trunk;provider\nT1;X\nT1;Y\n", "empty_file": ""}
    for key, text in bad.items():
        with pytest.raises(trunks.TrunkFileError) as caught:
            trunks.read_text(text, "t.csv", tz)
        assert caught.value.text["key"] == key and str(caught.value) == texts.english(caught.value.text)
        assert texts.say(caught.value.text, words("cs").text) != str(caught.value), key
    with pytest.raises(trunks.TrunkFileError) as caught:
        trunks.decode("trunk;provider\nŞ;X\n".encode("cp1254"), "t.csv")
    assert str(caught.value) == "t.csv line 2: not UTF-8 (byte 0xde); save the file as UTF-8 (Excel: 'CSV UTF-8')"
    t = sd.tenant_id("acme", create=True)
    rows = trunks.read_text("trunk;provider;valid_from\nT1;X;2026-05-01\n", "t.csv", tz)
    trunks.apply(t, rows, T0)
    later = trunks.read_text("trunk;provider;valid_from\nT1;Y;2026-04-01\n", "t.csv", tz)
    with pytest.raises(trunks.TrunkFileError) as caught:
        trunks.apply(t, later, T0)
    assert caught.value.text["key"] == "at_row" and str(caught.value).startswith("line 2: ")
    assert texts.say(caught.value.text, words("tr").text).startswith("satır 2: ")
    with pytest.raises(DirectoryError) as refused:
        edits.add_named(t, "cost_centre", "  ")
    assert str(refused.value) == "a cost centre needs a name"
    assert texts.say(refused.value.text, words("tr").text) == "masraf merkezi için bir ad gerekli"
    with pytest.raises(DirectoryError) as refused:
        edits.end_trunk(t, "T9", T0)
    assert texts.say(refused.value.text, words("nb").text) == "trunk 'T9' er ikke i drift"
    from appliance.directory import organisation
    with pytest.raises(DirectoryError) as refused:
        organisation.move_person(t, organisation.add_person(t, "p1", "Ali"), None, 9999)
    assert str(refused.value) == f"no branch 9999 in tenant {t}"
    assert texts.say(refused.value.text, words("bg").text) == f"няма клон 9999 при наемател {t}"
