"""Issue 14: the box's processes stay small on a 512 MB board. What each long-running process imports at start is
checked here; `make bench` measures their memory (appliance/tools/bench_footprint.py)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

# ~110 MB (phonenumbers' place and operator names: appliance/rating/phonedata.py reads them from a file), ~45 MB
# (fpdf2 and fontTools: only for a PDF), ~20 MB (pysnmp: only when a trap is sent)
HEAVY = ("phonenumbers.geodata", "phonenumbers.carrierdata", "fpdf", "fontTools", "pysnmp")
PROCESSES = {
    # what `callbox run` becomes: it starts and watches the others, nothing more
    "supervisor": ("appliance.supervisor", HEAVY + ("peewee", "huey", "bottle", "gevent", "phonenumbers")),
    "worker": ("appliance.procs; from appliance.ingest import worker", HEAVY),
    "jobs": ("appliance.jobs", HEAVY),
    "web": ("webui.app", HEAVY),
}


@pytest.mark.parametrize("process", list(PROCESSES))
def test_a_process_imports_nothing_it_does_not_use_at_start(process):
    module, forbidden = PROCESSES[process]
    code = (f"import sys, json\nimport {module}\n"
            "print(json.dumps(sorted({m.split('.')[0] if not m.startswith('phonenumbers.') else "
            "'.'.join(m.split('.')[:2]) for m in sys.modules})))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                                           check=True).stdout))
    assert not loaded & set(forbidden), f"{process} imports {sorted(loaded & set(forbidden))}"
