"""`callbox detect`: the right driver first for every fixture, and a clear "no" for what no driver reads."""
import json

import pytest

from appliance.cli import main as cli
from conftest import FIXTURES

# Fixtures made to be quarantined or only readable with options are not auto-detection material.
NOT_DETECTABLE = {"generic"}
CASES = sorted(p for p in FIXTURES.glob("*/*.raw") if p.parent.name not in NOT_DETECTABLE)


def detect(capsys, *argv):
    rc = cli.main(["detect", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("raw", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_right_driver_comes_first(capsys, raw):
    rc, out, _ = detect(capsys, "--json", str(raw))
    ranking = json.loads(out)
    assert rc == 0 and ranking, f"no driver recognised {raw.name}"
    assert ranking[0]["driver"] == raw.parent.name, ranking
    assert all(0.0 <= r["confidence"] <= 1.0 for r in ranking)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


@pytest.mark.parametrize("content", [b"", b"\x00\xff" * 500, "Hello, this is a letter.\nDear Sir,\n".encode()])
def test_nothing_fits_gives_an_empty_list_and_a_plain_sentence(capsys, tmp_path, content):
    path = tmp_path / "x.txt"
    path.write_bytes(content)
    rc, out, _ = detect(capsys, "--json", str(path))
    assert (rc, json.loads(out)) == (0, [])
    rc, out, _ = detect(capsys, str(path))
    assert out.strip() == "no driver recognises this"


def test_a_missing_file_is_exit_code_2(capsys, tmp_path):
    rc, out, err = detect(capsys, str(tmp_path / "nope.csv"))
    assert rc == 2 and "no such file" in err
