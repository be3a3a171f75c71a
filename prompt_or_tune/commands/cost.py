"""`prompt-or-tune cost SCENARIO [--set a.b=v ...] [--json]`: the cost model and the decision from a
shell. Imports no chart, PDF or model library (a test checks `sys.modules`)."""

from __future__ import annotations

import argparse
import json
import sys

from calculator.analysis import Analysis, analyze
from calculator.fields import COST_PER_REQUEST_HELP
from calculator.measured import score_source
from calculator.prices import PriceNotFound
from calculator.recommend.sure import NAME as SURE
from calculator.recommend.wording import Scale, money, pct
from calculator.scenario_io import ScenarioError, apply_overrides, load_scenario
from calculator.uncertainty import DEFAULT_DRAWS
from core.result import ResultError
from prompt_or_tune.commands import results


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("cost", help="total cost of ownership of every approach")
    parser.add_argument("scenario", help="scenario YAML/JSON file, or a preset name")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="dotted.field=value", help="override one scenario field (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS, help="Monte Carlo draws")
    results.register_options(parser)
    parser.set_defaults(handler=run)


def fail(message: str) -> int:
    print(f"prompt-or-tune: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    if not 100 <= args.draws <= 2_000_000:
        return fail(f"--draws: {args.draws} outside the allowed [100, 2000000]")
    try:
        scenario, runs = results.apply_results(apply_overrides(load_scenario(args.scenario), args.overrides), args)
        found = analyze(scenario, runs, draws=args.draws)
    except (ScenarioError, PriceNotFound, ResultError) as exc:
        return fail(str(exc).splitlines()[0])
    if args.json:
        print(json.dumps(found.to_dict(), indent=2))
    else:
        shares = {r.name: r.cheapest_share for r in found.recommendation.ranked}
        per_request = {n: c.cost_per_request_usd for n, c in found.costs.approaches.items()}
        print(format_table(found.summary, shares, per_request,
                           {n: score_source(found.scenario, n) for n in found.summary["approaches"]}))
        print()
        print(format_recommendation(found))
    return 0


def format_recommendation(found: Analysis) -> str:
    """The choice and its verdict, the headline, then the first reasons."""
    rec = found.recommendation
    lines = [f"Recommendation: {rec.choice or 'none'} ({rec.verdict})", rec.headline]
    lines += [f"  - {reason}" for reason in rec.top_reasons]
    if rec.more_reasons:
        lines.append(f"  ({len(rec.more_reasons)} more reasons, what would change the answer and what to measure "
                     "next: --json)")
    return "\n".join(lines)


def format_table(summary: dict, shares: dict[str, float | None], per_request: dict[str, float | None],
                 sources: dict[str, str] | None = None) -> str:
    """The costs table with each approach's cost per request (running, incl. fleet: ApproachCosts.cost_per_request_usd)
    and chance cheapest (calculator/recommend/sure.py; '-' for one that does not qualify); with `sources`
    (score_source by approach) its score on the task's metric and source."""
    rows = sorted(summary["approaches"].items(), key=lambda item: item[1]["tco_usd"])
    scale = Scale(summary["metric"])
    header = f"{'approach':<18}{'one-off $':>14}{'fixed $/mo':>13}{'$/request*':>12}{'TCO $':>15}{SURE:>17}"
    header += f"  {scale.name} (source)" if sources else ""
    lines = [f"{summary['scenario']} — {summary['horizon_months']} months, USD", header, "-" * len(header)]
    for name, c in rows:
        accuracy = "" if not sources else "  " + (
            "-" if c["score"] is None else scale.value(c["score"])) + f" ({sources[name]})"
        cost = "-" if per_request[name] is None else money(per_request[name]).removeprefix("$")
        lines.append(
            f"{name:<18}{c['one_off_usd']:>14,.0f}{c['monthly_fixed_usd']:>13,.0f}"
            f"{cost:>12}{c['tco_usd']:>15,.0f}"
            f"{'-' if shares[name] is None else pct(shares[name]):>17}{accuracy}"
        )
    lines.append(f"* {COST_PER_REQUEST_HELP}")
    crossings = [b for b in summary["break_even"] if b["requests_per_month"] is not None]
    if crossings:
        lines += ["", "Break-even volumes (requests in the first month, growth as in the scenario; the crossing "
                      "nearest yours, with how many crossings in all):"]
        for b in crossings:
            month = f", curves cross in month {b['month']}" if b["month"] else ""
            more = f" (one of {len(b['crossings'])} crossings: fleet steps)" if len(b["crossings"]) > 1 else ""
            lines.append(f"  {b['approach']} vs {b['versus']}: {b['requests_per_month']:,.0f}"
                         f" — {b['cheaper_above']} cheaper above{more}{month}")
    lines += [f"note: {note}" for note in summary["notes"]]
    return "\n".join(lines)
