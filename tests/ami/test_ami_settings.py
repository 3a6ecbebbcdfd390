"""[ami] settings: no host = no AMI; the secret comes from a 0600 file; a bad interface template is refused."""
import os

import pytest

from appliance import config
from appliance.ami.feed import read_settings


def cfg(text):
    return config.Config(text=text)


def test_no_host_means_no_ami_but_the_panel_settings(tmp_path):
    link, panel = read_settings(cfg("[ami]\nqueues = support, sales\npause_reasons = Mola, Öğle arası\n"), tmp_path)
    assert link is None
    assert panel.queues == ("support", "sales") and panel.pause_reasons == ("Mola", "Öğle arası")
    assert panel.interface_of("201") == "PJSIP/201"


def test_the_secret_is_read_from_a_private_file(tmp_path):
    secret = tmp_path / "ami.secret"
    secret.write_text("pa ss\n")
    os.chmod(secret, 0o600)
    link, _ = read_settings(cfg("[ami]\nhost = 10.0.0.5\nusername = callbox\nsecret_file = ami.secret\n"), tmp_path)
    assert (link.host, link.port, link.username, link.secret) == ("10.0.0.5", 5038, "callbox", "pa ss")
    os.chmod(secret, 0o644)
    with pytest.raises(config.ConfigError, match="secret_file.*chmod 600"):
        read_settings(cfg("[ami]\nhost = 10.0.0.5\nsecret_file = ami.secret\n"), tmp_path)


def test_an_interface_without_the_extension_is_refused(tmp_path):
    with pytest.raises(config.ConfigError, match=r"\[ami\] interface"):
        read_settings(cfg("[ami]\ninterface = PJSIP/agent\n"), tmp_path)
