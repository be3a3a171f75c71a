"""The bench command's summary names a text run's metric and never calls it accuracy."""

from pathlib import Path

from core.result import Quality, load_result
from prompt_or_tune.commands.bench_view import summary_table

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
