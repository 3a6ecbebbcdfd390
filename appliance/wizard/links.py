"""The wizard's link form <-> the [capture] url: serial port and rate, TCP listen, TCP connect, file or share."""
from __future__ import annotations

from urllib.parse import quote, unquote

from appliance.capture.transports import BAUDS, parse_url

KINDS = ("serial", "tcp-listen", "socket", "file")
PARITIES = ("N", "E", "O")


class LinkError(ValueError):
    """A form that makes no usable link; the message names the field."""


def _port(text: str, field: str = "port") -> int:
    try:
        port = int(text.strip())
    except ValueError:
        raise LinkError(f"{field}: {text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise LinkError(f"{field}: {port} is not between 1 and 65535")
    return port


def build_url(form: dict[str, str]) -> str:
    """The [capture] url of the wizard's form: kind = serial (device, baud, parity), tcp-listen (port, address),
    socket (host, port) or file (path); LinkError naming the field that is wrong."""
    kind = form.get("kind", "")
    if kind == "serial":
        device = form.get("device", "").strip()
        if not device.startswith("/dev/") or any(c in device for c in "?#& "):
            raise LinkError(f"device: {device!r} is not a serial device (/dev/ttyS0, /dev/ttyUSB0)")
        baud = _port(form.get("baud", "9600"), "baud") if form.get("baud", "9600").strip().isdigit() else 0
        if baud not in BAUDS:
            raise LinkError(f"baud: {form.get('baud')!r} is not one of {', '.join(map(str, BAUDS))}")
        parity = form.get("parity", "N") or "N"
        if parity not in PARITIES:
            raise LinkError(f"parity: {parity!r} is not one of {', '.join(PARITIES)}")
        bits = "7" if parity != "N" and form.get("bytesize") == "7" else "8"
        url = f"serial://{device}?baud={baud}&bytesize={bits}&parity={parity}&stopbits=1"
    elif kind == "tcp-listen":
        address = form.get("address", "").strip() or "0.0.0.0"
        url = f"tcp-listen://{_host(address)}:{_port(form.get('port', ''))}"
    elif kind == "socket":
        host = form.get("host", "").strip()
        if not host:
            raise LinkError("host: the PBX's address is empty")
        url = f"socket://{_host(host)}:{_port(form.get('port', ''))}"
    elif kind == "file":
        path = form.get("path", "").strip()
        if not path.startswith("/"):
            raise LinkError(f"path: {path!r} is not an absolute path (a mounted share: /mnt/pbx/cdr.csv)")
        url = "file://" + quote(path)
    else:
        raise LinkError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    try:
        parse_url(url)
    except ValueError as e:
        raise LinkError(str(e)) from None
    return url


def _host(host: str) -> str:
    if any(c in host for c in "/?#@ ") or not host:
        raise LinkError(f"host: {host!r} is not an address or name")
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def describe(url: str) -> dict[str, str]:
    """The form fields of a [capture] url (the wizard starts from the link configured); {} for none or a bad one."""
    if not url:
        return {}
    try:
        t = parse_url(url)
    except ValueError:
        return {}
    if t.kind == "serial":
        return {"kind": "serial", "device": t.path, "baud": str(t.options.get("baudrate", 9600)),
                "parity": str(t.options.get("parity", "N"))}
    if t.kind == "file":
        return {"kind": "file", "path": unquote(t.path)}
    key = "address" if t.kind == "tcp-listen" else "host"
    return {"kind": t.kind, key: t.host, "port": str(t.port)}


def sources(url: str) -> tuple[str, ...]:
    """The journal sources (prefixes) of what the link of `url` brings: a tcp-listen link's connections are named
    after their peers ("tcp:10.0.0.5:51234")."""
    t = parse_url(url)
    return ("tcp:",) if t.kind == "tcp-listen" else (t.source,)
