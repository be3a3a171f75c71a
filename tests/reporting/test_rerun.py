"""A scenario taken out of a report and loaded again gives the report's numbers back."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from calculator.scenario_io import load_scenario
from prompt_or_tune.cli import main
from reporting import build, render_data
from reporting.rerun import extract_scenario
from tests.reporting.common import DRAWS, HOSTILE


def same_numbers(a: dict, b: dict) -> None:
    assert a["approaches"] == b["approaches"]
    assert a["break_even"] == b["break_even"]
    assert a["monte_carlo"] == b["monte_carlo"]


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
def test_scenario_from_the_report_reproduces_it(report_data, fmt):
    scenario = extract_scenario(render_data(report_data, fmt), fmt)
    assert scenario.name == HOSTILE
    assert scenario == report_data.scenario
    again = build(scenario, draws=DRAWS)  # the measured inputs travel inside the scenario
    same_numbers(again.summary, report_data.summary)
    assert again.recommendation.headline == report_data.recommendation.headline


def test_cli_writes_markdown_and_json_and_rejects_bad_input(tmp_path, capsys):
    out = tmp_path / "r.md"
    assert main(["report", "internal_helpdesk", "--format", "md", "--out", str(out),
                 "--draws", "500"]) == 0
    assert out.exists() and out.with_suffix(".json").exists()
    reloaded = extract_scenario(out.read_text(encoding="utf-8"), "md")
    assert reloaded == load_scenario("internal_helpdesk")
    assert main(["report", "internal_helpdesk", "--set", "workload.horizon_months=0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "workload.horizon_months" in err[0]


@pytest.mark.skipif(shutil.which("pdfdetach") is None, reason="pdfdetach (poppler-utils) not installed")
def test_scenario_attached_to_the_pdf_reproduces_it(pdf_a4, tmp_path, report_data):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf_a4)
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(path)], check=True)
    scenario = load_scenario(tmp_path / "scenario.yaml")
    same_numbers(build(scenario, draws=DRAWS).summary, report_data.summary)
