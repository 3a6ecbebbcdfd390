"""A backup sent to a file server (issue 19: "to a download, a file server target or a USB stick"): `callbox backup
create --target NAME` uploads the encrypted file to an [upload] targets server (a real FTP server on loopback,
pyftpdlib), under a temporary name first; restored from the server's copy, a new box answers as the old one."""
from __future__ import annotations

from appliance.backup import archive
from test_backup_restore import PASSPHRASE, TARIFF, callbox
from test_upload import FTP, PASSWORD


def test_a_backup_to_a_file_server_restores_on_a_new_box(tmp_path):
    server, box_a, box_b = tmp_path / "server", tmp_path / "box-a", tmp_path / "box-b"
    server.mkdir()
    box_a.mkdir()
    (box_a / "ftp.pw").write_text(PASSWORD + "\n", encoding="utf-8")
    (box_a / "ftp.pw").chmod(0o600)
    with FTP(server) as srv:
        (box_a / "callbox.ini").write_text(
            "[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Istanbul\n\n[box]\ncompany = Örnek A.Ş.\n\n"
            f"[upload]\ntargets =\n    yedek = ftp://rapor@127.0.0.1:{srv.port}/yedekler?password_file=ftp.pw\n",
            encoding="utf-8")
        callbox(box_a, "tariff", "import", str(TARIFF))
        callbox(box_a, "user", "add", "yönetici", "--admin", "--password-stdin", stdin="a password of the box\n")
        missing = callbox(box_a, "backup", "create", "--target", "nowhere", "--passphrase-stdin",
                          stdin=PASSPHRASE + "\n", code=2)
        assert "no upload target 'nowhere'" in missing
        said = callbox(box_a, "backup", "create", "--target", "yedek", "--passphrase-stdin", "--json",
                       stdin=PASSPHRASE + "\n")
        ops = list(srv.ops)
    sent = sorted((server / "yedekler").iterdir())
    assert len(sent) == 1 and sent[0].name.startswith("callbox-backup-") and sent[0].suffix == ".cbx"
    assert f'"backup": "yedek:{sent[0].name}"' in said
    assert [op[0] for op in ops] == ["stored", "rename"] and ops[0][1].endswith(".part")   # never a half file
    assert b"yedek" not in sent[0].read_bytes()                                                 # encrypted
    with open(sent[0], "rb") as f:
        archive.restore(f, box_b, PASSPHRASE)
    for args in (("user", "list"), ("tariff", "export", "-")):
        assert callbox(box_b, *args) == callbox(box_a, *args)
    assert (box_b / "callbox.ini").read_bytes() == (box_a / "callbox.ini").read_bytes()
    assert (box_b / "ftp.pw").read_bytes() == (box_a / "ftp.pw").read_bytes()     # the target's secret too
