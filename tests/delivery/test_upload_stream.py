"""A big file (a backup with the calls database and the journal: GBs on a 512 MB box) goes to a file server a chunk at
a time, never whole in RAM (issue 19): real servers on loopback (pyftpdlib FTP, paramiko SFTP, Debian's smbd), a
file of many chunks, and the peak of Python's allocations during the upload (tracemalloc) a small part of its size.

The FTP and SFTP servers run in this process, so their buffers count in the peak too: the bound holds for both ends."""
from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pytest
import smbclient   # noqa: F401  imported here, not during a measured upload (the client imports it late)

from appliance import config
from appliance.delivery import upload, upload_clients
import smb_server
from smb_server import SMBServer
from sftp_server import SFTPServer
from test_upload import FTP, PASSWORD, data_dir_with_password

SIZE = 24 << 20                 # 24 MiB: 384 chunks of upload_clients.CHUNK
BOUND = SIZE // 6               # the peak of the upload's allocations stays under 4 MiB (the old code: 24 MiB and more)


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[Path, str]:
    """A SIZE-byte file of every byte value, not repetitive (so no layer can shrink it), and its SHA-256."""
    path = tmp_path_factory.mktemp("big") / "callbox-backup-20261207-120000.cbx"
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        block = hashlib.sha512(b"callbox").digest()
        for i in range(SIZE // (1 << 16)):
            chunk = hashlib.shake_256(block + i.to_bytes(4, "big")).digest(1 << 16)
            digest.update(chunk)
            f.write(chunk)
    return path, digest.hexdigest()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def peak_of_upload(cfg: config.Config, data_dir: Path, target: str, path: str, source: Path) -> int:
    """Upload the file `source` (opened, handed over as a file) and return the peak of the allocations meanwhile."""
    with open(source, "rb") as f:
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            upload.send(cfg, data_dir, target, path, f)
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
        assert f.tell() == SIZE      # read to its end
    return peak


def target_cfg(url: str) -> config.Config:
    return config.Config(
        text=f"[pbx]\ntimezone = Europe/Istanbul\n[upload]\ntargets = yedek = {url}\npath = {{name}}\n")


def test_assumptions():
    assert SIZE >= 64 * upload_clients.CHUNK


def test_a_big_backup_goes_to_ftp_a_chunk_at_a_time(tmp_path, big):
    source, digest = big
    server = tmp_path / "server"
    server.mkdir()
    data_dir = data_dir_with_password(tmp_path)
    with FTP(server) as srv:
        peak = peak_of_upload(target_cfg(f"ftp://rapor@127.0.0.1:{srv.port}/yedekler?password_file=ftp.pw"),
                              data_dir, "yedek", source.name, source)
    assert [p.name for p in (server / "yedekler").iterdir()] == [source.name]
    assert sha256(server / "yedekler" / source.name) == digest
    assert peak < BOUND, f"{peak} bytes allocated at the peak for a {SIZE}-byte file"


def test_a_big_backup_goes_to_sftp_a_chunk_at_a_time(tmp_path, big):
    source, digest = big
    server = tmp_path / "server"
    server.mkdir()
    data_dir = data_dir_with_password(tmp_path)
    with SFTPServer(server, users={"rapor": PASSWORD}) as srv:
        (data_dir / "upload_known_hosts").write_text(srv.known_hosts_line())
        peak = peak_of_upload(target_cfg(f"sftp://rapor@127.0.0.1:{srv.port}/yedekler?password_file=ftp.pw"),
                              data_dir, "yedek", source.name, source)
    assert sha256(server / "yedekler" / source.name) == digest
    assert peak < BOUND, f"{peak} bytes allocated at the peak for a {SIZE}-byte file"


def test_a_big_backup_goes_to_smb_a_chunk_at_a_time(tmp_path, big):
    source, digest = big
    share = tmp_path / "share"
    data_dir = data_dir_with_password(tmp_path)
    with SMBServer(tmp_path / "smbd", share, PASSWORD, name="yedek") as srv:
        url = f"smb://{smb_server.USER}@127.0.0.1:{srv.port}/yedek/Kasım?password_file=ftp.pw"
        peak = peak_of_upload(target_cfg(url), data_dir, "yedek", source.name, source)
    assert [p.name for p in (share / "Kasım").iterdir()] == [source.name]
    assert sha256(share / "Kasım" / source.name) == digest
    assert peak < BOUND, f"{peak} bytes allocated at the peak for a {SIZE}-byte file"
