"""A run with a searched prompt beside its zero-shot and few-shot rows (the fake run's), for the prompt search's
section on the Benchmark page and in the report. `stopped_search` is thin evidence (40 validation examples, 4 of
8 trials); `full_search` is not (60 examples, every trial budgeted)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

from core.files import runs_dir
from core.result import BenchmarkResult, PromptSearchStats, Quality, SearchTrial, save_result
from tests.fake_result import fake_result

PERSONA = "You are a careful film critic."
INSTRUCTION = "Is the sentiment of this movie review positive or negative?"
CHOSEN_PROMPT = (f"{PERSONA}\n\n{INSTRUCTION}\n\nReview: A joy from start to finish.\nSentiment: positive\n\n"
                 "Review: {input}\nSentiment:")
TRIALS = [  # candidate, kind, shots, validation accuracy, seconds: the chosen one is the third
    ("zero-shot", "zero_shot", "none", 0.65, 2.0),
    ("persona", "persona", "none", 0.70, 2.5),
    ("persona + 4 typical examples", "persona", "typical", 0.775, 4.0),
    ("persona + 4 random examples", "persona", "random", 0.725, 4.5),
]
SEARCHED_ACCURACY = 0.78  # on test; the fake run's zero-shot has 0.70 and few-shot 0.75


def search_stats(validation: int = 40, trials: int = 4, budget: int = 8, usd: float | None = None,
                 stopped: str | None = None) -> PromptSearchStats:
    """The first `trials` of TRIALS (the chosen third among them), on `validation` examples."""
    kept = TRIALS[:trials]
    return PromptSearchStats(
        metric="accuracy", chosen=2, instruction=f"{PERSONA}\n\n{INSTRUCTION}", prompt=CHOSEN_PROMPT, budget=budget,
        trials=[SearchTrial(candidate=words, prompt_kind=kind, variant=0, shots=shots,
                            shot_ids=[] if shots == "none" else [3, 14, 15, 92], validation_score=score,
                            seconds=seconds) for words, kind, shots, score, seconds in kept],
        validation_examples=validation, baseline_validation_score=kept[0][3], calls=validation * len(kept),
        seconds=sum(t[4] for t in kept) + 0.4, prompt_tokens=12_345, computed_tokens=4_321, usd=usd, stopped=stopped)


def searched_result(run_id: str, search: PromptSearchStats) -> BenchmarkResult:
    """The fake run with a searched prompt's row after its few-shot one (the few-shot row's numbers otherwise)."""
    result = fake_result(run_id)
    few = result.approach("few_shot")
    low, high = SEARCHED_ACCURACY - 0.05, SEARCHED_ACCURACY + 0.05
    row = few.model_copy(update={
        "approach": "prompt_search", "accuracy": SEARCHED_ACCURACY, "accuracy_ci": (low, high), "search": search,
        "labeled_examples": search.validation_examples + 4,
        "quality": Quality(metric="accuracy", value=SEARCHED_ACCURACY, interval=(low, high), interval_basis="wilson")})
    result.approaches.insert(2, row)
    return result


def stopped_search(run_id: str = "run-search-thin") -> BenchmarkResult:
    return searched_result(run_id, search_stats(stopped="max_usd"))


def full_search(run_id: str = "run-search-full") -> BenchmarkResult:
    return searched_result(run_id, search_stats(validation=60, trials=4, budget=4))


def saved(*results: BenchmarkResult) -> Iterator[list[BenchmarkResult]]:
    """The runs saved as the newest of all, removed afterwards (other tests list the finished runs)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    results = [r.model_copy(update={"created_at": now}) for r in results]
    for result in results:
        save_result(result, runs_dir() / result.run_id)
    try:
        yield results
    finally:
        for result in results:
            shutil.rmtree(runs_dir() / result.run_id)
