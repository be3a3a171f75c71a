"""AppTest: the Decision page offers the report in every format, built from the session's scenario
and the benchmark run it uses; user text stays text in the HTML."""

from __future__ import annotations

import time

import pytest
import yaml
from streamlit.runtime.media_file_manager import MediaFileManager

import reporting
from calculator.measured import apply_benchmark
from calculator.scenario_io import load_preset
from core.files import runs_dir
from core.result import save_result
from dashboard import report_view
from dashboard.compute import scenario_key
from reporting.document import figures
from reporting.static import UNAVAILABLE
from tests.dashboard.apptest import PAGES, open_app
from tests.fake_result import fake_result
from tests.reporting.common import (
    EXPORT_LIMIT_S,
    HAS_POPPLER,
    no_browser,
    pdf_images,
    pdf_pages,
    pdf_text,
)

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


class _KeptManager(MediaFileManager):
    """The media file manager of each AppTest run, kept to serve the download button's deferred file."""

    made: list[MediaFileManager] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.made.append(self)


def test_the_pdf_button_serves_a_pdf_with_its_charts_without_a_browser(tmp_path, monkeypatch):
    """Issue 24: the Decision page's PDF button, as the server runs its deferred download on a click,
    with no browser to be found, within EXPORT_LIMIT_S; the benchmark run's charts included."""
    no_browser(monkeypatch, tmp_path / "home")
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", _KeptManager)
    result = fake_result("run-report-pdf", lora_accuracy=0.95)
    save_result(result, runs_dir() / result.run_id)
    scenario = apply_benchmark(load_preset("support_intents"), result)
    at = open_app("scenario")
    at.file_uploader[0].upload("mine.yaml", yaml.safe_dump(scenario.model_dump(mode="json")).encode()).run()
    at.switch_page(PAGES["decision"]).run()
    assert not at.exception
    button = next(b for b in at.get("download_button") if b.proto.label == report_view.LABELS["pdf"])
    started = time.monotonic()
    url = _KeptManager.made[-1].execute_deferred(button.proto.deferred_file_id)  # what a click asks for
    took = time.monotonic() - started
    pdf = _KeptManager.made[-1].read_file(url.rsplit("/", 1)[-1]).content
    assert took < EXPORT_LIMIT_S
    assert pdf.startswith(b"%PDF-") and url.endswith(".pdf")
    if not HAS_POPPLER:
        pytest.skip("poppler-utils not installed: the PDF's images were not counted")
    path = tmp_path / "dashboard.pdf"
    path.write_bytes(pdf)
    charts = figures(report_view._report_data(scenario_key(scenario), report_view.run_ids(scenario)))
    assert {"accuracy", "learning_curve", "loss"} <= {c.key for c in charts}  # the run's charts too
    assert len(pdf_images(path)) == len(charts) and pdf_pages(path) > 1
    assert UNAVAILABLE not in pdf_text(path)
