"""Report export to file servers against real servers on loopback: pyftpdlib (FTP, FTPS) and paramiko (SFTP)."""
from __future__ import annotations

import os
import socket
import threading
import warnings
from datetime import timezone
from pathlib import Path

import paramiko
import pytest

from appliance import config
from appliance.cli import main as cli
from appliance.delivery import outbox, upload
from appliance.store import outbox as so
from sftp_server import SFTPServer
from appliance import localtime

with warnings.catch_warnings():   # pyftpdlib 2.2 on 3.11 uses asyncore/asynchat: harmless (STACK.md §8)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import FTPServer

PASSWORD = "Gizli-Şifre 9!"           # non-ASCII, with a space: read from its file as it is
DATA = bytes(range(256)) * 1200 + b"\r\n\x00\x1a end"   # ~300 kB of every byte value, CR/LF, NUL, ^Z
NAME = "Çağrı raporu – İzmir şubesi.pdf"                # Turkish letters and an en dash


class FTP:
    """A pyftpdlib server in a thread, serving `root` to user 'rapor'; `ops` logs uploads and renames."""

    def __init__(self, root: Path, cert=None):
        ops: list[tuple] = []
        base = TLS_FTPHandler if cert else FTPHandler

        class Handler(base):
            def on_file_received(self, file):
                ops.append(("stored", os.path.relpath(file, root)))

            def ftp_RNTO(self, path):
                ops.append(("rename", os.path.relpath(self._rnfr, root), os.path.relpath(path, root)))
                return super().ftp_RNTO(path)

        auth = DummyAuthorizer()
        auth.add_user("rapor", PASSWORD, str(root), perm="elradfmw")
        Handler.authorizer = auth
        Handler.auth_failed_timeout = 0.05   # pyftpdlib waits 3 s after a failed login by default
        if cert:
            Handler.certfile, Handler.keyfile = str(cert[0]), str(cert[1])
            Handler.tls_control_required = Handler.tls_data_required = True   # refuses a client without TLS
        self.root, self.ops = root, ops
        self.server = FTPServer(("127.0.0.1", 0), Handler, ioloop=IOLoop())
        self.port = self.server.address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"timeout": 0.1}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.close_all()
        self.thread.join(5)


@pytest.fixture
def files(tmp_path) -> Path:
    root = tmp_path / "server"
    root.mkdir()
    return root


def data_dir_with_password(tmp_path: Path) -> Path:
    """<tmp>/data holding the servers' password in ftp.pw (the targets' password_file)."""
    d = tmp_path / "data"
    d.mkdir()
    (d / "ftp.pw").write_text(PASSWORD + "\n", encoding="utf-8")
    return d


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return data_dir_with_password(tmp_path)


def cfg(urls: dict[str, str], **upload_keys) -> config.Config:
    lines = "".join(f"    {name} = {url}\n" for name, url in urls.items())
    keys = {"targets": "\n" + lines, "path": "{name}", **upload_keys}
    return config.Config(text="[pbx]\ntimezone = Europe/Istanbul\n[upload]\n" +
                         "".join(f"{k} = {v}\n" for k, v in keys.items()))


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- FTP and FTPS --------------------------------------------------------------------------------------------

def test_ftp_writes_the_bytes_under_utf8_names_creating_directories(files, data_dir):
    with FTP(files) as srv:
        c = cfg({"arsiv": f"ftp://rapor@127.0.0.1:{srv.port}/raporlar/şube?password_file=ftp.pw"})
        upload.send(c, data_dir, "arsiv", f"2026/Kasım/{NAME}", DATA)
        upload.send(c, data_dir, "arsiv", f"2026/Kasım/{NAME}", DATA[::-1])   # a second run replaces it
    final = f"raporlar/şube/2026/Kasım/{NAME}"
    assert tree(files) == {final: DATA[::-1]}
    part = f"raporlar/şube/2026/Kasım/.{NAME}.part"
    assert srv.ops == [("stored", part), ("rename", part, final)] * 2   # written under the temporary name


def test_ftps_needs_tls_and_checks_the_certificate(files, data_dir, cert):
    with FTP(files, cert) as srv:
        url = f"ftps://rapor@127.0.0.1:{srv.port}/out?password_file=ftp.pw&ca_file={cert[0]}"
        upload.send(cfg({"tls": url}), data_dir, "tls", NAME, DATA)
        assert tree(files) == {f"out/{NAME}": DATA}

        plain = url.replace(f"&ca_file={cert[0]}", "")
        with pytest.raises(upload.UploadError, match="TLS certificate is not trusted.*ca_file="):
            upload.send(cfg({"tls": plain}), data_dir, "tls", "x.csv", DATA)
        with pytest.raises(upload.UploadError, match="login refused"):   # the server requires TLS
            upload.send(cfg({"plain": plain.replace("ftps", "ftp")}), data_dir, "plain", "x.csv", DATA)
    assert tree(files) == {f"out/{NAME}": DATA}


def test_ftp_wrong_password_is_a_clear_error_without_the_password(files, data_dir, caplog):
    (data_dir / "ftp.pw").write_text("Yanlış-parola-77\n", encoding="utf-8")
    with FTP(files) as srv:
        with pytest.raises(upload.UploadError) as e:
            upload.send(cfg({"a": f"ftp://rapor@127.0.0.1:{srv.port}/?password_file=ftp.pw"}), data_dir, "a",
                        "x.csv", DATA)
    assert f"ftp://rapor@127.0.0.1:{srv.port}: login refused for user 'rapor' (530" in str(e.value)
    assert "Yanlış" not in str(e.value) and "Yanlış" not in caplog.text
    assert tree(files) == {}


def test_ftp_server_down_names_the_server(data_dir):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(upload.UploadError, match=f"127.0.0.1:{port}: connecting: connection refused"):
        upload.send(cfg({"a": f"ftp://rapor@127.0.0.1:{port}/?password_file=ftp.pw"}), data_dir, "a", "x", b"1")


# --- SFTP ---------------------------------------------------------------------------------------------------

def sftp_cfg(srv: SFTPServer, data_dir: Path, path="/yedek/raporlar", auth="password_file=ftp.pw",
             known=True) -> config.Config:
    if known:
        (data_dir / "upload_known_hosts").write_text(srv.known_hosts_line())
    return cfg({"sftp": f"sftp://rapor@127.0.0.1:{srv.port}{path}?{auth}"})


def test_sftp_password_writes_bytes_under_utf8_names_via_a_temporary_name(files, data_dir):
    with SFTPServer(files, users={"rapor": PASSWORD}) as srv:
        c = sftp_cfg(srv, data_dir)
        upload.send(c, data_dir, "sftp", f"İstanbul/2026-11/{NAME}", DATA)
        upload.send(c, data_dir, "sftp", f"İstanbul/2026-11/{NAME}", DATA[:10])
    final = f"/yedek/raporlar/İstanbul/2026-11/{NAME}"
    assert tree(files) == {final[1:]: DATA[:10]}
    part = final.replace(NAME, f".{NAME}.part")
    writes = [op for op in srv.ops if op[0] in ("open", "posix_rename", "rename")]
    assert writes == [("open", part, "w"), ("posix_rename", part, final)] * 2
    assert [op[1] for op in srv.ops if op[0] == "mkdir"] == [
        "/yedek", "/yedek/raporlar", "/yedek/raporlar/İstanbul", "/yedek/raporlar/İstanbul/2026-11"]


def test_sftp_key_login_and_home_relative_directory(files, data_dir):
    key = paramiko.ECDSAKey.generate()
    key.write_private_key_file(str(data_dir / "upload_key"))
    with SFTPServer(files, keys={"rapor": key}) as srv:
        upload.send(sftp_cfg(srv, data_dir, path="/~/çıktı", auth="key_file=upload_key"), data_dir, "sftp",
                    "a.csv", DATA)
    assert tree(files) == {"çıktı/a.csv": DATA}


def test_sftp_without_posix_rename_replaces_the_old_file(files, data_dir):
    (files / "old.csv").write_bytes(b"old")
    with SFTPServer(files, users={"rapor": PASSWORD}, posix_rename=False) as srv:
        upload.send(sftp_cfg(srv, data_dir, path="/"), data_dir, "sftp", "old.csv", DATA)
    assert tree(files) == {"old.csv": DATA}
    assert [op for op in srv.ops if op[0] in ("remove", "rename")] == [
        ("remove", "/old.csv"), ("rename", "/.old.csv.part", "/old.csv")]


def test_sftp_failed_write_never_shows_a_half_file_under_the_final_name(files, data_dir):
    (files / "r.pdf").write_bytes(b"last month's, complete")
    with SFTPServer(files, users={"rapor": PASSWORD}, quota=100_000) as srv:
        with pytest.raises(upload.UploadError, match=r"writing \.r\.pdf\.part: size mismatch"):
            upload.send(sftp_cfg(srv, data_dir, path="/"), data_dir, "sftp", "r.pdf", DATA)
    assert (files / "r.pdf").read_bytes() == b"last month's, complete"
    assert not any(op[0] in ("rename", "posix_rename") for op in srv.ops)


def test_sftp_unknown_host_key_is_refused_with_its_fingerprint(files, data_dir):
    with SFTPServer(files, users={"rapor": PASSWORD}) as srv:
        c = sftp_cfg(srv, data_dir, known=False)
        with pytest.raises(upload.UploadError, match="cannot read the known_hosts file .*ssh-keyscan"):
            upload.send(c, data_dir, "sftp", "a.csv", DATA)
        (data_dir / "upload_known_hosts").write_text("[127.0.0.1]:1 " + srv.known_hosts_line().split(" ", 1)[1])
        with pytest.raises(upload.UploadError) as e:
            upload.send(c, data_dir, "sftp", "a.csv", DATA)
    assert "host key not in" in str(e.value) and srv.host_key.fingerprint in str(e.value)
    assert srv.known_hosts_line().strip() in str(e.value)             # the line to add, once verified
    assert (data_dir / "upload_known_hosts").read_text().startswith("[127.0.0.1]:1 ")   # never written to
    assert srv.ops == [] and tree(files) == {}


def test_sftp_changed_host_key_is_refused(files, data_dir):
    with SFTPServer(files, users={"rapor": PASSWORD}) as srv:
        c = sftp_cfg(srv, data_dir)
        other = paramiko.ECDSAKey.generate()
        (data_dir / "upload_known_hosts").write_text(f"[127.0.0.1]:{srv.port} {other.get_name()} "
                                                     f"{other.get_base64()}\n")
        with pytest.raises(upload.UploadError, match="host key CHANGED"):
            upload.send(c, data_dir, "sftp", "a.csv", DATA)
    assert srv.ops == []


def test_sftp_wrong_password(files, data_dir, caplog):
    (data_dir / "ftp.pw").write_text("Yanlış-parola-77")
    with SFTPServer(files, users={"rapor": PASSWORD}) as srv:
        with pytest.raises(upload.UploadError, match="login refused for user 'rapor'") as e:
            upload.send(sftp_cfg(srv, data_dir), data_dir, "sftp", "a.csv", DATA)
    assert "Yanlış" not in str(e.value) and "Yanlış" not in caplog.text


# --- Through the outbox -------------------------------------------------------------------------------------

def only_item() -> so.OutboxItem:
    [item] = outbox.items()
    return item


def test_queue_delivers_through_the_outbox_with_the_path_template(db, files, data_dir):
    t0 = 1_793_484_000    # 2026-10-31 21:00 UTC = 2026-11-01 00:00 in Istanbul: the PBX zone's month counts
    with SFTPServer(files, users={"rapor": PASSWORD}) as srv:
        c = sftp_cfg(srv, data_dir, path="/")
        c.set("upload", "path", "reports/{branch}/{date:%Y-%m}/{name}")
        first = upload.queue("sftp", NAME, DATA, key="monthly-2026-10", branch="İzmir/Alsancak", now=t0)
        assert upload.queue("sftp", NAME, DATA, key="monthly-2026-10", now=t0) == first   # deduped
        assert outbox.deliver_due(c, data_dir) == (1, 0)
    assert tree(files) == {f"reports/İzmir-Alsancak/2026-11/{NAME}": DATA}
    assert only_item().state == "delivered"


def test_wrong_password_keeps_the_item_for_retry_then_delivers(db, files, data_dir):
    (data_dir / "ftp.pw").write_text("wrong\n")
    with FTP(files) as srv:
        c = cfg({"arsiv": f"ftp://rapor@127.0.0.1:{srv.port}/?password_file=ftp.pw"})
        upload.queue("arsiv", "a.csv", DATA, now=2_000_000_000)
        assert outbox.deliver_due(c, data_dir, now=2_000_000_000) == (0, 1)
        item = only_item()
        assert item.state == "pending" and item.attempts == 1 and "login refused for user 'rapor'" in item.last_error
        assert tree(files) == {}
        (data_dir / "ftp.pw").write_text(PASSWORD + "\n")     # the admin fixes the password file
        assert outbox.deliver_due(c, data_dir, now=2_000_000_000 + 3600) == (1, 0)
    assert tree(files) == {"a.csv": DATA}


def test_unknown_target_fails_in_the_outbox_naming_it(db, data_dir):
    upload.queue("nowhere", "a.csv", b"x")
    assert outbox.deliver_due(cfg({}), data_dir) == (0, 1)
    assert "no upload target 'nowhere' in [upload] targets" in only_item().last_error


# --- Configuration ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, problem", [
    ("a = ftp://u:pw@h/", "no password in the URL"),
    ("a = http://h/", "'http' is not one of ftp://"),
    ("a = ftp://h/?passwd_file=x", "unknown option(s) passwd_file for ftp"),
    ("a = ftp://h/?key_file=x", "unknown option(s) key_file"),
    ("a = sftp://h/?password_file=x", "sftp needs a user"),
    ("a = sftp://u@h/", "sftp needs a user (sftp://USER@HOST/...) and password_file= or key_file="),
    ("a = smb://u@h/share", "smb needs a user (smb://USER@HOST/SHARE/...) and password_file="),
    ("a = smb://u@h/?password_file=p", "the URL names no share"),
    ("a = smb://u@h/s?password_file=p&encrypt=maybe", "encrypt='maybe': yes or no"),
    ("a = smb://u@h/s?password_file=p&key_file=k", "unknown option(s) key_file for smb"),
    ("a = ftp://h:99999/", "Port out of range"),
    ("a b = ftp://h/", "a target name is letters"),
    ("just-a-name", "line 1: expected NAME = URL"),
])
def test_bad_targets_name_the_line_and_problem(line, problem):
    with pytest.raises(config.ConfigError) as e:
        upload.targets(cfg({}, targets=line))
    assert problem in str(e.value) and "[upload] targets" in str(e.value)


def test_a_name_given_twice_is_refused():
    with pytest.raises(config.ConfigError, match="line 2 'a': the name is given twice"):
        upload.parse_targets("a = ftp://h/\na = ftp://g/")


@pytest.mark.parametrize("url, absolute, dirs", [
    ("ftp://h", False, ()), ("ftp://h/a/b/", False, ("a", "b")), ("ftp://h//srv/x", True, ("srv", "x")),
    ("ftp://h/%2Fsrv", True, ("srv",)), ("ftp://h/Mali%20İşler", False, ("Mali İşler",)),
    ("sftp://u@h/srv/x?key_file=k", True, ("srv", "x")), ("sftp://u@h/~/x?key_file=k", False, ("x",)),
    ("sftp://u@h?key_file=k", False, ()),
    ("smb://u@h/Raporlar/2026?password_file=p", True, ("Raporlar", "2026")),
])
def test_directories_read_like_curl(url, absolute, dirs):
    t = upload.parse_targets(f"t = {url}")["t"]
    assert (t.absolute, t.dirs) == (absolute, dirs)


@pytest.mark.parametrize("template, problem", [
    ("{date:%Y}/{who}/{name}", "unknown field(s) who"),
    ("{date:%Y}/report.pdf", "must contain {name}"),
    ("../{name}", "'.' or '..' parts"),
    ("{date:%Y}//{name}", "empty"),
    ("{name", "expected '}'"),
])
def test_bad_path_templates_are_config_errors(template, problem):
    with pytest.raises(config.ConfigError, match=r"\[upload\] path") as e:
        upload.targets(cfg({}, path=template))
    assert problem in str(e.value)


def test_render_path_uses_the_local_date_and_a_safe_branch():
    tz = localtime.zone("Europe/Istanbul")
    path = upload.render_path("{target}/{branch}/{date:%Y-%m-%d}/{name}", name="a.pdf", when_utc=1_793_484_000,
                              tz=tz, branch="Ankara\\Çankaya/2", target="arsiv")
    assert path == "arsiv/Ankara-Çankaya-2/2026-11-01/a.pdf"
    assert upload.render_path("{branch}/{date:%Y-%m-%d}/{name}", name="a.pdf", when_utc=1_793_484_000,
                              tz=timezone.utc) == "all/2026-10-31/a.pdf"


@pytest.mark.parametrize("filename", ["", "..", "a/b.pdf", "a\\b.pdf", "a\nb.pdf"])
def test_queue_refuses_a_file_name_with_a_directory_or_control_characters(db, filename):
    with pytest.raises(ValueError, match="plain name"):
        upload.queue("t", filename, b"x")


def test_the_default_template_files_by_month_of_the_pbx_zone():
    c = config.Config(text="[pbx]\ntimezone = Europe/Istanbul\n")
    assert upload.render_path(c.section("upload").path, name="a.pdf", when_utc=1_793_484_000,
                              tz=localtime.zone("Europe/Istanbul")) == "2026-11/a.pdf"


# --- The command line ---------------------------------------------------------------------------------------

def write_ini(data_dir: Path, targets: str) -> None:
    (data_dir / "callbox.ini").write_text(f"[upload]\ntargets =\n    {targets}\npath = {{branch}}/{{name}}\n",
                                          encoding="utf-8")


def test_cli_lists_tests_and_queues(db, files, data_dir, capsys):
    with FTP(files) as srv:
        write_ini(data_dir, f"arsiv = ftp://rapor@127.0.0.1:{srv.port}/dış?password_file=ftp.pw")
        assert cli.main(["upload", "targets", "--data", str(data_dir)]) == 0
        assert capsys.readouterr().out == f"arsiv\tftp://rapor@127.0.0.1:{srv.port}\t~/dış\n"
        assert cli.main(["upload", "test", "--data", str(data_dir), "arsiv"]) == 0
        [test_file] = tree(files)
        assert test_file.startswith("dış/callbox-test-") and f"to arsiv as {test_file[4:]}" in capsys.readouterr().out
        report = data_dir / "Özet.csv"
        report.write_bytes(DATA)
        assert cli.main(["upload", "queue", "--data", str(data_dir), "--branch", "Bursa", "arsiv", str(report)]) == 0
        assert outbox.deliver_due(config.load(None, data_dir), data_dir) == (1, 0)
    assert tree(files)["dış/Bursa/Özet.csv"] == DATA


def test_cli_test_failure_exits_1_with_the_reason(data_dir, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    write_ini(data_dir, f"a = sftp://rapor@127.0.0.1:{port}/x?key_file=missing.key")
    assert cli.main(["upload", "test", "--data", str(data_dir), "a"]) == 1
    assert f"a: key_file {data_dir}/missing.key: No such file or directory" in capsys.readouterr().err
    (data_dir / "open.key").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n", encoding="utf-8")
    (data_dir / "open.key").chmod(0o644)
    write_ini(data_dir, f"a = sftp://rapor@127.0.0.1:{port}/x?key_file=open.key")
    assert cli.main(["upload", "test", "--data", str(data_dir), "a"]) == 1
    assert f"a: key_file {data_dir}/open.key may be read by other users (mode 0644)" in capsys.readouterr().err
    assert cli.main(["upload", "queue", "--data", str(data_dir), "b", str(data_dir / "ftp.pw")]) == 2
    assert "no upload target 'b'" in capsys.readouterr().err
