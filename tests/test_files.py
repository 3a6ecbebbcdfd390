"""appliance.files: a small file replaced whole, with its permissions from the start, read back as a JSON object."""
import os
import stat

from appliance import files


def test_replace_writes_text_as_utf8_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "callbox.ini"
    target.write_text("[box]\ncompany = old\n", encoding="utf-8")
    files.replace(target, "[box]\ncompany = Şişli Çağrı\n")
    assert target.read_bytes() == "[box]\ncompany = Şişli Çağrı\n".encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["callbox.ini"]


def test_replace_writes_bytes_and_a_secret_is_never_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        files.replace(tmp_path / "authorized_keys", b"ssh-ed25519 AAAA\n", mode=0o600)
        files.replace(tmp_path / "state", "on\n", durable=False)
    finally:
        os.umask(old)
    assert (tmp_path / "authorized_keys").read_bytes() == b"ssh-ed25519 AAAA\n"
    assert stat.S_IMODE((tmp_path / "authorized_keys").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o644


def test_a_failed_write_keeps_the_old_content(tmp_path):
    target = tmp_path / "archived"
    files.replace(target, "7\n")
    try:
        files.replace(target, "\ud800")          # a lone surrogate cannot be UTF-8: fails before the rename
    except UnicodeEncodeError:
        pass
    (tmp_path / "archived.d").mkdir()
    try:
        files.replace(tmp_path / "archived.d" / "x" / "archived", "8\n")    # no such directory
    except FileNotFoundError:
        pass
    assert target.read_text() == "7\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archived", "archived.d"]


def test_read_json_object(tmp_path):
    path = tmp_path / "answer.json"
    assert files.read_json_object(path) is None                      # missing
    path.write_text("[1, 2]")
    assert files.read_json_object(path) is None                      # not an object
    path.write_text('{"id": "a", "results": [')
    assert files.read_json_object(path) is None                      # cut short
    files.replace(path, '{"id": "a", "name": "Müller"}', durable=False)
    assert files.read_json_object(path) == {"id": "a", "name": "Müller"}


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_half_new_one(tmp_path, monkeypatch):
    target = tmp_path / "callbox.ini"
    files.replace(target, "[box]\n")

    def full(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(files.os, "fsync", full)
    try:
        files.replace(target, "[box]\ncompany = new\n")
    except OSError as e:
        assert e.errno == 28
    else:
        raise AssertionError("the failure was swallowed")
    assert target.read_text() == "[box]\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["callbox.ini"]
