"""A prompt search as a decision maker reads it (reporting/search.py, charts.search_curve): what it chose and on
how much evidence, the trials, what it cost, the validation curve with the test score beside it; and the same
in brief in the exported report (HTML and Markdown read back, the PDF still drawn without a browser)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from calculator.scenario_io import load_preset
from reporting import build, charts, render_data
from reporting.search import (
    chose,
    cost,
    gain,
    scores_on_test,
    searched_rows,
    trials_grid,
    weak_evidence,
)
from tests.dashboard.search_run import (
    CHOSEN_PROMPT,
    SEARCHED_ACCURACY,
    TRIALS,
    full_search,
    search_stats,
    stopped_search,
)
from tests.fake_result import fake_result
from tests.reader_text import raw_words
from tests.reporting.common import needs_poppler, no_browser, pdf_text


def test_the_words_say_what_it_chose_what_it_bought_and_what_it_cost():
    search = search_stats()
    assert chose(search) == "chose “persona + 4 typical examples” after 4 trials on 40 validation examples"
    assert gain(search) == ("+12.5 points over the first (zero-shot) instruction on validation (77.5% against "
                            "65.0% accuracy)")
    assert cost(search) == ("160 calls, 13.4 s, 12,345 prompt tokens (4,321 computed by the model); a local run: "
                            "no dollars measured")
    assert cost(search_stats(usd=0.00204)).endswith("; $0.00204 measured on the endpoint")
    first = search.model_copy(update={"chosen": 0})
    assert gain(first) == "no later trial beat the first (zero-shot) instruction's 65.0% accuracy on validation"


def test_the_searched_row_is_read_beside_the_hand_written_prompts_of_its_run_and_arm():
    found, = searched_rows([stopped_search("run-a"), fake_result("run-without")])
    assert [row.approach for row in found.beside] == ["prompt_search", "zero_shot", "few_shot"]
    assert found.source == "benchmark run run-a (Searched prompt, local, smollm2-135m-instruct)"
    assert scores_on_test(found) == ("test accuracy on 240 examples: Searched prompt 78.0% (95% CI 73.0%–83.0%), "
                                  "Zero-shot prompt 70.0% (95% CI 65.0%–75.0%), Few-shot prompt 75.0% (95% CI "
                                  "70.0%–80.0%)")
    on_endpoint = found.row.model_copy(update={"backend": "endpoint", "endpoint_host": "api.example.com",
                                               "model": "gpt-4o-mini", "n_test": 100})
    rows = [*found.result.approaches[:2], on_endpoint]
    alone, = searched_rows([found.result.model_copy(update={"approaches": rows})])
    assert [row.approach for row in alone.beside] == ["prompt_search"]  # no hand-written row on that endpoint
    assert alone.arm == "endpoint api.example.com, gpt-4o-mini"
    assert scores_on_test(alone) == "test accuracy on 100 examples: Searched prompt 78.0% (95% CI 73.0%–83.0%)"


def test_thin_evidence_is_named_with_why_and_a_full_search_has_none():
    thin, = searched_rows([stopped_search()])
    reasons = weak_evidence(thin)
    assert reasons[0] == ("Small validation set: 40 examples, so one answer moves a trial's score by up to 2.5 "
                          "points; trials closer than that are a tie.")
    assert reasons[1] == ("Stopped early: it ran 4 of the 8 trials budgeted (the run's spending cap, --max-usd, "
                          "was reached).")
    assert len(reasons) == 2
    assert weak_evidence(searched_rows([full_search()])[0]) == []


def test_the_trials_table_has_every_trial_in_order_with_the_chosen_marked():
    frame = trials_grid(search_stats()).frame()
    assert list(frame.columns) == ["trial", "candidate", "validation accuracy", "seconds", "chosen"]
    assert frame["trial"].tolist() == [1, 2, 3, 4]
    assert frame["candidate"].tolist() == [t[0] for t in TRIALS]
    assert frame["validation accuracy"].tolist() == [t[3] for t in TRIALS]
    assert frame["seconds"].tolist() == [t[4] for t in TRIALS]
    assert frame["chosen"].tolist() == ["", "", "✓", ""]
    assert trials_grid(search_stats()).texts()[2] == ["3", "persona + 4 typical examples", "77.5%", "4.0", "✓"]


def test_the_validation_curve_steps_through_the_best_so_far_and_rings_the_chosen_trial():
    result = stopped_search()
    fig = charts.search_curve(result.approach("prompt_search"), result.run_id)
    best, trials, chosen, test = fig.data
    assert list(trials.x) == [1, 2, 3, 4] and list(trials.y) == [t[3] for t in TRIALS]
    assert list(trials.customdata) == [t[0] for t in TRIALS]
    assert best.line.shape == "hv" and list(best.y) == [0.65, 0.70, 0.775, 0.775]
    assert list(chosen.x) == [3] and list(chosen.y) == [0.775] and chosen.marker.symbol == "circle-open"
    assert list(test.y) == [SEARCHED_ACCURACY] * 2 and list(test.x) == [0.5, 4.5]
    assert test.name == "test: 78.0% on 240 other examples"
    assert trials.marker.color == "#7B61A8"  # the approach's colour (core/approaches.py)
    assert "run-search-thin" in fig.layout.title.text and "run-search-thin" in trials.hovertemplate
    assert fig.layout.yaxis.range == (0, 1) and fig.layout.yaxis.tickformat == ".0%"
    with pytest.raises(ValueError, match="ran no prompt search"):
        charts.search_curve(result.approach("zero_shot"), result.run_id)


class Tables(HTMLParser):
    """Each <figure class="table"> of the HTML by its id: its caption, its rows of cell texts and its note."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict] = {}
        self.current: dict | None = None
        self.into: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and attrs.get("class") == "table":
            self.current = self.found.setdefault(attrs["id"], {"caption": "", "rows": [], "note": ""})
        elif self.current is not None and tag == "tr":
            self.current["rows"].append([])
        elif self.current is not None and tag in ("td", "th", "figcaption", "p"):
            self.into = tag
            if tag in ("td", "th"):
                self.current["rows"][-1].append("")

    def handle_endtag(self, tag):
        if tag == "figure":
            self.current = None
        if tag == self.into:
            self.into = None

    def handle_data(self, data):
        if self.current is None or self.into is None:
            return
        if self.into in ("td", "th"):
            self.current["rows"][-1][-1] += data
        else:
            self.current["caption" if self.into == "figcaption" else "note"] += data


@pytest.fixture(scope="module")
def report():
    return build(load_preset("support_intents"), [stopped_search()], draws=500, now=datetime(2026, 1, 1, tzinfo=UTC))


def test_the_html_report_shows_the_chosen_prompt_and_the_trials_with_their_source(report):
    page = render_data(report, "html").decode("utf-8")
    parser = Tables()
    parser.feed(page)
    prompt = parser.found["table-search_prompt_run-search-thin_local"]
    assert prompt["caption"] == ("Benchmark run run-search-thin: the prompt its search chose "
                                 "(local, smollm2-135m-instruct)")
    assert [cells[0] for cells in prompt["rows"][1:]] == [line for line in CHOSEN_PROMPT.splitlines() if line]
    assert prompt["note"].startswith("It chose “persona + 4 typical examples” after 4 trials on 40 validation "
                                     "examples; +12.5 points")
    assert "Searched prompt 78.0%" in prompt["note"] and "Zero-shot prompt 70.0%" in prompt["note"]
    assert prompt["note"].endswith("Source: benchmark run run-search-thin (Searched prompt, local, "
                                   "smollm2-135m-instruct).")
    trials = parser.found["table-search_trials_run-search-thin_local"]
    assert trials["rows"] == [["trial", "candidate", "validation accuracy", "seconds", "chosen"],
                              ["1", "zero-shot", "65.0%", "2.0", ""], ["2", "persona", "70.0%", "2.5", ""],
                              ["3", "persona + 4 typical examples", "77.5%", "4.0", "✓"],
                              ["4", "persona + 4 random examples", "72.5%", "4.5", ""]]
    assert trials["note"].startswith("Cost of the search: 160 calls, 13.4 s, 12,345 prompt tokens")
    assert "Weak evidence: Small validation set: 40 examples" in trials["note"]
    assert "Source: benchmark run run-search-thin" in trials["note"]
    order = [key for key in parser.found if "run-search-thin" in key]  # after the run's results, before its speed
    assert order[:4] == ["table-env_run-search-thin", "table-bench_run-search-thin",
                         "table-search_prompt_run-search-thin_local", "table-search_trials_run-search-thin_local"]
    assert not raw_words(" ".join(str(v) for key in order[2:4] for v in parser.found[key].values()))


def test_the_markdown_report_shows_the_chosen_prompt_and_the_trials(report):
    md = render_data(report, "md").decode("utf-8")
    section = md[md.index("**Benchmark run run-search-thin: the prompt its search chose"):]
    lines = section.splitlines()
    assert [line.strip("| ") for line in lines[4:10]] == [line for line in CHOSEN_PROMPT.splitlines() if line]
    trials = re.search(r"\*\*Benchmark run run-search-thin: the search's trials.*?\n\n(.*?)\n\n_(.*?)_", section, re.S)
    rows = [[cell.strip() for cell in row.strip("|").split("|")] for row in trials.group(1).splitlines()]
    assert rows[0] == ["trial", "candidate", "validation accuracy", "seconds", "chosen"]
    assert rows[2:] == [["1", "zero-shot", "65.0%", "2.0", ""], ["2", "persona", "70.0%", "2.5", ""],
                        ["3", "persona + 4 typical examples", "77.5%", "4.0", "✓"],
                        ["4", "persona + 4 random examples", "72.5%", "4.5", ""]]
    note = trials.group(2)
    assert "Cost of the search: 160 calls" in note and "Source: benchmark run run-search-thin" in note


@needs_poppler
def test_the_pdf_prints_the_search_without_a_browser(report, tmp_path, monkeypatch):
    no_browser(monkeypatch, tmp_path / "home")
    path = tmp_path / "report.pdf"
    path.write_bytes(render_data(report, "pdf"))
    text = pdf_text(path)
    assert "the prompt its search chose" in text and "Review: {input}" in text
    assert "persona + 4 typical examples" in text and "Cost of the search: 160 calls" in text
