"""`callbox tariff import|export`: tariff plans to and from the documented CSV layout."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from appliance.cli.common import UsageError, open_data, read_csv_text
from appliance.procs import common_args
from appliance.rating import plan_choice
from appliance.rating import plans as stored_plans
from appliance.rating import tariff_csv, tariffs
log = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add `tariff` with its `import` and `export` commands to the callbox parser's subparsers."""
    t = subparsers.add_parser("tariff", help="import and export tariff plans (CSV)")
    sub = t.add_subparsers(dest="tariff_command", metavar="import|export", required=True, parser_class=type(t))
    c = sub.add_parser("import", help="store the plan versions of a tariff CSV file (again: replaces them)")
    common_args(c)
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.add_argument("file", type=Path, metavar="FILE")
    c.set_defaults(func=cmd_tariff_import)
    c = sub.add_parser("export", help="write stored plans as a tariff CSV file (UTF-8 with BOM; - for stdout)")
    common_args(c)
    c.add_argument("--plan", metavar="NAME", help="only this plan: 'PROVIDER / PLAN', or a plan name")
    c.add_argument("file", metavar="FILE|-")
    c.set_defaults(func=cmd_tariff_export)


def _open(args, create: bool) -> None:
    open_data(args, create)


def cmd_tariff_import(args) -> int:
    versions = tariff_csv.read_csv(read_csv_text(args.file), str(args.file))   # TariffError: line and column
    cfg, _paths = open_data(args, create=True)
    out = []
    for v in versions:
        vid, replaced = stored_plans.save_version(v)
        out.append({"provider": v.provider, "plan": v.plan, "valid_from": v.valid_from.isoformat(),
                    "version_id": vid, "replaced": replaced, "destinations": len(v.destinations),
                    "prefixes": sum(len(d.prefixes) for d in v.destinations), "rates": len(v.rates),
                    "bands": len(v.band_names()), "holidays": len(v.holidays), "currency": v.currency})
    if args.json:
        print(json.dumps({"file": str(args.file), "versions": out}, ensure_ascii=False))
    for o in [] if args.json else out:
        print(f"{o['provider']} / {o['plan']} from {o['valid_from']}: version {o['version_id']} "
              f"({'replaced' if o['replaced'] else 'new'}), {o['destinations']} destinations, {o['prefixes']} "
              f"prefixes, {o['rates']} rates, {o['bands']} bands, {o['holidays']} holidays, {o['currency']}")
    problem = plan_choice.plan_problem(cfg)
    if problem:   # the worker goes on storing calls, unpriced, and the tariff_plan alert is raised: say so now
        print(f"warning: {problem}: calls are stored unpriced until [rating] plan names one of them "
              "(then run `callbox rerate`)", file=sys.stderr)
    return 0


def _fold(text: str) -> str:
    # "İ".casefold() is "i" + U+0307 (combining dot): drop it, so "örnek işyeri" finds "Örnek İşyeri"
    return " ".join(text.casefold().replace("\u0307", "").split())


def _select(versions: list[tariffs.PlanVersion], name: str | None) -> list[tariffs.PlanVersion]:
    if name is None:
        return versions
    labels = sorted({f"{v.provider} / {v.plan}" for v in versions})
    want = _fold(name)
    exact = [v for v in versions if _fold(f"{v.provider} / {v.plan}") == want]
    by_plan = [v for v in versions if _fold(v.plan) == want]
    chosen = exact or by_plan
    if not chosen:
        raise UsageError(f"no tariff plan {name!r}; stored: {'; '.join(labels) or 'none'}")
    if len({(v.provider, v.plan) for v in chosen}) > 1:
        raise UsageError(f"{name!r} is a plan of several providers: write 'PROVIDER / PLAN'")
    return chosen


def cmd_tariff_export(args) -> int:
    _open(args, create=False)
    versions = _select(stored_plans.load_versions(), args.plan)
    if not versions:
        raise UsageError("no tariff plans stored: `callbox tariff import FILE` first")
    text = tariff_csv.write_csv(versions)
    if args.file == "-":
        sys.stdout.write(text)
    else:
        # With a BOM, Excel opens the file as UTF-8 (without one it guesses the ANSI code page and garbles ş, ř, ø).
        with open(args.file, "w", encoding="utf-8-sig", newline="") as f:
            f.write(text)
    return 0
