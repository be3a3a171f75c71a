"""AppTest: the Decision page offers the report in every format, built from the session's scenario
and the benchmark run it uses; user text stays text in the HTML."""

from __future__ import annotations

import yaml

import reporting
from benchmarks.result import save_result
from calculator.files import runs_dir
from calculator.measured import apply_benchmark
from calculator.scenario_io import load_preset
from dashboard import report_view
from tests.dashboard.apptest import PAGES, open_app
from tests.dashboard.fake_result import fake_result

HOSTILE = "<script>alert(1)</script> & Co"


def download_labels(at) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


def test_every_format_has_a_download_button_and_the_html_escapes_the_name():
    at = open_app("scenario")
    data = load_preset("support_intents").model_dump(mode="json", exclude_unset=True)
    data["name"] = HOSTILE
    at.file_uploader[0].upload("mine.yaml", yaml.safe_dump(data).encode()).run()
    at.switch_page(PAGES["decision"]).run()
    assert not at.exception
    assert download_labels(at) == [report_view.LABELS[fmt] for fmt in reporting.FORMATS]
    html = report_view.report_bytes(at.session_state["scenario"], "html").decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "<script>alert(1)" not in html
    assert report_view.file_name(at.session_state["scenario"], "html") == "prompt-or-tune-script-alert-1-script-Co.html"


def test_the_report_includes_the_benchmark_run_the_scenario_uses():
    result = fake_result("run-report-1", lora_accuracy=0.95)
    save_result(result, runs_dir() / result.run_id)
    scenario = apply_benchmark(load_preset("support_intents"), result)
    assert report_view.run_ids(scenario) == ("run-report-1",)
    markdown = report_view.report_bytes(scenario, "md").decode("utf-8")
    assert "Benchmark run run-report-1: environment" in markdown


def test_the_report_carries_the_cumulative_bands_chart():
    scenario = load_preset("support_intents")
    assert 'id="plot-cumulative_bands"' in report_view.report_bytes(scenario, "html").decode("utf-8")
    assert "cumulative_bands" in report_view.report_bytes(scenario, "json").decode("utf-8")
