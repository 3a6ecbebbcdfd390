"""A backup to a file server or a USB stick from the web (issue 19: "to a download, a file server target or a USB
stick"), and a restore from a stick. The file servers are real ones on loopback (pyftpdlib's FTP, paramiko's SFTP,
Debian's smbd for SMB, as the report export's tests); the USB stick is a temporary folder named by [box] usb_path:
a test cannot plug a stick in, so the finding of real ones (a removable disk mounted under /media or /run/media) is
checked on a mountinfo file and a sysfs tree made to look like the kernel's (the image's own mounting of a stick:
tests/image)"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import webtest

from appliance import store
from appliance.backup import archive, destinations
import smb_server
from sftp_server import SFTPServer
from smb_server import SMBServer
from test_backup_restore import INI, PASSPHRASE, SAMPLE, TARIFF, callbox, outputs
from test_upload import FTP, PASSWORD
from web_helpers import add_user, login
from webui.app import make_app


def test_removable_disks_mounted_under_media_are_the_usb_sticks(tmp_path):
    sysfs = tmp_path / "sys"
    usb = sysfs / "devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb"
    card = sysfs / "devices/platform/mmc/mmc_host/mmc0/mmc0:0001/block/mmcblk1"
    fixed = sysfs / "devices/pci0000:00/0000:00:05.0/virtio2/block/vda"
    for disk, removable in ((usb, "1"), (card, "1"), (fixed, "0")):
        (disk / f"{disk.name}1").mkdir(parents=True)
        (disk / "removable").write_text(removable + "\n")
    (sysfs / "class/block").mkdir(parents=True)
    (sysfs / "dev/block").mkdir(parents=True)
    for disk, major in ((usb, "8:17"), (card, "179:25"), (fixed, "254:1")):
        (sysfs / "class/block" / f"{disk.name}1").symlink_to(disk / f"{disk.name}1")
        (sysfs / "dev/block" / major).symlink_to(disk / f"{disk.name}1")
    configured = tmp_path / "stick"
    configured.mkdir()
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
        "30 27 254:1 / /var/lib/callbox rw,relatime - ext4 /dev/vda1 rw\n"
        "31 27 254:1 / /media/data rw,relatime - ext4 /dev/vda1 rw\n"                    # a fixed disk: not a stick
        "40 27 8:17 / /media/callbox-usb-sdb1 rw,nosuid,nodev - vfat /dev/sdb1 rw,uid=999\n"
        "41 27 179:25 / /run/media/ali/YEDEK\\040DİSK rw,nosuid - exfat /dev/mmcblk1p1 rw\n"   # a space, Unicode
        "42 27 8:17 / /mnt/elsewhere rw - vfat /dev/sdb1 rw\n")                           # not under /media
    found = destinations.usb_mounts(str(configured), mountinfo, sysfs)
    assert [m["path"] for m in found] == ["/media/callbox-usb-sdb1", "/run/media/ali/YEDEK DİSK", str(configured)]
    assert [m["name"] for m in found] == ["callbox-usb-sdb1", "YEDEK DİSK", "stick"]
    assert found[0]["free"] is None and found[2]["free"] > 0
    assert destinations.usb_mounts("", tmp_path / "none", sysfs) == []
    assert destinations.check_usb(str(configured), str(configured), mountinfo=mountinfo, sysfs=sysfs) == configured
    with pytest.raises(ValueError, match="not a USB stick"):
        destinations.check_usb("/var/lib/callbox", str(configured), mountinfo=mountinfo, sysfs=sysfs)


@pytest.fixture(scope="module")
def box_a(tmp_path_factory) -> tuple[Path, dict]:
    data = tmp_path_factory.mktemp("box-a")
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    callbox(data, "import", "--driver", "avaya_ipoffice", str(SAMPLE))
    callbox(data, "tariff", "import", str(TARIFF))
    callbox(data, "user", "add", "yönetici", "--admin", "--password-stdin", stdin="a password of the box\n")
    (data / "ftp.pw").write_text(PASSWORD + "\n", encoding="utf-8")
    (data / "ftp.pw").chmod(0o600)
    return data, outputs(data)


def _restores(backup: Path, box: Path, before: dict, web_admin: bool = True) -> None:
    with open(backup, "rb") as f:
        archive.restore(f, box, PASSPHRASE)
    after = outputs(box)
    assert after.pop("ini").startswith(before["ini"])
    assert after.pop("users") == ("admin\tadministrator\tall\t\t\n" if web_admin else "") + before["users"]
    assert after == {k: v for k, v in before.items() if k not in ("ini", "users")}


def _copy(box_a: tuple[Path, dict], tmp_path: Path) -> tuple[Path, dict]:
    """A copy of box A to change (its web adds a user): the module's box stays as its outputs say."""
    data = tmp_path / "box-a"
    shutil.copytree(box_a[0], data)
    return data, box_a[1]


def test_the_backup_page_writes_to_a_usb_stick_and_sends_to_file_servers(box_a, tmp_path):
    data, before = _copy(box_a, tmp_path)
    stick, ftp_root, sftp_root = tmp_path / "USB STİCK", tmp_path / "ftp", tmp_path / "sftp"
    smb_root = tmp_path / "smb"
    for d in (stick, ftp_root, sftp_root):
        d.mkdir()
    ini = (data / "callbox.ini").read_text(encoding="utf-8")
    with FTP(ftp_root) as ftp, SFTPServer(sftp_root, users={"rapor": PASSWORD}) as sftp, \
            SMBServer(tmp_path / "smbd", smb_root, PASSWORD, name="yedek") as smb:
        (data / "upload_known_hosts").write_text(sftp.known_hosts_line())
        (data / "callbox.ini").write_text(
            f"{ini}usb_path = {stick}\n\n[upload]\ntargets =\n"
            f"    ofis-ftp = ftp://rapor@127.0.0.1:{ftp.port}/yedekler?password_file=ftp.pw\n"
            f"    uzak-sftp = sftp://rapor@127.0.0.1:{sftp.port}/yedek?password_file=ftp.pw\n"
            f"    windows = smb://{smb_server.USER}@127.0.0.1:{smb.port}/yedek/Şube yedekleri?password_file=ftp.pw\n"
            f"    kapalı = ftp://rapor@127.0.0.1:9/?password_file=ftp.pw\n", encoding="utf-8")
        try:
            client = webtest.TestApp(make_app(data))
            add_user("admin")
            csrf = login(client, "admin")
            page = client.get("/backup").text
            assert 'value="ofis-ftp"' in page and 'value="uzak-sftp"' in page and f'value="{stick}"' in page
            assert 'id="no-usb-backup"' in page            # the stick holds no backup yet
            form = {"csrf_token": csrf, "passphrase": PASSPHRASE, "passphrase2": PASSPHRASE, "calls": "1"}

            usb = client.post("/backup", {**form, "destination": "usb", "usb": str(stick)}).text
            assert "Backup written to the USB stick USB STİCK: callbox-backup-" in usb
            written = sorted(stick.iterdir())
            assert len(written) == 1 and written[0].suffix == ".cbx"      # no .part left beside it
            assert f'value="{stick}/{written[0].name}"' in usb             # offered for a restore now
            for target in ("ofis-ftp", "uzak-sftp", "windows"):
                sent = client.post("/backup", {**form, "destination": "target", "target": target}).text
                assert f"Backup sent to the file server {target}: callbox-backup-" in sent
            refused = client.post("/backup", {**form, "destination": "target", "target": "kapalı"}, status=502).text
            assert "The file server kapalı did not take the backup" in refused and "connection refused" in refused
            assert PASSWORD not in refused
            elsewhere = client.post("/backup", {**form, "destination": "usb", "usb": str(data)}, status=400).text
            assert "Choose a USB stick the box sees" in elsewhere and not list(data.glob("*.cbx"))
            nowhere = client.post("/backup", {**form, "destination": "target", "target": "yok"}, status=400).text
            assert "Choose a file server" in nowhere
            short = client.post("/backup", {**form, "passphrase": "kısa", "passphrase2": "kısa",
                                            "destination": "usb", "usb": str(stick)}, status=400).text
            assert "at least 10 characters" in short and len(list(stick.iterdir())) == 1
        finally:
            store.close_db()
    assert [op[0] for op in ftp.ops] == ["stored", "rename"] and ftp.ops[0][1].endswith(".part")
    (on_ftp,) = (ftp_root / "yedekler").iterdir()
    (on_sftp,) = (sftp_root / "yedek").iterdir()
    (on_smb,) = (smb_root / "Şube yedekleri").iterdir()      # encrypted SMB 3 session; no .part left beside it
    (data / "callbox.ini").write_text(ini, encoding="utf-8")
    for n, backup in enumerate((written[0], on_ftp, on_sftp, on_smb)):
        _restores(backup, tmp_path / f"check-{n}", before)


def test_a_backup_on_a_usb_stick_restores_on_the_backup_page_and_in_the_first_boot_wizard(box_a, tmp_path):
    data, before = box_a
    stick = tmp_path / "stick"
    stick.mkdir()
    made, _manifest = destinations.to_folder(data, stick, PASSPHRASE, calls=True)
    (stick / "photo.cbx").write_bytes(b"not a backup")
    (stick / ".hidden.cbx.part").write_bytes(b"half")
    assert [b["name"] for b in destinations.backups_on(stick)][0] in (made.name, "photo.cbx")
    assert {b["name"] for b in destinations.backups_on(stick)} == {made.name, "photo.cbx"}
    box_b, box_c = tmp_path / "box-b", tmp_path / "box-c"
    for box in (box_b, box_c):
        box.mkdir()
        (box / "callbox.ini").write_text(f"[box]\nusb_path = {stick}\n", encoding="utf-8")
    try:
        client = webtest.TestApp(make_app(box_b))
        add_user("admin")
        csrf = login(client, "admin")
        page = client.get("/backup").text
        assert f'value="{stick}/{made.name}"' in page and 'id="usb-restore-form"' in page
        form = {"csrf_token": csrf, "source": "usb", "restore_passphrase": PASSPHRASE}
        foreign = client.post("/backup/restore", {**form, "usb_file": f"{stick}/photo.cbx"}, status=400).text
        assert "not a Callbox backup file" in foreign
        outside = client.post("/backup/restore", {**form, "usb_file": f"{box_a[0]}/callbox.db"}, status=400).text
        assert "Choose a backup on the USB stick" in outside
        wrong = client.post("/backup/restore", {**form, "usb_file": f"{stick}/{made.name}",
                                                "restore_passphrase": "not the passphrase"}, status=400).text
        assert "Wrong passphrase" in wrong
        done = client.post("/backup/restore", {**form, "usb_file": f"{stick}/{made.name}"}).text
        assert "The backup is restored" in done
    finally:
        store.close_db()
    assert outputs(box_b) == before
    try:
        app = make_app(box_c)
        code = app.config["callbox.setup_code"]
        client = webtest.TestApp(app)
        details = client.post("/first-boot", {"code": code}).text
        assert f'value="{stick}/{made.name}"' in details and 'action="/first-boot/restore"' in details
        done = client.post("/first-boot/restore", {"code": code, "source": "usb", "usb_file": f"{stick}/{made.name}",
                                                   "restore_passphrase": PASSPHRASE}).text
        assert 'id="first-boot-restored"' in done
    finally:
        store.close_db()
    assert outputs(box_c) == before


def test_callbox_backup_create_usb_writes_into_the_stick_the_box_sees(box_a, tmp_path):
    data, before = _copy(box_a, tmp_path)
    stick = tmp_path / "stick"
    ini = (data / "callbox.ini").read_text(encoding="utf-8")
    refused = callbox(data, "backup", "create", "--usb", "--set", f"box.usb_path={stick}", "--passphrase-stdin",
                      stdin=PASSPHRASE + "\n", code=2)
    assert "no USB stick found" in refused             # the folder is not there: no stick plugged in
    stick.mkdir()
    said = callbox(data, "backup", "create", "--usb", "--calls", "--set", f"box.usb_path={stick}", "--passphrase-stdin",
                   stdin=PASSPHRASE + "\n")
    (made,) = stick.iterdir()
    assert f"backup written to {made}" in said and made.suffix == ".cbx"
    assert (data / "callbox.ini").read_text(encoding="utf-8") == ini
    _restores(made, tmp_path / "check", before, web_admin=False)
