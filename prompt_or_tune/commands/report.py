"""`prompt-or-tune report SCENARIO [--set ...] [--results RUN_DIR ...] --format html|pdf|md|json`."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import reporting
from calculator.prices import PriceNotFound
from calculator.scenario_io import ScenarioError, apply_overrides, load_scenario
from calculator.uncertainty import DEFAULT_DRAWS
from core.files import write_atomic
from core.result import ResultError
from prompt_or_tune.commands import results
from prompt_or_tune.commands.cost import fail
from reporting import FORMATS, PAPERS, render_data


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="a decision report to forward (HTML, PDF, Markdown)")
    parser.add_argument("scenario", help="scenario YAML/JSON file, or a preset name")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="dotted.field=value", help="override one scenario field (repeatable)")
    results.register_options(parser)
    parser.add_argument("--format", dest="fmt", choices=FORMATS, default="html")
    parser.add_argument("--out", help="file to write (default: the scenario's name and the format's suffix); "
                                      "Markdown also writes the JSON of every figure next to it")
    parser.add_argument("--paper", type=str.lower, choices=sorted(PAPERS), default="a4",
                        help="PDF paper size")
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS, help="Monte Carlo draws")
    parser.set_defaults(handler=run)


def default_name(scenario_name: str, fmt: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", scenario_name.lower()).strip("-")[:60] or "report"
    return Path(f"{slug}.{fmt}")


def run(args: argparse.Namespace) -> int:
    if not 100 <= args.draws <= 2_000_000:
        return fail(f"--draws: {args.draws} outside the allowed [100, 2000000]")
    try:
        scenario = apply_overrides(load_scenario(args.scenario), args.overrides)
        scenario, runs = results.apply_results(scenario, args)
        data = reporting.build(scenario, runs, args.draws)
    except (ScenarioError, PriceNotFound, ResultError) as exc:
        return fail(str(exc).splitlines()[0])
    out = Path(args.out) if args.out else default_name(scenario.name, args.fmt)
    try:
        write_atomic(out, render_data(data, args.fmt, PAPERS[args.paper]))
        written = [out]
        if args.fmt == "md":
            written.append(out.with_suffix(".json"))
            write_atomic(written[-1], render_data(data, "json"))
    except OSError as exc:
        return fail(f"--out {out}: {exc.strerror or exc}")
    print(data.recommendation.headline)
    for path in written:
        print(f"wrote {path}")
    return 0
