"""The prompt-search peer on a tiny budget against a real `transformers serve` of the packaged model: this
project's search and DSPy's BootstrapFewShotWithRandomSearch on the same splits, each call counted by the
proxy both send through, DSPy's search never shown a test example, the JSON written."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("dspy")

from tools.search_peer import FIXED_DSPY_CANDIDATES, main, summary  # noqa: E402

pytestmark = pytest.mark.slow
TRIALS, VALIDATION, TEST, DSPY_TRAIN = 4, 4, 10, 8  # DSPy's seeds -3..0; about 10 min idle


def test_both_searches_run_on_the_same_splits_and_budget(tmp_path):
    report = main(["--search-trials", str(TRIALS), "--validation", str(VALIDATION), "--test-size", str(TEST),
                   "--dspy-train", str(DSPY_TRAIN), "--out", str(tmp_path)])
    written = json.loads(next(tmp_path.glob("search_peer-*.json")).read_text())
    assert written["ours"]["run_id"] == report["ours"]["run_id"]
    assert report["splits"] == {"train": report["splits"]["train"], "validation": VALIDATION, "test": TEST}

    ours, dspy = report["ours"], report["dspy"]
    # this project's side, cold: every trial's validation calls and every arm's test split were sent
    assert ours["search"]["calls"] == TRIALS * VALIDATION and len(ours["search"]["trials"]) == TRIALS
    assert all(row["sent"] == TEST for row in ours["test"].values())
    assert ours["sent"]["calls"] == TRIALS * VALIDATION + 3 * TEST + 1  # + the preflight, counted by the proxy
    assert ours["search"]["chosen"] in [t["candidate"] for t in ours["search"]["trials"]]

    # DSPy's side: the same number of candidate programs, each scored on the validation examples; its calls
    # are at least those scorings (plus bootstrapping and any adapter retries), none from a cache
    candidates = dspy["search"]["candidates"]
    assert len(candidates) == TRIALS and sorted(c["seed"] for c in candidates) == list(
        range(-FIXED_DSPY_CANDIDATES, TRIALS - FIXED_DSPY_CANDIDATES))
    assert all(0.0 <= c["validation_score"] <= 1.0 and c["demos"] <= report["budget"]["k"] for c in candidates)
    assert dspy["search"]["calls"] >= TRIALS * VALIDATION and dspy["search"]["prompt_tokens"] > 0
    assert dspy["search"]["test_texts_seen"] == 0
    for row in dspy["test"].values():
        assert row["calls"] >= TEST and 0.0 <= row["accuracy"] <= 1.0
    assert len(dspy["chosen_demos"]) <= report["budget"]["k"]

    text = summary(report)
    assert f"{TRIALS * VALIDATION} calls" in text and f"DSPy's search: {dspy['search']['calls']} calls" in text
