"""The framework's own limit, for bench_web: a bottle "hello" app on the web UI's own gevent server and TLS.

    python -m appliance.tools.hello_web --data DIR --port P [--host 127.0.0.1]

Same server class (webui.app.make_server: TCP_NODELAY, keep-alive bounds, per-client limit), same [web] section
and the same certificate and TLS context (webui.tls.server_context) as `python -m webui --data DIR`, so the
ratio of the two in one bench_web run says how much the pages cost above bottle + gevent + TLS themselves.
"""
from gevent import monkey; monkey.patch_all()  # noqa: E702  before any other import (STYLE.md §2.8)
import argparse  # noqa: E402
import importlib  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import bottle  # noqa: E402

from appliance import config  # noqa: E402


def make_app() -> bottle.Bottle:
    """One route answering a short text page, as a page of the web UI would be answered (200, keep-alive)."""
    app = bottle.Bottle()

    @app.get("/")
    def hello():
        bottle.response.content_type = "text/plain; charset=utf-8"
        return "hello"
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="data directory (its [web] section, tls/)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    tls = importlib.import_module("webui.tls")          # at run time: mypy (appliance only) does not follow webui
    make_server = importlib.import_module("webui.app").make_server
    web = config.load(None, args.data).section("web")
    context = tls.server_context(web, args.data) if web.tls else None
    make_server(args.host, args.port, make_app(), web, context).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
