"""A PDF made in a short-lived child process, so that fpdf2, fontTools, Pillow and a document's fonts never enter
a long-lived one (issue 14: the web held ~40 MB more PSS for good after its first PDF; Python does not give the
modules back, nor most of what a render allocated).

    render("appliance.pdf.bill:bill_pdf", bill, "tr") -> bytes

The child is `python -m appliance.pdf.child`: it reads the pickled (function, args, kwargs) on stdin, calls the
function and writes the pickled outcome on stdout, the PDF's bytes or the exception it raised, which render()
raises in the caller as if the function had run there. The arguments are plain data (dataclasses, lists,
Decimals). Start-up and fpdf2's import cost ~0.3 s of CPU a PDF: a PDF is a download a user asks for, rarely.
Under gevent (python -m webui) subprocess is gevent's: the hub keeps serving while the child works.
"""
from __future__ import annotations

import importlib
import pickle
import subprocess
import sys
from typing import Any

TIMEOUT_S = 300   # a PDF of a year of calls takes seconds; a child stuck for minutes is killed, the request fails


class ChildFailed(RuntimeError):
    """The child died without an outcome (killed, out of memory, timed out)."""


def render(function: str, *args: Any, **kwargs: Any) -> bytes:
    """The bytes `function` ("module:name") returns for these arguments, called in a child process."""
    payload = pickle.dumps((function, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        done = subprocess.run([sys.executable, "-m", "appliance.pdf.child"], input=payload, capture_output=True,
                              timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise ChildFailed(f"{function}: no PDF after {TIMEOUT_S} s") from None
    try:
        ok, value = pickle.loads(done.stdout)
    except Exception:
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise ChildFailed(f"{function}: the PDF process ended with code {done.returncode}: {tail}") from None
    if not ok:
        raise value
    return value


def _call(function: str, args: tuple, kwargs: dict) -> bytes:
    module, _, name = function.partition(":")
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def main() -> int:
    function, args, kwargs = pickle.loads(sys.stdin.buffer.read())
    try:
        outcome: tuple[bool, Any] = (True, bytes(_call(function, args, kwargs)))
    except Exception as e:   # handed to the caller, which raises it as its own
        try:
            pickle.dumps(e)
            outcome = (False, e)
        except Exception:    # an exception that does not pickle: its text
            outcome = (False, RuntimeError(f"{type(e).__name__}: {e}"))
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
