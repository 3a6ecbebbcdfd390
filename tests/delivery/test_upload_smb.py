"""Report export to an SMB (Windows) share against a real server on loopback: Debian's samba smbd."""
from __future__ import annotations

from pathlib import Path

import pytest

from appliance import config
from appliance.delivery import outbox, upload
import smb_server
from smb_server import SMBServer
from test_upload import DATA, NAME, PASSWORD, data_dir_with_password, tree

MARKER = b"CALLBOX-PLAIN-TEXT-MARKER " * 40   # easy to find on the wire if it ever travels in clear


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return data_dir_with_password(tmp_path)


@pytest.fixture
def share(tmp_path) -> Path:
    return tmp_path / "share"


def cfg(url: str, path: str = "{name}") -> config.Config:
    return config.Config(text=f"[pbx]\ntimezone = Europe/Istanbul\n[upload]\ntargets = arsiv = {url}\npath = {path}\n")


def url(port: int, where: str = "reports/Mali İşler", options: str = "") -> str:
    return f"smb://{smb_server.USER}@127.0.0.1:{port}/{where}?password_file=ftp.pw{options}"


def test_smb_writes_the_bytes_under_utf8_names_creating_directories(tmp_path, share, data_dir):
    with SMBServer(tmp_path / "smbd", share, PASSWORD) as srv:
        c = cfg(url(srv.port))
        upload.send(c, data_dir, "arsiv", f"2026/Kasım/{NAME}", DATA)
        upload.send(c, data_dir, "arsiv", f"2026/Kasım/{NAME}", DATA[::-1])   # a second run replaces it
    assert tree(share) == {f"Mali İşler/2026/Kasım/{NAME}": DATA[::-1]}      # no temporary file left


def test_smb_session_is_encrypted_unless_the_target_says_encrypt_no(tmp_path, share, data_dir):
    """A relay keeps what the client sent: the report's bytes never travel in clear by default. With
    encrypt=no (the server does not demand it here) they do, which shows the relay would see them."""
    with SMBServer(tmp_path / "smbd", share, PASSWORD) as srv:
        relay = smb_server.Relay(srv.port)
        try:
            upload.send(cfg(url(relay.port, "reports")), data_dir, "arsiv", "secret.csv", MARKER)
            assert MARKER[:26] not in relay.sent and len(relay.sent) > len(MARKER)
            upload.send(cfg(url(relay.port, "reports", "&encrypt=no")), data_dir, "arsiv", "clear.csv", MARKER)
            assert MARKER[:26] in relay.sent
        finally:
            relay.close()
    assert tree(share) == {"secret.csv": MARKER, "clear.csv": MARKER}


def test_a_server_without_smb3_encryption_is_refused_unless_encrypt_no(tmp_path, share, data_dir):
    with SMBServer(tmp_path / "smbd", share, PASSWORD, encrypt="off", max_protocol="SMB2_10") as srv:
        with pytest.raises(upload.UploadError, match="encryption is demanded and needs SMB 3.*encrypt=no"):
            upload.send(cfg(url(srv.port, "reports")), data_dir, "arsiv", "a.csv", DATA)
        assert tree(share) == {}
        upload.send(cfg(url(srv.port, "reports", "&encrypt=no")), data_dir, "arsiv", "a.csv", DATA)
    assert tree(share) == {"a.csv": DATA}


def test_wrong_password_and_missing_share_are_clear_errors(tmp_path, share, data_dir, caplog):
    with SMBServer(tmp_path / "smbd", share, PASSWORD) as srv:
        (data_dir / "ftp.pw").write_text("Yanlış-parola-77\n", encoding="utf-8")
        with pytest.raises(upload.UploadError) as e:
            upload.send(cfg(url(srv.port)), data_dir, "arsiv", "a.csv", DATA)
        user = smb_server.USER
        assert f"smb://{user}@127.0.0.1:{srv.port}: login refused for user '{user}'" in str(e.value)
        assert "Yanlış" not in str(e.value) and "Yanlış" not in caplog.text
        (data_dir / "ftp.pw").write_text(PASSWORD + "\n", encoding="utf-8")
        with pytest.raises(upload.UploadError, match="the server has no share 'raporlar'"):
            upload.send(cfg(url(srv.port, "raporlar")), data_dir, "arsiv", "a.csv", DATA)
    assert tree(share) == {}


def test_queue_delivers_to_the_share_through_the_outbox(db, tmp_path, share, data_dir):
    t0 = 1_793_484_000    # 2026-10-31 21:00 UTC = 2026-11-01 00:00 in Istanbul
    with SMBServer(tmp_path / "smbd", share, PASSWORD) as srv:
        c = cfg(url(srv.port, "reports"), path="{branch}/{date:%Y-%m}/{name}")
        upload.queue("arsiv", NAME, DATA, key="monthly-2026-10", branch="İzmir/Alsancak", now=t0)
        assert outbox.deliver_due(c, data_dir) == (1, 0)
    assert tree(share) == {f"İzmir-Alsancak/2026-11/{NAME}": DATA}
    [item] = outbox.items()
    assert item.state == "delivered"
