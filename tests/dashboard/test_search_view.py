"""The Benchmark page's prompt search section for a saved run that searched for its prompt (AppTest): the chosen
prompt, what it chose, its test score beside the hand-written prompts', the gain on validation, the cost, the
trials, the validation curve, each from its run; thin evidence said as such; a run without a search shows none."""

from __future__ import annotations

import json

import pytest

from tests.dashboard.apptest import metric, open_app
from tests.dashboard.search_run import CHOSEN_PROMPT, TRIALS, full_search, saved, stopped_search
from tests.fake_result import fake_result


@pytest.fixture
def runs():
    yield from saved(stopped_search(), full_search(), fake_result("run-no-search"))


def _compare(run_ids: list[str]):
    at = open_app("benchmark")
    next(m for m in at.multiselect if m.label == "Runs to compare").set_value(run_ids).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(elements) -> list[str]:
    return [e.value.replace("\\", "") for e in elements]  # Markdown's escapes removed: what the page draws


def test_a_searched_run_shows_its_prompt_choice_scores_cost_trials_and_curve(runs):
    at = _compare(["run-search-thin"])
    markdown = _texts(at.markdown)
    assert "**Prompt search** · run run-search-thin (local, smollm2-135m-instruct)" in markdown
    assert ("It chose “persona + 4 typical examples” after 4 trials on 40 validation examples; +12.5 points over "
            "the first (zero-shot) instruction on validation (77.5% against 65.0% accuracy).") in markdown
    assert [c.value for c in at.code] == [CHOSEN_PROMPT] and "{input}" in at.code[0].value
    assert any("From benchmark run run-search-thin (Searched prompt, local, smollm2-135m-instruct)" in c
               for c in _texts(at.caption))
    assert metric(at, "Searched prompt · test accuracy") == "78.0%"
    assert metric(at, "Zero-shot prompt · test accuracy") == "70.0%"
    assert metric(at, "Few-shot prompt · test accuracy") == "75.0%"
    assert next(m.help for m in at.metric if m.label.startswith("Searched")).replace("\\", "") == (
        "95% CI 73.0%–83.0% on 240 test examples; run run-search-thin (local)")
    assert ("**Cost of the search** (run run-search-thin): 160 calls, 13.4 s, 12,345 prompt tokens (4,321 computed "
            "by the model); a local run: no dollars measured.") in markdown
    warning, = [w for w in _texts(at.warning) if "Weak evidence" in w]  # other runs may warn of their own
    assert warning.startswith("**Weak evidence.** Small validation set: 40 examples")
    assert "it ran 4 of the 8 trials budgeted" in warning
    trials = next(f.value for f in at.dataframe if "candidate" in f.value)
    assert trials["candidate"].tolist() == [t[0] for t in TRIALS]
    assert trials["validation accuracy"].tolist() == [t[3] for t in TRIALS]
    assert trials["seconds"].tolist() == [t[4] for t in TRIALS] and trials["chosen"].tolist() == ["", "", "✓", ""]
    assert any("4 trials of 8 budgeted · from run-search-thin/result.json" in c for c in _texts(at.caption))
    curve = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "by trial" in c.proto.spec)
    assert "run-search-thin" in curve["layout"]["title"]["text"]
    assert [t["name"] for t in curve["data"]] == ["best so far", "trial", "chosen",
                                                  "test: 78.0% on 240 other examples"]


def test_only_searched_rows_get_the_section_and_a_full_search_no_warning(runs):
    at = _compare(["run-search-full", "run-no-search"])
    heads = [m for m in _texts(at.markdown) if m.startswith("**Prompt search**")]
    assert heads == ["**Prompt search** · run run-search-full (local, smollm2-135m-instruct)"]
    assert not [w for w in _texts(at.warning) if "Weak evidence" in w] and len(at.code) == 1
    at = _compare(["run-no-search"])
    assert not [m for m in _texts(at.markdown) if m.startswith("**Prompt search**")] and not at.code
