"""The report of every preset as a decision maker reads it, in the HTML (its visible text: no script, no
style) and the Markdown (the scenario file it carries to rerun it aside): no "None", "nan", scientific
notation or name meant for the code (tests/reader_text.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from calculator.scenario_io import load_preset, preset_names
from reporting import build, render_data
from tests.reader_text import raw_words

DRAWS = 500
SCENARIO_FILE = re.compile(r"<details><summary>scenario\.yaml.*?</details>", re.DOTALL)  # the file, verbatim


class VisibleText(HTMLParser):
    """The text a browser draws: what is outside <script> and <style>, one line per block."""

    HIDDEN, BLOCKS = ("script", "style"), ("p", "li", "td", "th", "h1", "h2", "h3", "figcaption", "summary", "div")

    def __init__(self) -> None:
        super().__init__()
        self.hidden, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN
        self.parts += ["\n"] if tag in self.BLOCKS else []

    def handle_data(self, data):
        self.parts += [] if self.hidden else [data]


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "".join(parser.parts)


@pytest.fixture(scope="module", params=preset_names())
def report(request):
    data = build(load_preset(request.param), draws=DRAWS)
    return {"html": visible(render_data(data, "html").decode()),
            "md": SCENARIO_FILE.sub("", render_data(data, "md").decode())}


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_report_shows_no_raw_words(report, fmt):
    assert "Recommendation" in report[fmt] and "Assumptions" in report[fmt]  # the whole report was read
    found = [words for line in report[fmt].splitlines() for words in raw_words(line)]
    assert not found, "\n".join(found)



@pytest.mark.parametrize(("text", "raw"), [
    ("3,597,369.883 requests a month, month None", "None"), ("a spread of nan", "nan"),
    ("with volume at 4.6e+05 requests/month", "4.6e+05"), ("$6.1e-04 per request", "6.1e-04"),
    ("set hosting.kv_bytes_per_token higher", "hosting.k"), ("Llama (self_hosted)", "self_hosted"),
    ("prompt_tuning is cheaper", "prompt_tuning"), ("zero_shot", "zero_shot"),
    ("Kv bytes per token (requests_per_month)", "requests_per_month"),
])
def test_the_search_finds_what_a_reader_found(text, raw):
    assert [found.split(" in …")[0] for found in raw_words(text)] == [repr(raw)]


def test_the_users_own_words_and_code_formatting_stay():
    assert raw_words("labels: cancel_subscription; tiktoken o200k_base; data/gpu_prices.yaml; LoRA fine-tune "
                     "at 3.71M requests/month; `prompt-or-tune bench --approaches output_format`") == []


def test_the_tornado_hover_writes_each_input_in_its_unit():
    """Hovering a sensitivity bar reads 'Requests per month … = 4,500,000 requests/month', '… = 25%', '… = $7.50
    per 1M tokens', never 4.5e+6 (the dotted name stays beside it in italics, as the reference it is)."""
    from calculator.costs import evaluate
    from calculator.uncertainty import tornado
    from reporting import charts

    report = evaluate(load_preset("support_intents"))
    bars = tornado(report.inputs, "lora", "zero_shot", report.scenario.uncertainty, top=40)
    shown = [row for trace in charts.tornado_chart(report, bars, "lora", "zero_shot").data for row in trace.customdata]
    amounts = {(name, value) for name, value, _difference in shown}
    assert {("workload.requests_per_month", "4,500,000 requests/month"), ("finetuning.retrain_new_label_share", "25%"),
            ("api.output_usd_per_mtok", "$7.50 per 1M tokens"), ("hosting.gpu_usd_per_hour", "$0.60/GPU-hour")} <= amounts
    assert not [value for _name, value, _difference in shown if raw_words(value)]
