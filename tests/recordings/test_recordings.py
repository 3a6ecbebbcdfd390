"""Finding a call's recording: templates, the folder as a fence (.., symlinks), retention, settings errors."""
import os

import pytest

from appliance import config
from appliance import recordings as rec
from rec_helpers import write_wav

START = 1709283600          # 2024-03-01 09:00 in Istanbul (+03:00)
OFFSET = 3 * 3600


def settings(folder, template="{recordingfile}, {date:%Y/%m/%d}/*-{uniqueid}.*", days=0):
    return rec.Settings(folder, tuple(t.strip() for t in template.split(",")), days)


def test_the_freepbx_layout_is_found_by_uniqueid_and_the_cdr_field_wins(tmp_path):
    day = write_wav(tmp_path / "2024/03/01/in-201-0612345678-20240301-090000-1709283600.1.wav", 0.1)
    named = write_wav(tmp_path / "named.wav", 0.1)
    s = settings(tmp_path)
    assert rec.locate(s, START, OFFSET, [{"uniqueid": "1709283600.1"}]) == day.resolve()
    assert rec.locate(s, START, OFFSET, [{"uniqueid": "1709283600.1", "recordingfile": "named.wav"}]) == \
        named.resolve()
    assert rec.locate(s, START, OFFSET, [{"recordingfile": str(named)}]) == named.resolve()   # MixMonitor's path
    assert rec.locate(s, START, OFFSET, [{"uniqueid": "1709283600.2"}]) is None
    # the date is the PBX's local date: 02:00 on 1 March in Istanbul is 23:00 on 29 February UTC
    early = write_wav(tmp_path / "2024/03/01/x-1709244000.9.wav", 0.1)
    assert rec.locate(s, 1709244000, OFFSET, [{"uniqueid": "1709244000.9"}]) == early.resolve()


def test_the_userfield_names_the_file_where_a_dialplan_puts_it_there(tmp_path):
    named = write_wav(tmp_path / "q" / "support-1709283600.1.wav", 0.1)
    s = settings(tmp_path, "{recordingfile}, {userfield}")
    assert rec.locate(s, START, OFFSET, [{"userfield": "q/support-1709283600.1.wav"}]) == named.resolve()
    assert rec.locate(s, START, OFFSET, [{"userfield": str(named)}]) == named.resolve()


def test_nothing_outside_the_folder_is_ever_found(tmp_path):
    folder = tmp_path / "monitor"
    folder.mkdir()
    secret = write_wav(tmp_path / "secret.wav", 0.1)
    os.symlink(secret, folder / "link.wav")
    s = settings(folder, "{recordingfile}")
    for name in ("../secret.wav", str(secret), "link.wav", "/etc/passwd", "../../../../etc/passwd", ""):
        assert rec.locate(s, START, OFFSET, [{"recordingfile": name}]) is None, name
    # a uniqueid with a slash cannot climb out either
    assert rec.locate(settings(folder, "{uniqueid}.wav"), START, OFFSET, [{"uniqueid": "../secret"}]) is None


def test_retention(tmp_path):
    s = settings(tmp_path, days=30)
    assert rec.expired(s, START, START + 31 * 86400) and not rec.expired(s, START, START + 29 * 86400)
    assert not rec.expired(settings(tmp_path), START, START + 10 ** 9)


def test_settings_name_a_bad_template_field():
    with pytest.raises(config.ConfigError, match=r"\[recordings\] template.*unknown field \{callid\}"):
        rec.read_settings(config.Config(text="[recordings]\nfolder = /x\ntemplate = {callid}.wav\n"))
    s = rec.read_settings(config.Config(text="[recordings]\nfolder = /var/spool/asterisk/monitor\n"))
    assert s.templates == ("{recordingfile}", "{userfield}", "{date:%Y/%m/%d}/*-{uniqueid}.*")
    assert str(s.folder) == "/var/spool/asterisk/monitor"
    assert rec.read_settings(config.Config(text="")).folder is None
