"""`prompt-or-tune`: one entry point, one subcommand module per job (cost, bench, report, app).

Each module in COMMANDS has `register(subparsers)` that adds its parser and sets `handler`.
Modules import their heavy dependencies (torch) inside the handler, so `cost` stays fast.
A command that sets `forwards_unknown` receives the options it does not define in
`args.forwarded` (`app` hands them to streamlit); any other command rejects them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("cost", "bench", "report", "app")


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
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "forwards_unknown", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.forwarded = unknown
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
