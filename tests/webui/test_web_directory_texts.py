"""The directory sync report's problems and change details, and the CSV upload's refusals, in the reader's language
(issue 20: they were English sentences in every language); a report stored before these texts shows as stored."""
from __future__ import annotations

import json

import pytest
import webtest

from appliance import config, store
from appliance.directory import texts
from appliance.store import directory as sd
from test_web_directory import CFG, as_user, seed
from webui.app import make_app

PEOPLE = ("person_id;first_name;last_name;branch;department;cost_centre;extensions;email\n"
          "P1;Ayşe;Demir-Kaya;İzmir;Satış;CC-7;201;\n"           # details, a move
          "P7;Mehmet;Yılmaz;Ankara;Satış;;201 701;\n"             # 201 is Ayşe's: a duplicate; a new branch
          "P8;Elena;Ivanova;;;;;\n"                                # no extension, no placement
          "P8;Elena;Ivanova;;;;;\n")                               # twice
SAID = {
    "tr": ("dahili 201 şu kişilerce isteniyor: P1 (Ayşe Demir-Kaya), P7 (Mehmet Yılmaz); P1 kişisine verildi",
           "P8 (Elena Ivanova) için dahili yok",
           "P8, csv içinde iki kez geçiyor (people.csv satır 4, people.csv satır 5); ilki kullanılıyor",
           "soyad &#039;Demir&#039; → &#039;Demir-Kaya&#039;", "Satış, İzmir (masraf merkezi CC-7)",
           "yerleşim yok; dahililer -", "Satış, Ankara; dahililer 701"),
    "nb": ("internnummer 201 kreves av P1 (Ayşe Demir-Kaya), P7 (Mehmet Yılmaz); gitt til P1",
           "P8 (Elena Ivanova) har ikke internnummer",
           "P8 står to ganger i csv (people.csv linje 4, people.csv linje 5); den første brukes",
           "etternavn &#039;Demir&#039; → &#039;Demir-Kaya&#039;", "Satış, İzmir (kostnadssted CC-7)",
           "ingen plassering; internnumre -", "Satış, Ankara; internnumre 701"),
}
ENGLISH = ("is claimed by", "has no extension", "appears twice", "the first is used", "cost centre", "extensions ",
           "no placement", "last_name &#039;", " line ", "row skipped", ": no person_id")


@pytest.fixture
def client(tmp_path):
    application = make_app(tmp_path, config.Config(text=CFG))
    seed(tmp_path)
    yield webtest.TestApp(application)
    store.close_db()


def load(client, csrf: str, text: str, status: int = 200) -> str:
    return client.post("/directory/import", {"csrf_token": csrf, "tenant": "default"},
                       upload_files=[("file", "people.csv", text.encode("utf-8"))], status=status).text


@pytest.mark.parametrize("lang", ["tr", "nb"])
def test_an_uploads_report_is_in_the_readers_language_and_later_in_anothers(client, lang):
    csrf = as_user(client, "admin")
    client.get("/directory", {"lang": lang})                  # the user's language from now on
    html = load(client, csrf, PEOPLE)
    for words in SAID[lang]:
        assert words in html, words
    assert not [w for w in ENGLISH if w in html]
    other = "bg" if lang == "tr" else "tr"
    later = client.get("/directory/sync", {"lang": other}).text   # the stored report, read in another language
    assert not [w for w in ENGLISH if w in later] and not [w for w in SAID[lang] if w in later]
    assert ("вътрешен номер 201 се иска от" if other == "bg" else "dahili 201 şu kişilerce isteniyor") in later


@pytest.mark.parametrize("lang, said", [
    ("tr", ("people.csv satır 3, sütun 1 (person_id): person_id yok",
            "people.csv satır 4, sütun 8 (valid_from): &#039;01.03.2026&#039; bir ISO 8601 tarih veya saati değil")),
    ("bg", ("people.csv ред 3, колона 1 (person_id): няма person_id",
            "people.csv ред 4, колона 8 (valid_from): &#039;01.03.2026&#039; не е дата или час по ISO 8601"))])
def test_an_upload_refused_says_its_rows_in_the_readers_language(client, lang, said):
    csrf = as_user(client, "admin")
    client.get("/directory", {"lang": lang})
    bad = ("person_id;first_name;last_name;branch;department;cost_centre;extensions;valid_from\n"
           "P9;Zeynep;Kaya;;;;250;\n;Ali;Veli;;;;;\nP5;A;B;;;;;01.03.2026\n")
    html = load(client, csrf, bad, status=400)
    for words in said:
        assert words in html, words
    assert "; ignored" not in html and not [w for w in ENGLISH if w in html]
    unknown = load(client, csrf, "person_id;last_name;deparment\n", status=400)
    assert ("başlıkta bilinmeyen sütun &#039;deparment&#039;" if lang == "tr" else
            "непозната колона &#039;deparment&#039; в заглавния ред") in unknown
    latin = client.post("/directory/import", {"csrf_token": csrf, "tenant": "default"},
                        upload_files=[("file", "p.csv", "person_id;last_name\nx;Şahin\n".encode("cp1254"))],
                        status=400).text
    assert ("p.csv: satır 2 UTF-8 değil (bayt 0xde)" if lang == "tr" else
            "p.csv: ред 2 не е UTF-8 (байт 0xde)") in latin


def test_a_report_stored_before_the_texts_shows_its_english_as_stored(client, tmp_path):
    as_user(client, "admin")
    store.open_db(tmp_path / "callbox.db")
    old = {"at_utc": 1_780_000_000, "kind": "sync", "applied": True, "sources": {"csv": 2},
           "changes": [{"kind": "ended", "tenant": "default", "person_id": "P2", "name": "Иван Петров",
                        "detail": "no longer in any source"}],
           "problems": [{"kind": "no_extension", "tenant": "default", "message": "P3 (x) has no extension",
                         "people": ["P3"]}]}
    sd.SyncRun.create(at_utc=old["at_utc"], kind="sync", applied=True, report=json.dumps(old))
    store.close_db()
    html = client.get("/directory/sync", {"lang": "tr"}).text
    assert "P3 (x) has no extension" in html and "no longer in any source" in html and "dahili yok" in html


def test_a_trunk_files_summary_and_refusals_in_the_readers_language(client):
    csrf = as_user(client, "admin")
    client.get("/directory", {"lang": "cs"})

    def upload(text: str, status: int = 200) -> str:
        return client.post("/directory/trunks", {"csrf_token": csrf, "tenant": "default"},
                           upload_files=[("file", "trunks.csv", text.encode("utf-8"))], status=status).text
    assert "trunks.csv: linky nájemce default: 2 řádky, přidáno 2, změněno 0, beze změny 0" in upload(
        "trunk;provider\n01;Türk Telekom\n02;БТК\n")
    refused = upload("trunk;provider\n03;\n", status=400)
    assert "trunks.csv řádek 2, sloupec 2 (provider): prázdné" in refused and ": empty" not in refused
    form = {"csrf_token": csrf, "tenant": "default", "trunk": "09", "action": "end", "date": "2026-03-01"}
    ended = client.post("/directory/trunks/line", form, status=400).text
    assert "linka &#039;09&#039; není v provozu" in ended and "is not in service" not in ended


def test_a_problems_times_are_in_the_pages_zone_and_language(client, tmp_path):
    as_user(client, "admin")
    said = texts.text("backdated", where=texts.text("at_line", file="people.csv", line=5),
                      what=texts.text("extension", extension="216"), at="2026-01-01T00:00:00Z",
                      error=texts.text("extension_until", extension="216", until="2026-05-29T20:26:40Z",
                                       at="2026-01-01T00:00:00Z"))
    report = {"at_utc": 1_780_000_000, "kind": "sync", "applied": True, "sources": {"csv": 1}, "changes": [],
              "problems": [{"kind": "backdated", "tenant": "default", "message": texts.english(said),
                            "people": ["P9"], "text": said}]}
    store.open_db(tmp_path / "callbox.db")
    sd.SyncRun.create(at_utc=report["at_utc"], kind="sync", applied=True, report=json.dumps(report))
    store.close_db()
    html = client.get("/directory/sync", {"lang": "tr"}).text
    assert "people.csv satır 5: dahili 216 1 Oca 2026 03:00:00 mümkün değil (dahili 216, 1 Oca 2026 03:00:00 " \
           "sonrasına, 29 May 2026 23:26:40 tarihine kadar atanmıştı); bunun yerine şimdiki tarihle yapıldı" in html
    assert "00:00:00Z" not in html                                  # [pbx] timezone Europe/Istanbul, UTC+3
