"""The bench command's summary names a text run's metric and never calls it accuracy."""

from pathlib import Path

from core.result import PromptSearchStats, Quality, SearchTrial, load_result
from prompt_or_tune.commands.bench_view import search_lines, summary_table

VERSION_1 = Path(__file__).parents[1] / "data" / "result_v1.json"


def test_a_generation_run_is_summarised_by_its_metric():
    result = load_result(VERSION_1)
    result.task.kind = "generation"
    for row, value in zip(result.approaches, (0.312, 0.305, 0.401), strict=True):
        row.accuracy = row.accuracy_ci = row.macro_f1 = None
        row.quality = Quality(metric="chrf", value=value, interval=(value - 0.02, value + 0.02),
                              interval_basis="bootstrap", others={"rouge_l": 0.2})
        row.output_tokens_per_second = 42.0
    table = summary_table(result)
    head, lora = table.splitlines()[1], table.splitlines()[-1]
    assert "accuracy" not in table and "metric" in head and "score 95% CI" in head and "output tokens/s" in head
    assert "chrF" in lora and "0.401" in lora and "0.381–0.421" in lora


def test_a_classification_run_keeps_its_accuracy_columns():
    table = summary_table(load_result(VERSION_1))
    assert "accuracy" in table.splitlines()[1] and "0.900 0.799–0.953" in table and "chrF" not in table


def test_a_searched_prompt_is_printed_with_its_trials_and_cost():
    result = load_result(VERSION_1)
    row = result.approaches[0]
    row.approach = "prompt_search"
    trials = [SearchTrial(candidate="zero-shot", prompt_kind="zero_shot", variant=0, shots="none",
                          validation_score=0.8, seconds=2.0),
              SearchTrial(candidate="persona + 4 typical examples", prompt_kind="persona", variant=0,
                          shots="typical", shot_ids=[3, 14, 15, 92], validation_score=0.85, seconds=3.0)]
    row.search = PromptSearchStats(
        metric="accuracy", chosen=1, instruction="You are a senior analyst.\n\nClassify the review.",
        prompt="You are a senior analyst.\n\nClassify the review.\n\nText: {input}\nLabel:", budget=8,
        trials=trials, validation_examples=60, baseline_validation_score=0.8, calls=120, seconds=5.0,
        prompt_tokens=9_000, computed_tokens=3_000)
    first, *rest = search_lines(result)
    assert first.startswith("prompt_search: chose 'persona + 4 typical examples' of 2 trials (budget 8) by "
                            "validation accuracy 0.850 on 60 examples, the zero-shot instruction's 0.800")
    assert "search 120 calls, 5.0 s, 9,000 prompt tokens" in first
    assert rest[:2] == ["  trial 1: zero-shot: 0.800", "  trial 2: persona + 4 typical examples: 0.850 (chosen)"]
    assert rest[2:] == ["  chosen prompt:", "    | You are a senior analyst.", "    | ", "    | Classify the review.",
                        "    | ", "    | Text: {input}", "    | Label:"]
    assert search_lines(load_result(VERSION_1)) == []  # no search, no lines
