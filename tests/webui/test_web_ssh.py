"""SSH for maintenance (issue 19): off until an administrator pastes public keys on /ssh and turns it on with their
own password. The keys are checked (appliance.firstboot.ssh: ssh-ed25519, ECDSA, RSA of 3072 bits or more, decoded
and checked against their type) and written to <data>/ssh/ for the image's root-owned callbox-ssh.service; keys made
by the real ssh-keygen here."""
from __future__ import annotations

import base64
import struct
import subprocess

import pytest

from appliance.firstboot import ssh
from web_helpers import PASSWORD, logged_in


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, str]:
    """Public key lines from ssh-keygen: {name: line}."""
    d = tmp_path_factory.mktemp("keys")
    made = {}
    for name, args in {"ed25519": ["-t", "ed25519"], "ecdsa256": ["-t", "ecdsa", "-b", "256"],
                       "ecdsa521": ["-t", "ecdsa", "-b", "521"], "rsa3072": ["-t", "rsa", "-b", "3072"],
                       "rsa2048": ["-t", "rsa", "-b", "2048"], "dsa": ["-t", "dsa"]}.items():
        done = subprocess.run(["ssh-keygen", "-q", "-N", "", "-C", f"{name} Ünïcode@laptop", "-f", str(d / name),
                               *args], capture_output=True)
        if done.returncode == 0:        # OpenSSH 9.x may no longer make DSA keys
            made[name] = (d / f"{name}.pub").read_text(encoding="utf-8").strip()
    return made


def fingerprint(line: str) -> str:
    done = subprocess.run(["ssh-keygen", "-l", "-f", "-"], input=line + "\n", capture_output=True, text=True,
                          check=True)
    return done.stdout.split()[1]


def test_accepted_keys_are_read_as_ssh_keygen_reads_them(keys):
    for name, bits in (("ed25519", 256), ("ecdsa256", 256), ("ecdsa521", 521), ("rsa3072", 3072)):
        [key] = ssh.parse("\n# a comment line\n\n  " + keys[name] + "  \r\n")
        assert key.bits == bits and key.comment == f"{name} Ünïcode@laptop", key
        assert key.fingerprint() == fingerprint(keys[name]) and key.line() == keys[name]
    both = ssh.parse(f"{keys['ed25519']}\n{keys['rsa3072']}\n{keys['ed25519']}\n")
    assert [k.kind for k in both] == ["ssh-ed25519", "ssh-rsa"]          # the same key twice: kept once
    assert ssh.parse_line(keys["ed25519"].rsplit(" ", 2)[0]).comment == ""


def wire(*parts: bytes) -> str:
    return base64.b64encode(b"".join(struct.pack(">I", len(p)) + p for p in parts)).decode()


@pytest.mark.parametrize("line, reason", [
    ("hello", "format"),
    ("ssh-ed25519", "format"),
    ('from="10.0.0.1" ssh-ed25519 AAAA', "format"),                          # options before the key
    ("ssh-dss " + wire(b"ssh-dss", b"p", b"q", b"g", b"y"), "type"),
    ("sk-ssh-ed25519@openssh.com AAAA", "type"),
    ("ssh-ed25519-cert-v01@openssh.com AAAA", "type"),
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", "damaged"),                    # cut short
    ("ssh-ed25519 not*base64", "damaged"),
    ("ssh-ed25519 " + wire(b"ssh-ed25519", b"x" * 31), "damaged"),           # 31 bytes, not 32
    ("ssh-ed25519 " + wire(b"ssh-rsa", b"\x01\x00\x01", b"\x01" * 384), "damaged"),   # another type's bytes
    ("ecdsa-sha2-nistp256 " + wire(b"ecdsa-sha2-nistp256", b"nistp384", b"\x04" + b"x" * 64), "damaged"),
    ("ssh-rsa " + wire(b"ssh-rsa", b"\x01\x00\x01", b"\x01" + b"\xff" * 255 + b"\x01"), "rsa_short"),
    ("ssh-ed25519 " + wire(b"ssh-ed25519", b"x" * 32) + " bell\x07", "format"),
    ("ssh-rsa " + "A" * 20000, "long"),
])
def test_anything_else_is_refused_with_its_reason(line, reason):
    with pytest.raises(ssh.BadKey) as refused:
        ssh.parse("\n" + line)
    assert refused.value.reason == reason and refused.value.line == 2


def test_short_rsa_keys_and_too_many_keys(keys):
    with pytest.raises(ssh.BadKey) as short:
        ssh.parse(keys["rsa2048"])
    assert (short.value.reason, short.value.bits) == ("rsa_short", 2048)
    many = "\n".join("ssh-ed25519 " + wire(b"ssh-ed25519", bytes([i]) * 32) for i in range(ssh.MAX_KEYS + 1))
    with pytest.raises(ssh.BadKey, match="count"):
        ssh.parse(many)


def test_the_page_turns_ssh_on_with_the_password_and_writes_the_keys(client, csrf, data_dir, keys):
    page = client.get("/ssh")
    assert 'id="ssh-setting">off<' in page.text and "not on this box" in page.text
    assert client.get("/api/ssh").json == {"enabled": False, "user": "maint", "applied": {}, "keys": []}
    form = {"keys": keys["ed25519"] + "\n" + keys["rsa3072"], "enabled": "on", "csrf_token": csrf}
    wrong = client.post("/ssh", {**form, "password": "not it"}, status=403)
    assert "Wrong password" in wrong.text and not (data_dir / "ssh").exists()
    assert keys["rsa3072"] in wrong.text                                        # the paste is kept
    done = client.post("/ssh", {**form, "password": PASSWORD})
    assert "being turned on" in done.text and 'id="ssh-setting">on<' in done.text
    folder = data_dir / "ssh"
    assert (folder / "state").read_text() == "on\n"
    assert (folder / "authorized_keys").read_text(encoding="utf-8") == keys["ed25519"] + "\n" + keys["rsa3072"] + "\n"
    assert (folder / "authorized_keys").stat().st_mode & 0o777 == 0o600 and folder.stat().st_mode & 0o777 == 0o700
    state = client.get("/api/ssh").json
    assert [k["fingerprint"] for k in state["keys"]] == [fingerprint(keys["ed25519"]), fingerprint(keys["rsa3072"])]
    # what the image's apply-ssh wrote: shown with the host keys to compare
    (folder / "applied.json").write_text('{"running": true, "keys": 2, "refused": 0, "at": "2026-12-07T09:00:00Z",'
                                         ' "host_keys": ["256 SHA256:abc callbox (ED25519)"]}')
    page = client.get("/ssh")
    assert 'id="ssh-running">running' in page.text and "SHA256:abc callbox (ED25519)" in page.text
    assert "ssh maint@localhost" in page.text
    off = client.post("/ssh", {"keys": keys["ed25519"], "password": PASSWORD, "csrf_token": csrf})
    assert "being turned off" in off.text and (folder / "state").read_text() == "off\n"


def test_bad_keys_are_refused_with_a_clear_message_and_nothing_changes(client, csrf, data_dir, keys):
    def post(text: str, enabled: str = "on"):
        return client.post("/ssh", {"keys": text, "enabled": enabled, "password": PASSWORD, "csrf_token": csrf},
                           status=400).text
    assert "Line 2: this RSA key has 2048 bits: at least 3072" in post(keys["ed25519"] + "\n" + keys["rsa2048"])
    assert "ssh-dss keys are not accepted" in post("ssh-dss " + wire(b"ssh-dss", b"p"))
    assert "Line 1: not a public key as ssh-keygen writes it" in post("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert "damaged or cut short" in post(keys["ed25519"][:60])
    assert "paste at least one public key" in post("")
    assert not (data_dir / "ssh").exists()
    client.post("/ssh", {"keys": "", "password": PASSWORD}, status=403)    # no CSRF token
    assert not (data_dir / "ssh").exists()


def test_only_administrators_of_the_whole_box(app, client, csrf, data_dir):
    for role in ("administrator", "supervisor"):        # an administrator of one tenant; a supervisor
        other, token = logged_in(app, f"{role}-of-a-tenant", role, "tenant")
        other.get("/ssh", status=403)
        other.get("/api/ssh", status=403)
        other.post("/ssh", {"keys": "", "password": PASSWORD, "csrf_token": token}, status=403)
    assert not (data_dir / "ssh").exists()


def test_the_ssh_page_speaks_every_language(client, csrf, data_dir, keys):
    from i18n_helpers import english_left
    client.post("/ssh", {"keys": keys["ed25519"], "enabled": "on", "password": PASSWORD, "csrf_token": csrf})
    (data_dir / "ssh" / "applied.json").write_text('{"running": true, "keys": 1, "refused": 1, "host_keys": []}')
    for lang in ("tr", "bg", "az", "cs", "nb"):
        assert english_left(client.get(f"/ssh?lang={lang}").text, lang) == []
        refused = client.post(f"/ssh?lang={lang}", {"keys": keys["rsa2048"], "enabled": "on", "password": PASSWORD,
                                                    "csrf_token": csrf}, status=400)
        assert "2048" in refused.text and english_left(refused.text, lang) == [], lang
