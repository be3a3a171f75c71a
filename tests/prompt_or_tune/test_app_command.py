"""`prompt-or-tune app`: streamlit runs the packaged entry script with the options the CLI does not
know; every other command still rejects unknown options. (Starting it for real: tests/test_wheel.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from prompt_or_tune.cli import build_parser, main
from prompt_or_tune.commands.app import streamlit_args

REPO = Path(__file__).resolve().parents[2]


def test_app_runs_the_packaged_entry_with_forwarded_options():
    assert streamlit_args(["--server.port", "8600"]) == [
        "run", str(REPO / "dashboard" / "app.py"), "--server.port", "8600"]


def test_app_hands_unknown_options_to_streamlit(monkeypatch):
    from streamlit.web import cli as streamlit_cli

    seen = {}
    monkeypatch.setattr(streamlit_cli, "main", lambda args, prog_name: seen.update(args=args, prog=prog_name))
    assert main(["app", "--server.port", "8600", "--server.headless=true"]) == 0
    assert seen == {"args": ["run", str(REPO / "dashboard" / "app.py"), "--server.port", "8600",
                             "--server.headless=true"], "prog": "streamlit"}


def test_other_commands_still_reject_unknown_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["cost", "support_intents", "--server.port", "8600"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --server.port 8600" in capsys.readouterr().err


def test_app_is_listed_in_the_help():
    assert "app" in build_parser().format_help()
