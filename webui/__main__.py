"""Entry point of the web process: python -m webui [--data DIR] [--config FILE] [--host H] [--port P]."""
from gevent import monkey; monkey.patch_all()  # noqa: E702  must run before any other import (STYLE.md §2.8)
import argparse  # noqa: E402
import sys  # noqa: E402

from appliance import config, logs  # noqa: E402
from appliance.paths import SecretFileError, keep_private  # noqa: E402
from appliance.procs import common_args, load_config  # noqa: E402
from webui.app import serve  # noqa: E402
from webui.tls import TLSError  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="callbox-web", description="Callbox web UI")
    common_args(parser)
    parser.add_argument("--host", help="address to listen on (default: [web] host)")
    parser.add_argument("--port", type=int, help="TCP port (default: [web] port)")
    args = parser.parse_args(argv)
    keep_private(args.data)
    try:
        cfg = load_config(args)
        web, lg = cfg.section("web"), cfg.section("log")
    except config.ConfigError as e:
        print(f"callbox-web: {e}", file=sys.stderr)
        return 2
    logs.setup(args.data, "web", lg.level, lg.max_kb, lg.backups)
    try:
        return serve(args.host or web.host, args.port or web.port, args.data, cfg)
    except (TLSError, SecretFileError) as e:     # the certificate or its key cannot be used
        print(f"callbox-web: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
