"""The data directory is its user's alone: folders 0700, databases, journal and logs 0600 (issue 13)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from conftest import REPO
from test_pipeline import ipo


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_what_a_command_creates_is_private_and_an_open_data_directory_is_closed(tmp_path):
    capture = tmp_path / "smdr.log"
    capture.write_bytes(ipo("2024/04/02 10:00:00", call_id=1))
    data = tmp_path / "var"
    cmd = [sys.executable, "-m", "appliance.cli", "import", "--driver", "avaya_ipoffice", "--data", str(data),
           str(capture)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    made = [data, *data.rglob("*")]
    assert any(p.name == "callbox.db" for p in made) and any(p.suffix == ".seg" for p in made)
    for p in made:
        assert mode(p) & 0o077 == 0, f"{p.relative_to(tmp_path)} is {oct(mode(p))}"
    data.chmod(0o755)   # a directory someone opened by hand: the next command closes it again
    subprocess.run(cmd, cwd=REPO, capture_output=True, check=True)
    assert mode(data) == 0o700


def test_the_units_say_the_same():
    for unit in sorted((REPO / "image" / "systemd").glob("*.service")):
        assert "\nUMask=0077\n" in unit.read_text(encoding="utf-8"), unit.name


def test_a_secret_file_is_its_first_line_and_refused_when_others_may_read_it(tmp_path):
    """Issue 13: secrets are refused when group or others may read them, as ssh refuses such a private key."""
    from appliance.paths import SecretFileError, read_secret
    secret = tmp_path / "smtp.pass"
    secret.write_bytes("\ufeffŞifre ends in a space \r\nsecond line\n".encode("utf-8"))
    for m in (0o600, 0o400):
        secret.chmod(m)
        assert read_secret(secret, "[mail] password_file") == "Şifre ends in a space "
    for m in (0o640, 0o604, 0o644, 0o660):
        secret.chmod(m)
        with pytest.raises(SecretFileError) as e:
            read_secret(secret, "[mail] password_file")
        assert str(e.value) == (f"[mail] password_file {secret} may be read by other users (mode {m:04o}): "
                                f"chmod 600 {secret}")
        assert "Şifre" not in str(e.value)
    (tmp_path / "empty").write_text("\n")
    for name, says in (("empty", "is empty"), ("missing", "No such file or directory")):
        with pytest.raises(SecretFileError, match=says):
            read_secret(tmp_path / name, "x")
