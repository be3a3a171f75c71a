"""`--results RUN_DIR ... [--apply-mismatched]` of `cost` and `report`: benchmark runs applied by model.

A row measured on another model than the scenario prices for its approach is left out unless
`--apply-mismatched` is given; each one left out is named on stderr, so nothing is dropped silently.
"""

from __future__ import annotations

import argparse
import sys

from calculator.measured import apply_benchmark
from calculator.scenario import Scenario
from core.result import BenchmarkResult, load_result


def register_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--results", nargs="+", action="extend", default=[], metavar="RUN_DIR",
                        help="benchmark run folders (or result.json files); the last supplies the "
                             "measured inputs")
    parser.add_argument("--apply-mismatched", action="store_true",
                        help="also apply result rows measured on another model than the scenario prices "
                             "for that approach (default: left out, and named)")


def apply_results(scenario: Scenario, args: argparse.Namespace) -> tuple[Scenario, list[BenchmarkResult]]:
    """The scenario with the runs applied (raises ResultError for an unreadable one) and the runs."""
    results = [load_result(path) for path in args.results]
    for result in results:
        scenario = apply_benchmark(scenario, result, mismatched=args.apply_mismatched)
    if scenario.measured:
        for why in scenario.measured.left_out.values():
            print(f"not applied: {why} (--apply-mismatched applies it)", file=sys.stderr)
    return scenario, results
