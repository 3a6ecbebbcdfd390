"""The Update page in-process (WebTest): the version, root slot, slots and history callbox-update wrote; a bundle sent
as the request body lands whole as <data>/update/incoming.raucb for callbox-update.service (root) to check and
install; refusals (nothing sent, too large, an update already waiting, no CSRF token)."""
from __future__ import annotations

import json

import appliance
from webui.admin import update


def test_a_box_that_is_not_an_image_shows_its_version_and_no_slot(client, csrf):
    page = client.get("/update")
    assert appliance.__version__ in page.text and "not an appliance image" in page.text and "No update yet." in page
    expected = {"version": appliance.__version__, "slot": "", "slots": {}, "history": [], "pending": False,
                "updater": False}
    assert client.get("/api/update").json == expected
    assert 'id="no-updater"' in page.text and 'id="update-form"' not in page.text


def test_without_an_updater_no_bundle_is_taken(client, csrf, data_dir):
    refused = client.post("/update", b"x" * 100, headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
                          status=409)
    assert "no updater" in refused.json["error"] and not (data_dir / "update").exists()


def updater(data_dir) -> None:
    """The status the image's updater (callbox-update) writes: the box can install a bundle."""
    (data_dir / "update").mkdir(exist_ok=True)
    (data_dir / "update" / "status.json").write_text(json.dumps({"version": "0.1.0", "slot": "a",
                                                                 "slots": {"a": "good", "b": "good"}}))


def test_the_page_shows_what_the_box_wrote(client, csrf, data_dir):
    folder = data_dir / "update"
    folder.mkdir()
    (folder / "status.json").write_text(json.dumps({"version": "0.1.0+g1234567", "slot": "a",
                                                    "slots": {"a": "good", "b": "bad"}}))
    events = [{"at": "2026-12-07T02:00:00Z", "event": "installed", "version": "0.1.1", "slot": "b", "detail": "ok"},
              {"at": "2026-12-07T02:03:00Z", "event": "rolled_back", "version": "0.1.1", "slot": "b",
               "detail": "slot b did not come up healthy; running slot a (0.1.0+g1234567)"}]
    (folder / "history.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events) + "half a line\n")
    state = client.get("/api/update").json
    assert state["version"] == "0.1.0+g1234567" and state["slot"] == "a"
    assert state["slots"] == {"a": "good", "b": "bad"}
    assert [h["event"] for h in state["history"]] == ["rolled_back", "installed"]      # newest first
    page = client.get("/update")
    assert 'id="slot">A<' in page.text and "rolled back" in page.text and "did not come up healthy" in page.text
    assert "not bootable" in page.text


def test_a_bundle_is_received_whole_for_the_installer(client, csrf, data_dir):
    updater(data_dir)
    bundle = bytes(range(256)) * 9000          # 2.3 MB: more than one chunk
    sent = client.post("/update", bundle, headers={"X-CSRF-Token": csrf, "Accept": "application/json",
                                                   "Content-Type": "application/octet-stream"}, status=202)
    assert sent.json == {"received": len(bundle)}
    assert (data_dir / "update" / "incoming.raucb").read_bytes() == bundle
    assert not (data_dir / "update" / ".incoming.raucb.part").exists()
    busy = client.post("/update", b"x", headers={"X-CSRF-Token": csrf, "Accept": "application/json"}, status=409)
    assert "being installed" in busy.json["error"]
    assert client.get("/api/update").json["pending"] is True
    assert "was received" in client.get("/update").text and 'id="update-form"' in client.get("/update").text
    (data_dir / "update" / "incoming.raucb").unlink()
    assert "Choose the update bundle" in client.post("/update", b"", headers={"X-CSRF-Token": csrf}, status=400)
    client.post("/update", b"x", status=403)                  # no CSRF token


def test_a_file_larger_than_a_slot_is_refused_before_it_is_read(client, csrf, data_dir, monkeypatch):
    monkeypatch.setattr(update, "MAX_BUNDLE", 1000)
    updater(data_dir)
    big = client.post("/update", b"y" * 1001, headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
                      status=413)
    assert "larger than a root slot" in big.json["error"]
    assert not (data_dir / "update" / "incoming.raucb").exists()
