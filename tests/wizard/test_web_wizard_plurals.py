"""Issue 20 (audit, plural forms): the PBX wizard's live view says its count of lines by the language's plural rules
("1 line received", Czech přijat/přijaty/přijato), not "1 lines received"."""
from __future__ import annotations

from appliance.journal import JournalWriter


def test_the_live_view_says_its_count_of_lines_by_the_plural_rules(client, csrf, data_dir):
    (data_dir / "callbox.ini").write_text("[capture]\nurl = tcp-listen://0.0.0.0:1150\n", encoding="utf-8")
    with JournalWriter(data_dir / "journal") as w:
        w.append(b"the first line\r\n", "tcp:10.0.0.5:51234")
    assert client.get("/api/setup/pbx/lines", {"lang": "en"}).json["count_text"] == "1 line received"
    assert client.get("/api/setup/pbx/lines", {"lang": "cs"}).json["count_text"] == "Přijat 1 řádek"
    assert client.get("/api/setup/pbx/lines", {"lang": "nb"}).json["count_text"] == "1 linje mottatt"
    with JournalWriter(data_dir / "journal") as w:
        w.append_many([(f"line {i}\r\n".encode(), 0) for i in range(4)], "tcp:10.0.0.5:51234")
    assert client.get("/api/setup/pbx/lines", {"lang": "en"}).json["count_text"] == "5 lines received"
    assert client.get("/api/setup/pbx/lines", {"lang": "cs"}).json["count_text"] == "Přijato 5 řádků"
