"""Restore from the web (issue 19): an administrator of the whole box uploads an encrypted backup with its passphrase
on the Backup page, or a new box restores one from the first-boot wizard instead of a new setup. A wrong passphrase,
a damaged, cut or foreign file changes nothing and says why; a restored box answers as the one backed up, and its
configuration file is touched so that capture, the worker and jobs start again on it by themselves."""
from __future__ import annotations

import io

import pytest
import webtest

from appliance import store
from appliance.backup import archive
from test_backup_restore import INI, PASSPHRASE, SAMPLE, TARIFF, callbox, outputs
from web_helpers import add_user, login
from webui.app import make_app


@pytest.fixture(scope="module")
def backup(tmp_path_factory) -> tuple[bytes, dict]:
    data = tmp_path_factory.mktemp("box-a")
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    callbox(data, "import", "--driver", "avaya_ipoffice", str(SAMPLE))
    callbox(data, "tariff", "import", str(TARIFF))
    callbox(data, "user", "add", "yönetici", "--admin", "--password-stdin", stdin="a password of the box\n")
    out = io.BytesIO()
    archive.create(data, out, PASSPHRASE, calls=True)
    return out.getvalue(), outputs(data)


def _stamp(path):
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def test_an_administrator_restores_a_backup_on_the_backup_page(tmp_path, backup):
    made, before = backup
    data = tmp_path / "box-b"
    data.mkdir()
    (data / "callbox.ini").write_text("[capture]\nurl = tcp-listen://0.0.0.0:1150\n", encoding="utf-8")
    ini = _stamp(data / "callbox.ini")
    damaged = bytearray(made)
    damaged[len(made) // 2] ^= 1
    try:
        client = webtest.TestApp(make_app(data))
        add_user("admin")
        csrf = login(client, "admin")
        assert 'id="restore-form"' in client.get("/backup").text

        def restore(content: bytes, passphrase: str = PASSPHRASE, status: int = 400):
            return client.post("/backup/restore", {"restore_passphrase": passphrase, "csrf_token": csrf,
                                                   "backup": webtest.Upload("box.cbx", content)}, status=status).text
        assert "Wrong passphrase, or the file is damaged: nothing was changed." in restore(made, "not the passphrase")
        # one sealed chunk (a small backup): a changed byte and a wrong passphrase look the same to AES-GCM
        assert "Wrong passphrase, or the file is damaged" in restore(bytes(damaged))
        assert "the backup is cut short" in restore(made[:-100])
        assert "not a Callbox backup file" in restore(b"PK\x03\x04 a zip file")
        assert "Choose the backup file" in client.post("/backup/restore", {"restore_passphrase": PASSPHRASE,
                                                                           "csrf_token": csrf}, status=400).text
        assert _stamp(data / "callbox.ini") == ini and "yönetici" not in callbox(data, "user", "list")
        done = restore(made, status=200)
        assert "The backup is restored" in done
    finally:
        store.close_db()
    assert _stamp(data / "callbox.ini") != ini       # capture, the worker and jobs see it change and restart
    assert outputs(data) == before


def test_a_new_box_restores_a_backup_in_the_first_boot_wizard(tmp_path, backup):
    made, before = backup
    data = tmp_path / "new-box"
    data.mkdir()
    try:
        app = make_app(data)
        code = app.config["callbox.setup_code"]
        client = webtest.TestApp(app)
        details = client.post("/first-boot", {"code": code})
        assert 'id="restore-choice"' in details.text and 'action="/first-boot/restore"' in details.text
        form = {"code": code, "restore_passphrase": PASSPHRASE, "backup": webtest.Upload("box.cbx", made)}
        assert "not valid" in client.post("/first-boot/restore", {**form, "code": "AAAA-BBBB-CCCC"}, status=403).text
        wrong = client.post("/first-boot/restore", {**form, "restore_passphrase": "not the one"}, status=400)
        assert "Wrong passphrase" in wrong.text and 'id="restore-choice" open' in wrong.text
        done = client.post("/first-boot/restore", form)
        assert 'id="first-boot-restored"' in done.text
        assert client.get("/first-boot").status_int == 303       # a user exists now: the wizard is gone
    finally:
        store.close_db()
    assert not (data / "run" / "setup-code").exists()
    assert outputs(data) == before
