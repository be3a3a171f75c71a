"""HTML: self-contained, every chart embedded, user text escaped. Markdown and JSON alongside."""

from __future__ import annotations

import json
import re

from reporting import render_data
from reporting.document import figures
from tests.reporting.common import HOSTILE


def test_html_embeds_every_chart_and_plotly_itself(report_data):
    page = render_data(report_data, "html").decode("utf-8")
    charts = figures(report_data)
    assert len(charts) >= 8
    for chart in charts:
        assert f'id="chart-{chart.key}"' in page
    assert page.count("Plotly.newPlot(") == len(charts)
    assert "<script src=" not in page  # plotly.js inlined: one file, works offline
    for section in ("question", "recommendation", "charts", "costs", "benchmarks", "assumptions",
                    "scenario"):
        assert f'<section id="{section}">' in page


def test_html_shows_a_script_name_as_text(report_data):
    page = render_data(report_data, "html").decode("utf-8")
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert len(scripts) == 1 + len(figures(report_data))  # plotly.js, then one per chart


def test_html_quotes_the_decision_and_sources(report_data):
    page = render_data(report_data, "html").decode("utf-8")
    rec = report_data.recommendation
    assert rec.headline in page
    assert "genai-prices" in page and "checked" in page  # price sources with their dates
    assert "run-test-1" in page  # the benchmark run and its environment
    assert "Python 3.11, torch 2" in page


def test_markdown_escapes_user_text_outside_the_scenario_block(report_data):
    md = render_data(report_data, "md").decode("utf-8")
    before_yaml = md.split("<!-- prompt-or-tune scenario -->")[0]
    assert HOSTILE not in before_yaml and "&lt;script&gt;" in before_yaml
    assert "## 2. Recommendation" in md and report_data.recommendation.reasons[0][:40] in md


def test_json_holds_every_figure(report_data):
    data = json.loads(render_data(report_data, "json"))
    assert set(data["costs"]["approaches"]) == set(report_data.costs.approaches)
    assert data["recommendation"]["choice"] == report_data.recommendation.choice
    assert data["benchmarks"][0]["run_id"] == "run-test-1"
    assert data["tornado"]["bars"]


def test_results_table_says_how_each_run_measured_latency():
    """The header is the same for every run; the note under it names the basis (one request, or the
    batch wall time of results written before single-request timing)."""
    from core.result import LATENCY_BASES, LATENCY_SAMPLES
    from reporting.tables import speed
    from tests.fake_result import fake_result

    old = fake_result("run-old")  # no latency_basis given: read as batch
    new = fake_result("run-new")
    for approach in new.approaches:
        approach.latency_basis = "one_request"
    assert speed(old).note.endswith(LATENCY_BASES["batch"])
    assert speed(new).note.endswith(LATENCY_BASES["one_request"])
    assert f"over {LATENCY_SAMPLES} test examples" in LATENCY_BASES["one_request"]
    assert "latency p50 / p95 ms" in speed(old).columns and "latency p50 / p95 ms" in speed(new).columns
