"""`prompt-or-tune`: one entry point, one subcommand module per job (cost, bench, report).

Each module in COMMANDS has `register(subparsers)` that adds its parser and sets `handler`.
Modules import their heavy dependencies (torch) inside the handler, so `cost` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("cost", "bench", "report")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prompt-or-tune",
        description="Prompt engineering or fine-tuning? Costs, live benchmarks and a recommendation.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"prompt_or_tune.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
