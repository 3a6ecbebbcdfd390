"""Recording test helpers: Asterisk Master.csv calls through the real CLI import, a directory, and WAV files where
FreePBX's MixMonitor puts them (<monitor>/YYYY/MM/DD/<direction>-<ext>-<number>-<date>-<time>-<uniqueid>.wav)."""
from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

from appliance import store
from appliance.cli.main import main

# two calls of the 21-column fixture: inbound 0612345678 -> 201 (uniqueid 1709283600.1, 201 answered, 202 rang)
# and 201 -> 0698765432 (1709283900.4)
MASTER = Path(__file__).resolve().parents[1] / "fixtures" / "pbx" / "asterisk_csv" / \
    "constructed-21col-linkedid-badutf8.raw"
PEOPLE = "person_id;first_name;last_name;branch;department;extensions\nP1;Ayşe;Yılmaz;İzmir;Satış;201\n" \
         "P2;Jan;Novák;Praha;Podpora;299\n"
TEMPLATE = "{recordingfile}, {date:%Y/%m/%d}/*-{uniqueid}.*"


def write_wav(path: Path, seconds: float = 1.0, rate: int = 8000) -> Path:
    """A mono 16-bit PCM WAV of a 440 Hz tone (what a PBX records: 8 kHz)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                               for i in range(int(seconds * rate))))
    return path


def seed(data: Path, extra_ini: str = "") -> Path:
    """The calls, the directory and one recording (of the inbound call); returns the recordings folder."""
    data.mkdir(parents=True, exist_ok=True)
    monitor = data / "monitor"
    (data / "callbox.ini").write_text(
        "[pbx]\ndriver = asterisk_csv\ntimezone = Europe/Istanbul\n"
        f"[recordings]\nfolder = {monitor}\ntemplate = {TEMPLATE}\n{extra_ini}", encoding="utf-8")
    assert main(["import", "--driver", "asterisk_csv", str(MASTER), "--data", str(data)]) == 0
    people = data / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert main(["directory", "import", str(people), "--data", str(data)]) == 0
    store.close_db()
    write_wav(monitor / "2024" / "03" / "01" / "in-201-0612345678-20240301-090000-1709283600.1.wav")
    (monitor / "outside.wav").write_bytes(b"")
    return monitor
