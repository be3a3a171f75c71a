"""`prompt-or-tune app [streamlit options]`: the dashboard, from a checkout or an installed wheel.

Runs `streamlit run` on the packaged entry script (dashboard/app.py) in this process, as the
`streamlit` command itself does, so Ctrl-C and signals reach the server directly. Options the CLI
does not define, such as `--server.port 8600`, are handed to streamlit unchanged.
"""

from __future__ import annotations

import argparse
import importlib.util


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "app", help="start the dashboard (Streamlit); other options go to `streamlit run`",
        description="Start the dashboard. Options after `app` that are not listed here are passed to "
                    "`streamlit run`, e.g. `prompt-or-tune app --server.port 8600`.")
    parser.set_defaults(handler=run, forwards_unknown=True)


def entry_script() -> str:
    """The installed dashboard entry, found without importing streamlit."""
    spec = importlib.util.find_spec("dashboard.app")
    if spec is None or spec.origin is None:
        raise RuntimeError("the dashboard package is not installed")
    return spec.origin


def streamlit_args(forwarded: list[str]) -> list[str]:
    return ["run", entry_script(), *forwarded]


def run(args: argparse.Namespace) -> int:
    from streamlit.web import cli as streamlit_cli

    # click's entry point: parses like `streamlit run ...` and exits with the server's status
    streamlit_cli.main(streamlit_args(args.forwarded), prog_name="streamlit")
    return 0
