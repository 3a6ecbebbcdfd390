"""The `callbox` command. Its commands, flags and JSON fields are relied on by users' scripts: keep them stable."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from appliance import config, localtime, logs, registry, store
from appliance.cli import (alert, backup, billing, campaign, customer, db, directory, invoice, message, pricelist,
                           queue, reconcile, report, reset, schedule, shop, snmp, sync, tariff, traffic, upload, user)
from appliance.cli.common import Parser, UsageError, iso_ns, iso_s, open_data
from appliance.central import listing as central_listing
from appliance.ingest import importer
from appliance.ingest.reprocess import reprocess
from appliance.ingest.worker import build_processor
from appliance.paths import Paths, keep_private, parse_lock
from appliance.procs import common_args, load_config
from appliance.registry import driver_parser
from appliance.reports import listing as output
from appliance.store.billing import Frozen, frozen
from appliance.sync import link as sync_link
from appliance.supervisor import become, python_module

log = logging.getLogger(__name__)
# the command groups of their own modules, in the order `callbox --help` lists them
COMMAND_GROUPS = (billing,    # bill, compare, allowance, linecharge, period (RAT-1, RAT-6..8)
                  directory, tariff, user,
                  pricelist,  # sell-price lists, exchange rates, markups (RAT-10, SHOP-3)
                  shop,       # the callshop cashier's sessions (SHOP-1, SHOP-2)
                  customer, invoice,   # customers, prepaid accounts, invoices (RAT-11, REP-9)
                  message,    # messages to customers: the SMS accounting, their list, a test SMS (APP-5)
                  traffic,    # traffic reports (REP-6, REP-7)
                  queue,      # call-centre queue and agent KPIs, data quality (CC-2)
                  campaign,   # the campaign dialer: campaigns, progress, export, do-not-call list (CC-6)
                  report,     # report, timerange, rollup (REP-3..5, REP-13)
                  reconcile,  # an operator's itemised bill against the stored calls (RAT-9)
                  alert,      # alerts and thresholds (CAP-7, REP-8, REP-11)
                  upload,     # report export to file servers (REP-10)
                  snmp,       # SNMP engine id, test trap, snmpd handler (APP-2)
                  schedule,   # scheduled report e-mail/upload (REP-10)
                  sync,       # branch -> central sync: central branch add|revoke|list, sync enroll|now|status (APP-1)
                  db,         # check a damaged database, rebuild it from the journal
                  backup,     # encrypted backup and restore (APP-3)
                  reset)      # factory reset (APP-3)
VIRTUAL_PBX_SAMPLE = Path(__file__).parent.parent / "tools" / "samples" / "avaya_ipoffice_2017-07.log"
VIRTUAL_PBX_SETTINGS = ("pbx.driver=avaya_ipoffice", "pbx.timezone=Europe/Warsaw")   # where that capture came from


def _children(args, cfg: config.Config, web: bool) -> list[tuple[str, list[str]]]:
    base = ["--data", str(args.data)] + (["--config", str(args.config)] if args.config else [])
    sets = [a for s in args.set for a in ("--set", s)]
    children = []
    if not cfg.section("capture").url:
        tty = Paths(args.data).run / "virtual-pbx.tty"
        children.append(("virtual-pbx", python_module(
            "appliance.tools.virtual_pbx", "--pty", str(tty), "--rate", "5", "--skip", "1", "--recent",
            "--timezone", VIRTUAL_PBX_SETTINGS[1].split("=", 1)[1],
            "--state", str(Paths(args.data).run / "virtual-pbx.pos"), str(VIRTUAL_PBX_SAMPLE))))
        sets = [a for s in (f"capture.url=serial://{tty.resolve()}?baud=9600", *VIRTUAL_PBX_SETTINGS)
                for a in ("--set", s)] + sets
        log.info("no PBX configured ([capture] url): replaying the built-in virtual PBX through %s", tty)
    children.append(("capture", python_module("appliance.procs", "capture", *base, *sets)))
    children.append(("worker", python_module("appliance.procs", "worker", *base, *sets)))
    children.append(("jobs", python_module("appliance.procs", "jobs", *base, *sets)))
    if cfg.section("central").listen:
        children.append(("central", python_module("appliance.procs", "central", *base, *sets)))
    if sync_link.files(args.data).enrolment.exists():   # enrolled with a central (callbox sync enroll)
        children.append(("sync", python_module("appliance.procs", "sync", *base, *sets)))
    if web:
        w = cfg.section("web")
        children.append(("web", python_module("webui", *base, *sets, "--host", w.host, "--port", str(w.port))))
        log.info("status page: %s://%s:%d/", "https" if w.tls else "http", w.host, w.port)
    return children


def cmd_run(args) -> int:
    cfg = load_config(args)
    _check_pipeline(cfg)
    become(args.data, _children(args, cfg, web=True))
    return 0   # not reached: this process is the supervisor now


def cmd_capture(args) -> int:
    args.set = [f"capture.url={args.url}", f"pbx.driver={args.driver}", *args.set]
    cfg = load_config(args)
    _check_pipeline(cfg)
    become(args.data, _children(args, cfg, web=False))
    return 0


def _check_pipeline(cfg: config.Config) -> None:
    """Fail before starting anything if the URL, driver or options are wrong."""
    url = cfg.section("capture").url
    if url:
        from appliance.capture import gate, transports  # capture's dependency (pyserial): only when there is a URL
        transports.parse_url(url)
        gate.parse_allow(cfg.section("capture").allow)
        if driver := cfg.raw_section("pbx").get("driver", ""):   # none: capture journals, the worker waits for one
            registry.load(driver)
    for section in ("journal", "worker", "web", "log", "sync"):
        cfg.section(section)
    if cfg.section("central").listen:
        from appliance.central.server import parse_listen   # late: the receiver's code, only on a central
        parse_listen(cfg.section("central").listen)


def cmd_import(args) -> int:
    for f in args.files:
        if not f.is_file():
            raise UsageError(f"no such file: {f}")
    registry.load(args.driver)   # before anything is created on disk
    cfg, paths = open_data(args, create=True)
    processor = build_processor(cfg, args.driver)
    result = importer.import_files(paths, cfg, processor, args.files)
    print(json.dumps(result) if args.json else
          f"{result['lines']} lines: {result['calls']} calls ({result['legs']} legs), "
          f"{result['quarantined']} quarantined"
          + (f", {result['queue_events']} queue events" if result["queue_events"] else "")
          + (f", {result['duplicates']} already stored (not stored again)" if result["duplicates"] else ""))
    return 0


def cmd_calls(args) -> int:
    cfg, paths = open_data(args)
    tz = localtime.zone(cfg.section("pbx").timezone)
    since, until = iso_s(args.since, tz), iso_s(args.until, tz)
    if args.legs:
        extra = output.extra_reader(paths.journal, lambda name: driver_parser(cfg, name)[:2])
        rows = output.leg_dicts(since, until, extra)
    else:
        pricer = _pricer(cfg, tz)
        explain = (lambda c: pricer.explain(c.direction, c.party, c.start_utc, c.talk_s, c.trunk,
                                            store.released_s(c) if c.capped == 2 else None)) if pricer else None
        rows = output.call_dicts(since, until, explain, capped_only=args.capped)
        if central_listing.is_central() and not args.capped:   # a central: its branches' calls too, with `branch`
            rows = central_listing.with_branches(rows, since, until)
    for row in rows:
        print(json.dumps(row, ensure_ascii=False) if args.json else output.call_line(row))
    return 0


def _pricer(cfg: config.Config, tz):
    from appliance.rating import pricing   # phonenumbers: only the commands that price calls load it
    return pricing.build(cfg, tz)


def cmd_rerate(args) -> int:
    from appliance.ingest.rerate import rerate   # late: numbering (phonenumbers), as _pricer says
    cfg, paths = open_data(args)
    tz = localtime.zone(cfg.section("pbx").timezone)
    since, until = iso_s(args.since, tz), iso_s(args.until, tz)
    pricer = _pricer(cfg, tz)
    if pricer is None:
        raise UsageError("no numbering plan: set [numbers] country (and import a tariff plan) first")
    tenant = cfg.section("pbx").tenant
    with parse_lock(paths):   # the worker prices calls too: one writer at a time
        kept = Frozen(0, ()) if args.force else frozen(store.calls(since, until), tenant)
        count = rerate(pricer, since, until, reclassify=args.reclassify, pbx_tenant=tenant, force=args.force)
    if args.json:
        print(json.dumps({"calls": count, "billed_kept": kept.calls, "billed_periods": list(kept.periods)}))
    else:
        print(f"re-rated {count} calls" + (f"; {kept.calls} calls in billed periods ({', '.join(kept.periods)}) "
                                           "kept their price (--force re-rates them too)" if kept.calls else ""))
    return 0


def cmd_quarantine(args) -> int:
    open_data(args)
    for row in output.quarantine_dicts():
        print(json.dumps(row, ensure_ascii=False) if args.json else f"{row['ref']}\t{row['reason']}\t{row['line']}")
    return 0


def cmd_reprocess(args) -> int:
    cfg, paths = open_data(args)
    tz = localtime.zone(cfg.section("pbx").timezone)
    since, until = iso_ns(args.since, tz), iso_ns(args.until, tz)
    processor = build_processor(cfg, args.driver, strict_plan=True)   # never re-derive calls without their price
    with parse_lock(paths):
        result = reprocess(paths.journal, processor, since, until, force=args.force)
    print(json.dumps(result) if args.json else
          f"re-processed {result['lines']} lines: {result['calls_before']} calls before, {result['calls_after']} after")
    return 0


def cmd_detect(args) -> int:
    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    ranking = registry.detect_file(args.file)
    if args.json:
        print(json.dumps(ranking))
    elif not ranking:
        print("no driver recognises this")
    else:
        for r in ranking:
            print(f"{r['driver']}\t{r['confidence']:.2f}")
    return 0


def build_parser() -> Parser:
    p = Parser(prog="callbox", description="Callbox call-accounting appliance")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    c = sub.add_parser("run", help="run the appliance: capture, worker, jobs and web, supervised")
    common_args(c)
    c.set_defaults(func=cmd_run)
    c = sub.add_parser("capture", help="capture from URL and process, without the web UI")
    common_args(c)
    c.add_argument("--url", required=True)
    c.add_argument("--driver", required=True)
    c.set_defaults(func=cmd_capture)
    c = sub.add_parser("import", help="journal files' lines as a capture would, and process them")
    common_args(c)
    c.add_argument("--driver", required=True)
    c.add_argument("--json", action="store_true")
    c.add_argument("files", nargs="+", type=Path, metavar="FILE")
    c.set_defaults(func=cmd_import)
    c = sub.add_parser("calls", help="print stored calls")
    common_args(c)
    c.add_argument("--since", help="ISO date/time, inclusive (PBX local time unless an offset is given)")
    c.add_argument("--until", help="ISO date/time, exclusive")
    c.add_argument("--legs", action="store_true", help="one object per leg instead of per logical call")
    c.add_argument("--capped", action="store_true",
                   help="only calls priced shorter than printed: over their trunk's cap ([rating] trunk_caps, "
                        "max_call_min) or still up when the next call on their analogue trunk began (RAT-5)")
    c.add_argument("--json", action="store_true", help="one JSON object per line")
    c.set_defaults(func=cmd_calls)
    c = sub.add_parser("quarantine", help="print lines that could not be parsed, with the reason")
    common_args(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_quarantine)
    c = sub.add_parser("reprocess", help="re-derive calls from the journal (idempotent)")
    common_args(c)
    c.add_argument("--since", help="journal entries received at or after this ISO time")
    c.add_argument("--until", help="journal entries received before this ISO time")
    c.add_argument("--driver", help="parse with this driver instead of the configured one")
    c.add_argument("--force", action="store_true", help="also re-derive (and re-price) calls in billed periods")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_reprocess)
    c = sub.add_parser("rerate", help="price stored calls again with the current tariff (idempotent)")
    common_args(c)
    c.add_argument("--since", help="calls that started at or after this ISO time")
    c.add_argument("--until", help="calls that started before this ISO time")
    c.add_argument("--reclassify", action="store_true", help="classify the numbers again (after a [numbers] change)")
    c.add_argument("--force", action="store_true", help="re-rate calls in billed periods too (callbox period)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_rerate)
    c = sub.add_parser("detect", help="rank the drivers that can read a capture file, best first")
    c.add_argument("--json", action="store_true", help='a list of {"driver", "confidence"}, best first')
    c.add_argument("file", type=Path, metavar="FILE")
    c.set_defaults(func=cmd_detect)
    for group in COMMAND_GROUPS:
        group.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    logs.setup(None, "cli", "WARNING")
    try:
        args = build_parser().parse_args(argv)
        keep_private(getattr(args, "data", None))
        if args.command in ("run", "capture"):
            logs.setup(args.data, "run", "INFO")
        return args.func(args)
    except (UsageError, config.ConfigError, registry.UnknownDriver, ValueError, RuntimeError) as e:
        print(f"callbox: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:   # `callbox calls --json | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
